"""Checks of the installed Windows program, made on Windows by a Windows CPython with the project's
packages (keyring and pywin32-ctypes): by `./dev windows` under Wine (packaging/windows/wine.sh)
and by the hosted Windows job (.github/workflows/build-installers.yml), so both check the same.
Each subcommand prints what it found and exits 1 with the reasons when something is wrong.

    self-test PROGRAM          the CI self-test check (packaging/ci/check_self_test.py), run twice,
                               while a second process watches Windows Credential Manager: each
                               run's key must be found there by that process (so it is in the
                               Credential Manager, not in the program's memory) and be gone once
                               the run ends (its clean-up); the second run must not find the first
                               run's account (it did not outlive its clean-up)
    installed VERSION SITE     what setup registered (Uninstall key: version, folder), the
                               administrator's site file in ProgramData, the same as SITE
    record PROGRAM STATE       the user data an older version leaves: its self-test's profile (kept
                               with --profile), that profile's settings and history in the real
                               %APPDATA% and %LOCALAPPDATA% folders, a license key in Credential
                               Manager; fingerprints saved to STATE (JSON)
    upgraded PROGRAM STATE     after installing a newer version over it: all of that unchanged, and
                               the newer program's self-test opens the older history and adds to it
    uninstalled PROGRAM STATE  after the silent uninstall: the program gone; the site file, the user
                               data and the key left in place (as the uninstaller says); then the
                               key this check stored is removed
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
import winreg
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "ci"))
import check_self_test  # noqa: E402  (the check the hosted Windows job runs)

SERVICE = "VoiceBroadcastDesk"  # desktop_app/storage/secrets.py SERVICE_NAME
KEYRING = "Windows Credential Manager"
APP_ID = "{6F1C3A52-7C0E-4C53-9A0B-2E5D7B8C1F40}"  # VoiceBroadcastDesk.iss AppId
UNINSTALL_KEY = rf"Software\Microsoft\Windows\CurrentVersion\Uninstall\{APP_ID}_is1"
SITE_FILE = Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "VoiceBroadcastDesk" / "site-settings.json"
USER_SETTINGS = Path(os.environ["APPDATA"]) / "VoiceBroadcastDesk" / "settings.json"
USER_HISTORY = Path(os.environ["LOCALAPPDATA"]) / "VoiceBroadcastDesk" / "history.sqlite3"
UPGRADE_ACCOUNT = "Upgrade check"  # the key an older version leaves in Credential Manager
SELF_TEST_ATTEMPTS = 3  # see self_test_seen_from_outside
ERROR_NOT_FOUND = 1168
ERROR_KEY_DELETED = 1018  # Wine: a credential removed while they are listed or read


class Problems(list):
    def check(self, ok: object, problem: str) -> None:
        if not ok:
            self.append(problem)

    def report(self, done: str) -> int:
        for problem in self:
            print(f"FAIL: {problem}", file=sys.stderr, flush=True)
        if not self:
            print(done, flush=True)
        return 1 if self else 0


# -- Credential Manager ------------------------------------------------------------------------------


def keyring_backend():
    from keyring.backends.Windows import WinVaultKeyring  # the backend the app bundles

    return WinVaultKeyring()


def app_credentials() -> set[tuple[str, str]]:
    """(target, user name) of every generic credential under the app's service name."""
    from win32ctypes.pywin32 import pywintypes, win32cred

    for _ in range(100):
        try:
            found = win32cred.CredEnumerate(None, 0)
        except pywintypes.error as error:
            if error.winerror == ERROR_NOT_FOUND:  # there are none
                return set()
            if error.winerror == ERROR_KEY_DELETED:  # one went while Wine listed them: list again
                continue
            raise
        except IndexError:  # Wine answered "0 credentials" with success (the last one had just gone),
            return set()  # and win32ctypes read the first of none (seen in a fresh-clone CI run)
        return {
            (c["TargetName"], c["UserName"])
            for c in found
            if c["TargetName"] == SERVICE or c["TargetName"].endswith(f"@{SERVICE}")
        }
    raise RuntimeError("Credential Manager kept changing while it was listed")


def password(backend, user: str) -> str | None:
    """The key stored for `user`, or None (also when it is being removed as it is read)."""
    from win32ctypes.pywin32 import pywintypes

    try:
        return backend.get_password(SERVICE, user)
    except pywintypes.error as error:
        if error.winerror in (ERROR_NOT_FOUND, ERROR_KEY_DELETED):
            return None
        raise


def self_test_seen_from_outside(program: str) -> tuple[list[str], str]:
    """Run the CI self-test check on `program` with a key chosen here, and watch Credential Manager
    from this process meanwhile. Returns (problems, the self-test account whose key was found)."""
    key = str(uuid.uuid4())
    os.environ[check_self_test_key_variable()] = key
    before = app_credentials()
    result: list[list[str]] = []
    runner = threading.Thread(target=lambda: result.append(check_self_test.check([program], KEYRING)))
    runner.start()
    backend, found = keyring_backend(), ""
    while runner.is_alive():
        for _target, user in app_credentials() - before:
            if user.startswith("self-test-") and not found and password(backend, user) == key:
                found = user
        time.sleep(0.005)
    runner.join()
    del os.environ[check_self_test_key_variable()]
    problems = list(result[0])
    left = app_credentials() - before
    if left:
        problems.append(f"the self-test left credentials behind: {sorted(left)}")
    if found and any(user == found for _target, user in left):
        problems.append(f"the self-test's key ({found}) is still in Credential Manager after its clean-up")
    return problems, found


def check_self_test_key_variable() -> str:
    return "VOICE_BROADCAST_SELFTEST_KEY"  # desktop_app/selftest.py SELFTEST_KEY_VARIABLE


def watched_run(program: str, run: int) -> tuple[list[str], str]:
    """One run of the self-test, watched until the watcher catches its key (see self_test)."""
    for attempt in range(1, SELF_TEST_ATTEMPTS + 1):
        problems, found = self_test_seen_from_outside(program)
        if problems or found:
            return problems, found
        print(f"run {run}, attempt {attempt}: the self-test passed but the watcher did not catch its key", flush=True)
    return [f"run {run}: no second process found the self-test's key in {SELF_TEST_ATTEMPTS} tries"], ""


def self_test(program: str) -> int:
    """Two runs of the installed program's self-test. In each, the key lives about 0.2 s (between
    the self-test storing it and its clean-up); a watcher that misses it, though the self-test
    passed and left nothing behind, tries again (the count is shown): a key kept only in the
    program's memory is never found, however often it is tried. The self-test stores its key under
    a new throwaway account each run and removes it before it exits, so no run can find an
    earlier run's key: what the second run shows is that the first run's account is gone from
    Credential Manager (not merely hidden from the process that stored it) and that the second
    run stores and removes its own in the same way."""
    accounts: list[str] = []
    for run in (1, 2):
        problems, found = watched_run(program, run)
        if problems:
            return Problems(problems).report("")
        print(
            f"run {run}: a second process found the self-test's key in Credential Manager (account {found}, "
            f"service {SERVICE}) while it ran; the self-test's clean-up removed it",
            flush=True,
        )
        accounts.append(found)
        left = {user for _target, user in app_credentials()} & set(accounts)
        if left:
            return Problems([f"after run {run}: {sorted(left)} still in Credential Manager"]).report("")
    problems = Problems()
    problems.check(accounts[0] != accounts[1], f"both runs used the account {accounts[0]}")
    return problems.report(
        f"Credential Manager over two runs: each run's key was found by another process and removed by the "
        f"self-test's clean-up ({accounts[0]}, then {accounts[1]}); none left"
    )


# -- what setup registered ----------------------------------------------------------------------------


def registered() -> dict[str, str]:
    """The Uninstall entry setup wrote (64-bit view; {} when there is none)."""
    values = {}
    try:
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, UNINSTALL_KEY, 0, winreg.KEY_READ | winreg.KEY_WOW64_64KEY) as k:
            for name in ("DisplayVersion", "InstallLocation", "DisplayName", "UninstallString"):
                values[name] = str(winreg.QueryValueEx(k, name)[0])
    except FileNotFoundError:
        return {}
    return values


def installed(version: str, site_source: str) -> int:
    problems = Problems()
    entry = registered()
    print(f"Uninstall entry: {entry}", flush=True)
    problems.check(entry.get("DisplayVersion") == version, f"setup registered version {entry.get('DisplayVersion')}")
    location = Path(entry.get("InstallLocation", "")) / "VoiceBroadcastDesk.exe"
    problems.check(location.is_file(), f"no program at {location}")
    problems.check(
        SITE_FILE.is_file() and SITE_FILE.read_bytes() == Path(site_source).read_bytes(),
        f"{SITE_FILE} is not the /SETTINGS file",
    )
    return problems.report(f"installed version {version} in {location.parent}; site file {SITE_FILE}")


# -- upgrades ------------------------------------------------------------------------------------------


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def history_facts(path: Path) -> dict:
    """What a history holds, read with the Windows CPython's own sqlite3 (read-only)."""
    connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        rows = connection.execute(
            "SELECT id, action, reference_id, queue_id, count FROM records ORDER BY id"
        ).fetchall()
    finally:
        connection.close()
    return {"format": version, "records": [list(row) for row in rows]}


def run_program(program: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [program, *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=check_self_test.TIMEOUT_SECONDS,
    )


def record(program: str, state_file: Path) -> int:
    problems = Problems()
    profile = Path(os.environ["LOCALAPPDATA"]) / "vbd-upgrade-profile"
    shutil.rmtree(profile, ignore_errors=True)
    result = run_program(program, "--self-test", "--profile", str(profile))
    print(f"older version's self-test (profile kept in {profile}): exit {result.returncode}: {result.stdout.strip()}")
    problems.check(result.returncode == 0 and not result.stderr.strip(), f"the self-test failed: {result.stderr}")
    history = profile / "data" / "history.sqlite3"
    settings = profile / "config" / "settings.json"
    problems.check(history.is_file() and settings.is_file(), "the self-test left no history or settings")
    if problems:
        return problems.report("")
    # The same files in the folders the installed app uses for its user (Profile.default on Windows).
    for source, target in ((settings, USER_SETTINGS), (history, USER_HISTORY)):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    key = str(uuid.uuid4())
    keyring_backend().set_password(SERVICE, UPGRADE_ACCOUNT, key)
    state = {
        "profile": str(profile),
        "history": history_facts(history),
        "fingerprints": {str(p): fingerprint(p) for p in (USER_SETTINGS, USER_HISTORY, SITE_FILE)},
        "profile_fingerprints": {str(p): fingerprint(p) for p in (settings, history)},
        "key": key,
        "registered": registered(),
    }
    state_file.write_text(json.dumps(state, indent=1), encoding="utf-8")
    return problems.report(
        f"recorded: {len(state['history']['records'])} history records (format {state['history']['format']}), "
        f"settings and history in {USER_SETTINGS.parent} and {USER_HISTORY.parent}, the site file, "
        f"a key for '{UPGRADE_ACCOUNT}' in Credential Manager"
    )


def kept(state: dict, problems: Problems, when: str) -> None:
    """The user data, the site file and the key are as the older version left them."""
    for path, digest in state["fingerprints"].items():
        problems.check(fingerprint(Path(path)) == digest, f"{when}: {path} changed or disappeared")
    problems.check(
        keyring_backend().get_password(SERVICE, UPGRADE_ACCOUNT) == state["key"],
        f"{when}: the key for '{UPGRADE_ACCOUNT}' is no longer in Credential Manager",
    )


def upgraded(program: str, state_file: Path, version: str) -> int:
    state = json.loads(state_file.read_text(encoding="utf-8"))
    problems = Problems()
    entry = registered()
    problems.check(entry.get("DisplayVersion") == version, f"setup registered version {entry.get('DisplayVersion')}")
    problems.check(
        entry.get("InstallLocation") == state["registered"].get("InstallLocation"), "installed into another folder"
    )
    kept(state, problems, "after the upgrade")
    for path, digest in state["profile_fingerprints"].items():
        problems.check(fingerprint(Path(path)) == digest, f"after the upgrade: {path} changed or disappeared")
    # The newer program opens the older program's history and adds its own records to it.
    result = run_program(program, "--self-test", "--profile", state["profile"])
    print(f"newer version's self-test on the older profile: exit {result.returncode}: {result.stdout.strip()}")
    problems.check(result.returncode == 0 and not result.stderr.strip(), f"the self-test failed: {result.stderr}")
    before = state["history"]["records"]
    after = history_facts(Path(state["profile"]) / "data" / "history.sqlite3")
    problems.check(after["records"][: len(before)] == before, "the older history's records changed")
    problems.check(len(after["records"]) > len(before), "the newer program added nothing to the older history")
    return problems.report(
        f"upgraded to {version} in place: user settings, history, site file and key unchanged; the newer program "
        f"opened the older history ({len(before)} records, format {state['history']['format']}) and added "
        f"{len(after['records']) - len(before)} (format {after['format']})"
    )


def uninstalled(program: str, state_file: Path) -> int:
    state = json.loads(state_file.read_text(encoding="utf-8"))
    problems = Problems()
    for _ in range(60):  # the uninstaller runs on from a copy of itself in %TEMP%
        if not Path(program).exists() and not registered():
            break
        time.sleep(1)
    problems.check(not Path(program).exists(), f"{program} is still there")
    problems.check(not registered(), "the Uninstall entry is still there")
    kept(state, problems, "after uninstalling")
    backend = keyring_backend()
    backend.delete_password(SERVICE, UPGRADE_ACCOUNT)  # the check's own key: remove it
    problems.check(not backend.get_password(SERVICE, UPGRADE_ACCOUNT), "the check's key could not be removed")
    problems.check(not app_credentials(), f"credentials left in Credential Manager: {sorted(app_credentials())}")
    return problems.report(
        "uninstalled: the program and its Uninstall entry are gone; the site file, the user's settings and "
        "history and the key in Credential Manager were kept (the check then removed its key)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("self-test").add_argument("program")
    command = commands.add_parser("installed")
    command.add_argument("version")
    command.add_argument("site_source")
    for name in ("record", "uninstalled"):
        command = commands.add_parser(name)
        command.add_argument("program")
        command.add_argument("state", type=Path)
    command = commands.add_parser("upgraded")
    command.add_argument("program")
    command.add_argument("state", type=Path)
    command.add_argument("version")
    args = parser.parse_args(argv)
    if args.command == "self-test":
        return self_test(args.program)
    if args.command == "installed":
        return installed(args.version, args.site_source)
    if args.command == "record":
        return record(args.program, args.state)
    if args.command == "upgraded":
        return upgraded(args.program, args.state, args.version)
    return uninstalled(args.program, args.state)


if __name__ == "__main__":
    sys.exit(main())
