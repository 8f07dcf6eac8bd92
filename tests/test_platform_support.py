"""The Windows- and macOS-only code paths, checked here without those systems: the keyring names
shown, console attach for `--self-test` from the windowed exe, the user folders under %APPDATA%
and ~/Library, the exe's version resource, and the CI self-test checker."""

from __future__ import annotations

import ast
import io
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import desktop_app
from desktop_app import __main__ as entry
from desktop_app.platform_support import ATTACH_PARENT_PROCESS, attach_parent_console, wants_console
from desktop_app.storage.profile import Profile
from desktop_app.storage.secrets import StoreInfo, _describe

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging" / "windows"))
sys.path.insert(0, str(ROOT / "packaging" / "ci"))
import check_self_test  # noqa: E402
import version_info  # noqa: E402


def backend(module: str, name: str) -> object:
    """An instance of a class that looks like the named keyring backend, without its OS."""
    return type(name, (), {"__module__": module})()


@pytest.mark.parametrize(
    ("module", "name", "shown"),
    [
        ("keyring.backends.Windows", "WinVaultKeyring", "Windows Credential Manager"),
        ("keyring.backends.macOS", "Keyring", "macOS Keychain"),
        ("keyring.backends.macOS.api", "Keyring", "macOS Keychain"),
        ("keyring.backends.SecretService", "Keyring", "GNOME Keyring / Secret Service"),
        ("keyring.backends.kwallet", "DBusKeyring", "KDE Wallet"),
    ],
)
def test_keyring_backend_names(module, name, shown):
    info = _describe(backend(module, name))
    assert info == StoreInfo(shown, True)
    assert info.description == f"License keys are stored in {shown}."


def test_a_chainer_is_named_after_its_first_secure_backend():
    chainer = backend("keyring.backends.chainer", "ChainerBackend")
    chainer.backends = [backend("keyring.backends.fail", "Keyring"), backend("keyring.backends.Windows", "WinVault")]
    assert _describe(chainer).name == "Windows Credential Manager"


def test_the_real_backend_classes_map_to_those_names():
    """keyring's own Windows and macOS modules import on Linux; their classes get the right names."""
    windows = pytest.importorskip("keyring.backends.Windows")
    macos = pytest.importorskip("keyring.backends.macOS")
    for cls, shown in ((windows.WinVaultKeyring, "Windows Credential Manager"), (macos.Keyring, "macOS Keychain")):
        assert _describe(object.__new__(cls)).name == shown


class FakeKernel32:
    def __init__(self, attached: bool) -> None:
        self.attached, self.calls = attached, []

    def AttachConsole(self, process_id: int) -> int:  # the Windows API name
        self.calls.append(process_id)
        return int(self.attached)


@pytest.fixture
def windowed() -> SimpleNamespace:
    """The streams of a windowed Windows program: no stdout or stderr."""
    return SimpleNamespace(stdout=None, stderr=None)


def test_self_test_from_a_windowed_exe_prints_to_the_parent_console(windowed):
    kernel32, opened = FakeKernel32(attached=True), []

    def opener(name, mode, **options):
        opened.append((name, mode, options["encoding"]))
        return io.StringIO()

    assert attach_parent_console(["--self-test"], platform="win32", kernel32=kernel32, opener=opener, streams=windowed)
    assert kernel32.calls == [ATTACH_PARENT_PROCESS] and ATTACH_PARENT_PROCESS == 0xFFFFFFFF
    assert opened == [("CONOUT$", "w", "utf-8")]
    assert windowed.stdout is windowed.stderr and windowed.stdout is not None


def test_no_parent_console_leaves_the_streams_alone(windowed):
    kernel32 = FakeKernel32(attached=False)
    assert not attach_parent_console(["--self-test"], platform="win32", kernel32=kernel32, streams=windowed)
    assert windowed.stdout is None and kernel32.calls == [ATTACH_PARENT_PROCESS]


def test_console_attach_is_a_no_op_when_not_needed(windowed):
    kernel32 = FakeKernel32(attached=True)
    assert not attach_parent_console([], platform="win32", kernel32=kernel32, streams=windowed)  # the window
    assert not attach_parent_console(["--self-test"], platform="linux", kernel32=kernel32, streams=windowed)
    assert not attach_parent_console(["--self-test"], platform="darwin", kernel32=kernel32, streams=windowed)
    assert kernel32.calls == []


def test_redirected_output_is_kept():
    kernel32, redirected = FakeKernel32(attached=True), SimpleNamespace(stdout=io.StringIO(), stderr=io.StringIO())
    assert not attach_parent_console(["--self-test"], platform="win32", kernel32=kernel32, streams=redirected)
    assert kernel32.calls == []
    assert wants_console(["--sandbox", "--version"]) and not wants_console(["--sandbox"])


def test_the_entry_point_attaches_before_starting(monkeypatch):
    calls = []
    monkeypatch.setattr(entry, "attach_parent_console", lambda args: calls.append(("attach", list(args))))
    monkeypatch.setattr("desktop_app.app.main", lambda argv=None: calls.append(("start", argv)) or 0)
    assert entry.main(["--self-test"]) == 0
    assert calls == [("attach", ["--self-test"]), ("start", ["--self-test"])]


def test_user_folders_on_windows(monkeypatch):
    from platformdirs.windows import Windows

    folders = {"CSIDL_APPDATA": r"C:\Users\amy\AppData\Roaming", "CSIDL_LOCAL_APPDATA": r"C:\Users\amy\AppData\Local"}
    monkeypatch.setattr("platformdirs.windows.get_win_folder", lambda csidl: folders[csidl])
    profile = Profile.default(Windows)

    def windows_path(path: Path) -> str:
        return str(path).replace("/", "\\")

    assert windows_path(profile.config_dir) == r"C:\Users\amy\AppData\Roaming\VoiceBroadcastDesk"  # %APPDATA%
    assert windows_path(profile.settings_file).endswith(r"AppData\Roaming\VoiceBroadcastDesk\settings.json")
    assert windows_path(profile.history_file) == r"C:\Users\amy\AppData\Local\VoiceBroadcastDesk\history.sqlite3"
    assert windows_path(profile.log_dir) == r"C:\Users\amy\AppData\Local\VoiceBroadcastDesk\Logs"
    assert windows_path(profile.cache_dir) == r"C:\Users\amy\AppData\Local\VoiceBroadcastDesk\Cache"


def home_is(monkeypatch, folder: str) -> None:
    """`~` is `folder` on every system: os.path.expanduser (which platformdirs uses for the macOS and
    XDG folders) takes it from HOME elsewhere but from USERPROFILE on Windows."""
    monkeypatch.setenv("HOME", folder)
    monkeypatch.setenv("USERPROFILE", folder)


def test_user_folders_on_macos(monkeypatch):
    from platformdirs.macos import MacOS

    home_is(monkeypatch, "/Users/amy")
    profile = Profile.default(MacOS)
    support = Path("/Users/amy/Library/Application Support/VoiceBroadcastDesk")
    assert profile.settings_file == support / "settings.json"
    assert profile.history_file == support / "history.sqlite3"
    assert profile.log_dir == Path("/Users/amy/Library/Logs/VoiceBroadcastDesk")
    assert profile.cache_dir == Path("/Users/amy/Library/Caches/VoiceBroadcastDesk")


def test_user_folders_on_linux_are_unchanged(monkeypatch, tmp_path):
    from platformdirs.unix import Unix

    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(variable, raising=False)
    home_is(monkeypatch, str(tmp_path))
    profile = Profile.default(Unix)
    assert profile.settings_file == tmp_path / ".config/VoiceBroadcastDesk/settings.json"
    assert profile.history_file == tmp_path / ".local/share/VoiceBroadcastDesk/history.sqlite3"
    assert profile.log_dir == tmp_path / ".local/state/VoiceBroadcastDesk/log"


def evaluate_version_file(text: str) -> dict:
    """Evaluate PyInstaller's version-file text with recording stand-ins for its classes."""

    def record(kind):
        return lambda *args, **kwargs: {"kind": kind, "args": args, **kwargs}

    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct", "VarFileInfo")
    namespace = {name: record(name) for name in (*names, "VarStruct")}
    return eval(compile(ast.parse(text, mode="eval"), "version_info.txt", "eval"), {"__builtins__": {}}, namespace)


def test_version_resource_carries_the_package_version():
    info = evaluate_version_file(version_info.version_file_text(desktop_app.__version__))
    numbers = version_info.version_numbers(desktop_app.__version__)
    assert info["ffi"]["filevers"] == info["ffi"]["prodvers"] == numbers
    (table,) = info["kids"][0]["args"][0]
    strings = {s["args"][0]: s["args"][1] for s in table["args"][1]}
    assert strings["FileVersion"] == strings["ProductVersion"] == desktop_app.__version__
    assert strings["OriginalFilename"] == "VoiceBroadcastDesk.exe"
    assert strings["ProductName"] == "Voice Broadcast Desk"
    assert version_info.version_file_text("1.0").isascii()


def test_version_numbers():
    assert version_info.version_numbers("0.1.0") == (0, 1, 0, 0)
    assert version_info.version_numbers("1.2.3rc1") == (1, 2, 3, 0)
    with pytest.raises(ValueError):
        version_info.version_numbers("70000.0")


@pytest.mark.skipif(sys.platform != "win32", reason="PyInstaller's version-file parser imports win32api")
def test_pyinstaller_reads_the_version_file(tmp_path):
    """With PyInstaller's own parser on the Windows CI runner (elsewhere: the stand-ins above)."""
    pytest.importorskip("PyInstaller")
    from PyInstaller.utils.win32.versioninfo import load_version_info_from_text_file

    path = tmp_path / "version_info.txt"
    path.write_text(version_info.version_file_text(desktop_app.__version__), encoding="utf-8")
    assert desktop_app.__version__ in str(load_version_info_from_text_file(str(path)))


def fake_program(tmp_path: Path, body: str) -> list[str]:
    script = tmp_path / "program.py"
    script.write_text(f"import sys\n{body}\n")
    return [sys.executable, str(script)]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("print('self-test passed: ok; keyring backend: Windows Credential Manager')", None),
        ("print('self-test passed: ok; keyring backend: memory (no secure keyring)')", "keyring backend is"),
        ("print('self-test FAILED: boom'); sys.exit(1)", "exit code 1"),
        ("print('self-test passed: ok; keyring backend: Windows Credential Manager'); print('x')", "one 'self-test"),
        ("print('self-test passed: ok; keyring backend: Windows Credential Manager'); sys.stderr.write('w')", "stderr"),
    ],
)
def test_the_ci_self_test_checker(tmp_path, body, problem):
    problems = check_self_test.check(fake_program(tmp_path, body), "Windows Credential Manager", timeout=60)
    assert (problems == []) if problem is None else any(problem in p for p in problems), problems
