"""Which keyring backend the app uses (storage/keyring_choice.py): an explicit choice, else the one
platform keyring that works, else none; never a third-party backend it was not told to use. The
real Secret Service case is in test_keyring_integration.py."""

from __future__ import annotations

import sys

import keyring.core
import pytest
from jaraco.classes.properties import classproperty
from keyring.backends import fail

from desktop_app.storage import keyring_choice
from desktop_app.storage.keyring_choice import choose_backend
from desktop_app.storage.secrets import KeyStore
from tests.support import MemoryKeyring


class WorkingKeyring(MemoryKeyring):
    enabled = False  # only inside these tests: keyring registers every subclass for its discovery
    level = 5

    @classproperty
    def priority(cls) -> float:  # noqa: N805
        if not cls.enabled:
            raise RuntimeError("a test keyring")
        return cls.level


class PreferredKeyring(WorkingKeyring):
    level = 6


class BrokenKeyring(MemoryKeyring):  # priority raises (MemoryKeyring's): not usable here
    pass


@pytest.fixture(autouse=True)
def no_explicit_choice(monkeypatch, tmp_path):
    monkeypatch.setattr(WorkingKeyring, "enabled", True)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr(keyring.core, "_config_path", lambda: tmp_path / "keyringrc.cfg")


def _platform(monkeypatch, *class_paths: str) -> None:
    """The platform's backends are these: Linux's (the tests ask for "linux") and this system's own
    (KeyStore() asks for sys.platform's: Windows' Credential Manager on Windows, which always works)."""
    for platform in {"linux", sys.platform}:
        monkeypatch.setitem(keyring_choice.PLATFORM_BACKENDS, platform, class_paths)


def test_the_one_platform_keyring_that_works_is_used(monkeypatch):
    _platform(monkeypatch, f"{__name__}.BrokenKeyring", f"{__name__}.WorkingKeyring", "no.such.Module")
    assert type(choose_backend("linux")) is WorkingKeyring


def test_no_working_platform_keyring_means_no_secure_store(monkeypatch):
    _platform(monkeypatch, f"{__name__}.BrokenKeyring", "no.such.Module")
    backend = choose_backend("linux")
    assert type(backend) is fail.Keyring
    assert not KeyStore(backend).info().secure


def test_of_several_working_ones_the_preferred_is_used_never_a_plug_in(monkeypatch):
    _platform(monkeypatch, f"{__name__}.WorkingKeyring", f"{__name__}.PreferredKeyring")
    monkeypatch.setattr(keyring.core, "get_keyring", lambda: pytest.fail("keyring's discovery was asked"))
    assert type(choose_backend("linux")) is PreferredKeyring


def test_no_secure_store_is_asked_again_later(monkeypatch):
    _platform(monkeypatch, "no.such.Module")
    store = KeyStore()
    assert not store.info().secure  # nothing works yet
    _platform(monkeypatch, f"{__name__}.WorkingKeyring")  # the keyring daemon has started since
    assert store.info().secure and type(store.backend) is WorkingKeyring
    assert store.backend is store.backend  # a working one is kept


def test_an_explicit_choice_in_the_environment_wins(monkeypatch):
    _platform(monkeypatch, f"{__name__}.WorkingKeyring")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    backend = choose_backend("linux")
    assert type(backend).__module__ == "keyring.backends.null"
    assert not KeyStore(backend).info().secure  # and an insecure choice is still called insecure


def test_an_explicit_choice_in_keyrings_config_file_wins(monkeypatch, tmp_path):
    _platform(monkeypatch, f"{__name__}.WorkingKeyring")
    (tmp_path / "keyringrc.cfg").write_text("[backend]\ndefault-keyring=keyring.backends.null.Keyring\n")
    assert type(choose_backend("linux")).__module__ == "keyring.backends.null"


def test_an_unusable_backend_is_logged_by_type_only_and_once(monkeypatch, caplog):
    _platform(monkeypatch, f"{__name__}.BrokenKeyring")
    monkeypatch.setattr(keyring_choice, "_reported", set())
    with caplog.at_level("INFO", logger="desktop_app.storage.keyring_choice"):
        choose_backend("linux")
        choose_backend("linux")  # asked again (no secure store is not kept): not logged again
    assert caplog.messages == [f"keyring backend {__name__}.BrokenKeyring is not usable here (RuntimeError)"]


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("win32", "keyring.backends.Windows.WinVaultKeyring"),
        ("darwin", "keyring.backends.macOS.Keyring"),
        ("linux", "keyring.backends.SecretService.Keyring"),
    ],
)
def test_each_platform_asks_its_own_keyring_first(platform, expected):
    assert keyring_choice.PLATFORM_BACKENDS[platform][0] == expected
    module, _, name = expected.rpartition(".")
    assert hasattr(__import__(module, fromlist=[name]), name)  # the class exists in this keyring version
