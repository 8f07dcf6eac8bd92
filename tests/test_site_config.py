"""The administrator's site settings file: values applied, locks respected, problems reported with
the file and the line, and the user's own settings never overriding a locked value."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from desktop_app.service.reference_data import DEFAULT_ENDPOINT, DEFAULT_TIMEOUT_SECONDS
from desktop_app.storage import site_config
from desktop_app.storage.settings import LOCKED_NOTE, Settings
from desktop_app.storage.site_config import SITE_CONFIG_VARIABLE, load_site_config, site_config_path

CORP = "https://voice.example.com/NotifyWS/PhoneNotify.asmx"
KEY = "3f2a9c1e-0000-4000-8000-1234567890ab"


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, indent=2) if not isinstance(data, str) else data, encoding="utf-8")
    return path


@pytest.fixture
def corp_pem(tmp_path: Path, certificate) -> Path:
    """A company root in PEM, where the site file says it is."""
    path = tmp_path / "corp.pem"
    path.write_bytes(certificate[0].read_bytes())
    return path


@pytest.fixture
def site(tmp_path: Path, corp_pem: Path) -> Path:
    return write(
        tmp_path / "site-settings.json",
        {
            "_comment": "set by IT",
            "endpoint": {"value": CORP, "locked": True},
            "timeout_seconds": 45,
            "use_system_proxy": {"value": False, "locked": True},
            "ca_bundle": str(corp_pem),
            "default_caller_id": "(757) 555-0100",
            "accounts": ["Support", "Billing"],
            "default_account": "Support",
        },
    )


def test_site_values_are_applied(site, tmp_path, corp_pem):
    settings = Settings.load(tmp_path / "user.json", site_file=site)
    assert settings.endpoint == CORP
    assert settings.timeout_seconds == 45.0
    assert settings.use_system_proxy is False
    assert settings.ca_bundle == str(corp_pem)
    assert settings.default_caller_id == "7575550100"
    assert settings.accounts == ["Support", "Billing"] == settings.offered_accounts
    assert settings.default_account == "Support"
    assert settings.locked == frozenset({"endpoint", "use_system_proxy"})
    assert settings.is_locked("endpoint") and not settings.is_locked("timeout_seconds")
    assert settings.site_problem == ""
    assert LOCKED_NOTE == "Set by your administrator"


def test_user_settings_never_override_a_locked_value(site, tmp_path):
    user = write(
        tmp_path / "user.json",
        {"endpoint": "https://elsewhere.example.org/x.asmx", "use_system_proxy": True, "timeout_seconds": 12},
    )
    settings = Settings.load(user, site_file=site)
    assert settings.endpoint == CORP  # locked: the user's file is ignored
    assert settings.use_system_proxy is False  # locked
    assert settings.timeout_seconds == 12.0  # not locked: the user's choice wins


def test_saving_never_writes_a_locked_value_and_loading_ignores_one_anyway(site, tmp_path):
    user = tmp_path / "user.json"
    settings = Settings.load(user, site_file=site)
    settings.endpoint = "https://changed-in-memory.example.org/x.asmx"  # e.g. by code that ignores the lock
    settings.accounts.append("Mine")
    settings.save(user)
    saved = json.loads(user.read_text())
    assert "endpoint" not in saved and "use_system_proxy" not in saved
    assert saved["accounts"] == ["Mine"]  # the administrator's names are not copied into the user's file
    assert not {"locked", "site_problem", "offered_accounts", "site_values"} & saved.keys()
    assert Settings.load(user, site_file=site).endpoint == CORP
    assert Settings.load(user, site_file=site).accounts == ["Support", "Billing", "Mine"]

    # A user file written by hand (or by an older version) with a locked key is still ignored.
    write(user, {**saved, "endpoint": "https://sneaky.example.org/x.asmx"})
    assert Settings.load(user, site_file=site).endpoint == CORP


def test_unlocked_site_values_stay_defaults_that_follow_it(site, tmp_path):
    user = tmp_path / "user.json"
    Settings.load(user, site_file=site).save(user)
    assert "timeout_seconds" not in json.loads(user.read_text())  # still the administrator's default
    # An older file that holds every built-in default does not hide the administrator's default.
    write(user, {"endpoint": DEFAULT_ENDPOINT, "timeout_seconds": DEFAULT_TIMEOUT_SECONDS, "accounts": []})
    assert Settings.load(user, site_file=site).timeout_seconds == 45.0


def test_locked_accounts_are_exactly_the_administrators(tmp_path):
    site = write(tmp_path / "site.json", {"accounts": {"value": ["Support"], "locked": True}})
    user = write(tmp_path / "user.json", {"accounts": ["Mine"]})
    assert Settings.load(user, site_file=site).accounts == ["Support"]


def test_without_a_site_file_nothing_changes(tmp_path):
    user = write(tmp_path / "user.json", {"endpoint": CORP, "accounts": ["A", 3, "B"], "bogus": 1})
    for site_file in (None, tmp_path / "missing.json"):
        settings = Settings.load(user, site_file=site_file)
        assert settings.endpoint == CORP and settings.accounts == ["A", "B"]
        assert settings.locked == frozenset() and settings.site_problem == ""
    assert Settings.load(tmp_path / "none.json") == Settings()


def test_invalid_json_is_reported_with_the_file_and_line_and_defaults_apply(tmp_path):
    site = write(
        tmp_path / "site-settings.json", '{\n  "endpoint": "https://a.example.com/x",\n  "timeout_seconds" 30\n}'
    )
    settings = Settings.load(tmp_path / "user.json", site_file=site)
    assert str(site) in settings.site_problem
    assert "line 3" in settings.site_problem
    assert "IT department" in settings.site_problem
    assert settings.endpoint == DEFAULT_ENDPOINT and settings.locked == frozenset()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{\n  "endpoint": "http://plain.example.com/x"\n}', ["line 2", '"endpoint"', "https://"]),
        ('{\n  "timeout_seconds": 0\n}', ["line 2", '"timeout_seconds"', "1 to 300"]),
        ('{\n  "use_system_proxy": "no"\n}', ["line 2", '"use_system_proxy"', "true or false"]),
        ('{\n\n  "default_caller_id": "12"\n}', ["line 3", '"default_caller_id"', "10 digits"]),
        ('{\n  "accounts": "Support"\n}', ["line 2", '"accounts"', "list of account names"]),
        ('{\n  "colour": "blue"\n}', ["line 2", '"colour"', "not a setting this app knows"]),
        ('{\n  "endpoint": {"value": "https://a.example.com/x", "lock": true}\n}', ["line 2", '"value"']),
        ("[1, 2]", ["line 1", "one JSON object"]),
    ],
)
def test_a_bad_value_is_reported_with_its_key_and_line(tmp_path, text, words):
    site = write(tmp_path / "site-settings.json", text)
    problem = Settings.load(tmp_path / "user.json", site_file=site).site_problem
    assert str(site) in problem
    for word in words:
        assert word in problem


def test_a_bad_value_is_skipped_alone(tmp_path):
    site = write(tmp_path / "site.json", {"endpoint": {"value": CORP, "locked": True}, "timeout_seconds": "soon"})
    settings = Settings.load(tmp_path / "user.json", site_file=site)
    assert settings.endpoint == CORP and settings.locked == {"endpoint"}
    assert settings.timeout_seconds == DEFAULT_TIMEOUT_SECONDS
    assert '"timeout_seconds"' in settings.site_problem


def test_license_keys_are_refused_and_never_echoed(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)  # every record, DEBUG and INFO too (the root logger's default is WARNING)
    caplog.set_level(logging.DEBUG, logger="desktop_app")
    good = write(tmp_path / "good.json", {"timeout_seconds": 20})
    Settings.load(tmp_path / "user.json", site_file=good)
    assert any(r.levelno == logging.INFO and r.name == site_config.__name__ for r in caplog.records)  # seen
    caplog.clear()
    site = write(tmp_path / "site.json", {"license_key": KEY, "accounts": [KEY, "Support"]})
    settings = Settings.load(tmp_path / "user.json", site_file=site)
    assert "license keys are never read" in settings.site_problem
    assert "looks like a license key" in settings.site_problem
    assert caplog.records, "loading a file with problems logs them"
    assert KEY not in settings.site_problem and KEY not in caplog.text
    assert not [r for r in caplog.records if KEY in r.getMessage() or KEY in repr(r.args)]
    assert settings.accounts == []  # the whole list is refused, not half of it


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe{", b"", b"null", b'{"endpoint": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", b" " * 300_000],
)
def test_never_raises_whatever_the_file_holds(tmp_path, content):
    site = tmp_path / "site.json"
    site.write_bytes(content)
    settings = Settings.load(tmp_path / "user.json", site_file=site)
    assert str(site) in settings.site_problem
    assert settings.endpoint == DEFAULT_ENDPOINT


def test_a_folder_instead_of_a_file_is_reported(tmp_path):
    assert "could not be used" in load_site_config(tmp_path).problem


def test_a_byte_order_mark_is_fine(tmp_path):
    site = tmp_path / "site.json"
    site.write_bytes(b"\xef\xbb\xbf" + json.dumps({"timeout_seconds": 20}).encode())
    assert load_site_config(site).values == {"timeout_seconds": 20.0}


def test_site_config_path(tmp_path):
    assert site_config_path({SITE_CONFIG_VARIABLE: str(tmp_path / "x.json")}) == tmp_path / "x.json"
    assert site_config_path({}, "linux") == Path("/etc/xdg/VoiceBroadcastDesk/site-settings.json")
    # A desktop session may list another folder first: the one that has the file is used.
    (tmp_path / "VoiceBroadcastDesk").mkdir()
    (tmp_path / "VoiceBroadcastDesk" / "site-settings.json").write_text("{}")
    dirs = os.pathsep.join([str(tmp_path / "empty"), str(tmp_path), "/etc/xdg"])  # ':' on Linux
    assert (
        site_config_path({"XDG_CONFIG_DIRS": dirs}, "linux") == tmp_path / "VoiceBroadcastDesk" / "site-settings.json"
    )


def test_the_site_file_on_windows_and_macos_is_where_the_docs_say(monkeypatch):
    """The app's own answer on Windows and macOS (the folder the installers and docs name), with
    platformdirs' real Windows and macOS rules standing in for this system's: the app must ask for
    its own name without an author folder and add the file name."""
    from platformdirs.macos import MacOS
    from platformdirs.windows import Windows

    monkeypatch.setattr("platformdirs.windows.get_win_folder", lambda csidl: "C:\\ProgramData")
    for platform, dirs, expected in (
        ("win32", Windows, "C:\\ProgramData\\VoiceBroadcastDesk\\site-settings.json"),
        ("darwin", MacOS, "/Library/Application Support/VoiceBroadcastDesk/site-settings.json"),
    ):
        monkeypatch.setattr(
            site_config.platformdirs, "site_config_path", lambda *a, d=dirs, **k: d(*a, **k).site_config_path
        )
        environ = {"XDG_CONFIG_DIRS": "/elsewhere"}  # only Linux reads it
        path = site_config_path(environ, platform)
        assert (str(path).replace("/", "\\") if platform == "win32" else path.as_posix()) == expected, platform
