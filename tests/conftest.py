"""Shared fixtures. Each test gets a fresh profile (data, config, log dirs) and, where it needs one,
its own sandbox on 127.0.0.1 with a manual or system clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if os.environ["QT_QPA_PLATFORM"] == "offscreen":  # a desk's screen, not the plugin's 800 x 600 default
    from tools.offscreen import DESK_SCREEN, use_offscreen_screen

    use_offscreen_screen(*DESK_SCREEN)

from desktop_app.sandbox import ManualClock, Sandbox
from desktop_app.service import PhoneNotifyClient

# The namespace the fixtures' sandboxes speak, strictly (like a real ASMX service). `./dev test` runs
# the suite once with each: the app must work whichever one the live service turns out to expect.
SANDBOX_NAMESPACE = os.environ.get("VBD_SANDBOX_NAMESPACE", "esendex")

KEY_A = "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d"
KEY_B = "7c6d5e4f-3a2b-4c1d-8e9f-0a1b2c3d4e5f"


@pytest.fixture(scope="session", autouse=True)
def _garbage_collected_on_the_gui_thread(qapp) -> None:
    """As app.main does: cycles holding Qt objects are never freed on a worker (ui/gc_guard.py)."""
    from desktop_app.ui.gc_guard import collect_garbage_on_the_gui_thread

    collect_garbage_on_the_gui_thread()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[Sandbox]:
    with Sandbox(clock=clock, namespace=SANDBOX_NAMESPACE) as server:
        yield server


@pytest.fixture
def live_sandbox() -> Iterator[Sandbox]:
    """A sandbox on the real clock (for tests that schedule "tomorrow")."""
    with Sandbox(namespace=SANDBOX_NAMESPACE) as server:
        yield server


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[PhoneNotifyClient]:
    service = PhoneNotifyClient(sandbox.url, timeout=5)
    yield service
    service.close()


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated profile: platformdirs and QSettings point into tmp_path."""
    root = tmp_path / "profile"
    for var, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        (root / sub).mkdir(parents=True)
        monkeypatch.setenv(var, str(root / sub))
    return root


# -- the app -----------------------------------------------------------------------------------

import keyring.backends.fail  # noqa: E402

from desktop_app.storage.history import History  # noqa: E402
from desktop_app.storage.profile import Profile  # noqa: E402
from desktop_app.storage.secrets import KeyStore  # noqa: E402
from desktop_app.storage.settings import Settings  # noqa: E402
from tests.support import MemoryKeyring  # noqa: E402


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def app_sandbox() -> Iterator[Sandbox]:
    """The sandbox behind the UI tests: a manual clock that starts at the real time."""
    from datetime import UTC, datetime

    with Sandbox(clock=ManualClock(datetime.now(UTC)), namespace=SANDBOX_NAMESPACE) as server:
        yield server


def make_controller(tmp_path: Path, sandbox: Sandbox | None, backend, accounts: dict[str, str] | None = None):
    """A controller on a fresh profile, with these accounts' keys in `backend` (no window)."""
    from desktop_app.ui.controller import AppContext, AppController

    profile = Profile.isolated(tmp_path / "profile").ensure()
    keys = KeyStore(backend)
    settings = Settings(timeout_seconds=5)
    for name, key in (accounts or {}).items():
        keys.set(name, key)
        settings.accounts.append(name)
    settings.default_account = next(iter(accounts or {}), "")
    history = History(profile.history_file)
    return AppController(AppContext(profile, settings, keys, history, sandbox))


def make_window(qtbot, tmp_path: Path, sandbox: Sandbox, backend, accounts: dict[str, str] | None = None):
    from desktop_app.ui.main_window import MainWindow

    window = MainWindow(make_controller(tmp_path, sandbox, backend, accounts))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    # Let the start-up chores (voices, response codes, hidden pages) finish so tests count only
    # their own requests.
    qtbot.waitUntil(lambda: sandbox.operations["getVoices"] and sandbox.operations["GetResponseCodes"])
    qtbot.waitUntil(lambda: sandbox.in_flight == 0 and window.controller.executor.pending == 0)
    sandbox.max_in_flight = 0
    return window


@pytest.fixture
def controller(tmp_path, app_sandbox, memory_keyring):
    """A controller with one account and no window: pages are tested on it alone."""
    controller = make_controller(tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    yield controller
    controller.shutdown()
    controller.executor.wait(10)
    controller.desk.close()
    controller.context.history.close()


@pytest.fixture
def window(qtbot, tmp_path, app_sandbox, memory_keyring):
    win = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    qtbot.waitUntil(lambda: win.controller.store is not None)
    yield win
    close_window(win)


def close_controller(controller) -> None:
    """Stop a controller made by make_controller: its work ended, its desk and history closed."""
    controller.shutdown()
    controller.executor.wait(10)
    controller.desk.close()
    controller.context.history.close()


def close_window(window) -> None:
    """Close like a user, then wait for the work in flight (tests run many windows in one process)."""
    window.close()
    window.controller.executor.wait(10)
    window.controller.desk.close()
    window.controller.context.history.close()


@pytest.fixture
def fail_keyring():
    return keyring.backends.fail.Keyring()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (also its own CA): (the certificate, its key), PEM."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    from tests.support import self_signed_root

    name = [x509.NameAttribute(NameOID.COMMON_NAME, "Voice Broadcast Desk test CA")]
    cert_file, _der, key_file = self_signed_root(name, tmp_path_factory.mktemp("tls"), "cert")
    return cert_file, key_file


@pytest.fixture
def tls_sandbox(certificate) -> Iterator[Sandbox]:
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    with Sandbox(ssl_context=context, namespace=SANDBOX_NAMESPACE) as server:
        yield server


# -- Windows and Wine (tests/windows_support.py): a timeout that ends a hung test on Windows too,
# and, under Wine only, the tests that cannot run there, each skipped with its reason. ------------
from tests.windows_support import (  # noqa: E402, F401
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_runtest_protocol,
)
