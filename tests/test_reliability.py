"""Reliability and security checks that are not part of the fault matrix: a crash mid-write, keyring
faults, where the embedded sandbox listens, and plain http refused for remote addresses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import keyring.errors
import pytest

from desktop_app.service import InvalidInput, PhoneNotifyClient
from desktop_app.storage.history import History
from desktop_app.storage.profile import Profile
from desktop_app.storage.secrets import KeyStore, KeyStoreError
from desktop_app.storage.settings import Settings
from tests.conftest import KEY_A, close_window, make_window
from tests.support import MemoryKeyring
from tests.test_ui import cancel_via_ui

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from desktop_app.storage.history import History
    history = History(Path(sys.argv[1]))
    i = 0
    while True:
        history.record(account="Main office", action="cancel_reference", outcome="ok", reference_id=f"r{i}",
                       inputs={"reference_id": f"r{i}", "pad": "x" * 2000}, count=i % 3, message="credited")
        i += 1
        if i == 50:
            print("writing", flush=True)
    """
)


def test_kill_9_in_the_middle_of_history_writes_leaves_a_readable_journal(tmp_path):
    path = tmp_path / "history.sqlite3"
    History(path).record(account="Main office", action="schedule", inputs={}, outcome="ok", queue_id=1)
    for round_ in range(3):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": os.getcwd()},
        )
        try:
            assert writer.stdout.readline().strip() == "writing"
            time.sleep(0.05 * (round_ + 1))
        finally:  # killed however the wait ended: a writer left running would go on forever
            writer.kill()  # SIGKILL on POSIX, TerminateProcess on Windows: no clean-up either way
            writer.wait(10)
            writer.stdout.close()
        history = History(path)
        records = history.records(limit=100_000)
        assert records[-1].action == "schedule"  # the first record is still there
        assert len(records) > 50 * (round_ + 1)
        assert all(r.outcome == "ok" and r.account == "Main office" for r in records)
        history.record(account="Main office", action="cancel_queue", inputs={}, outcome="ok", queue_id=2, count=1)
        history.close()


class LockedKeyring(MemoryKeyring):
    """As when the user declines the unlock prompt."""

    def get_password(self, service, username):
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service, username, password):
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")


class BrokenKeyring(MemoryKeyring):
    """A backend that raises on every call (a D-Bus error, say)."""

    def get_password(self, service, username):
        raise RuntimeError(f"org.freedesktop.DBus.Error.NoReply {username}")

    def set_password(self, service, username, password):
        raise keyring.errors.PasswordSetError(f"cannot store {password}")

    def delete_password(self, service, username):
        raise keyring.errors.PasswordDeleteError("the service is gone")


def test_locked_keyring_gets_a_clear_message_and_no_plaintext_fallback(tmp_path):
    store = KeyStore(LockedKeyring())
    with pytest.raises(KeyStoreError, match="keyring is locked") as error:
        store.set("Main office", KEY_A)
    assert KEY_A not in str(error.value)
    assert not store.is_session_only("Main office")  # never silently kept elsewhere
    with pytest.raises(KeyStoreError, match="Unlock it"):
        store.get("Main office")


def test_a_failing_backend_gets_a_clear_message_for_get_set_and_delete(caplog):
    store = KeyStore(BrokenKeyring())
    for action in (
        lambda: store.get("Main office"),
        lambda: store.set("Main office", KEY_A),
        lambda: store.delete("Main office"),
    ):
        with pytest.raises(KeyStoreError) as error:
            action()
        assert "keyring reported a problem" in str(error.value) and KEY_A not in str(error.value)
        assert "NoReply" not in str(error.value)  # technical text stays out of the message
    # The log says what failed and where, for whoever reads it later, but never the error's text
    # (set_password's quotes the key).
    logged = [r.getMessage() for r in caplog.records if r.name == "desktop_app.storage.secrets"]
    assert [line.split(" at ")[0] for line in logged] == [
        "keyring call failed: RuntimeError",
        "keyring call failed: PasswordSetError",
        "keyring call failed: PasswordDeleteError",
        "keyring call failed: RuntimeError",  # delete then asks whether the entry is gone: that fails too
    ]
    assert all("test_reliability.py:" in line for line in logged)
    assert not any(KEY_A in line or "NoReply" in line for line in logged)


def run_python(script: str, *args: str) -> dict:
    """Run `script` in a fresh interpreter (nothing imported yet) and return the JSON it prints last."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


CIRCLE = """
    import importlib, json, sys, threading
    sys.path.insert(0, sys.argv[1])
    errors = {}

    def load(name):
        try:
            importlib.import_module(name)
        except ImportError as error:
            errors[name] = str(error)

    threads = [threading.Thread(target=load, args=(name,)) for name in ("circle_a", "circle_b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps(errors))
"""


def test_two_threads_importing_modules_that_need_each_other_are_handed_half_run_modules(tmp_path):
    """The cause of the import failures heavy_stacks.py prevents, reproduced: each thread holds its
    module's import lock and waits for the other's; CPython breaks the deadlock by handing one thread
    the other's half-run module, and the other thread then gets a module whose import failed."""
    (tmp_path / "both_started.py").write_text("import threading\nBARRIER = threading.Barrier(2, timeout=10)\n")
    (tmp_path / "circle_a.py").write_text(
        "import both_started\nboth_started.BARRIER.wait()\nfrom circle_b import B\nA = 1\n"
    )
    (tmp_path / "circle_b.py").write_text(
        "import both_started\nboth_started.BARRIER.wait()\nfrom circle_a import A\nB = 2\n"
    )
    errors = run_python(CIRCLE, str(tmp_path))
    assert sorted(errors) == ["circle_a", "circle_b"]  # both fail, though both modules are fine
    assert any("from partially initialized module" in error for error in errors.values())


LOAD_ON_MANY_THREADS = """
    import json, sys, threading
    from desktop_app import heavy_stacks

    sys.setswitchinterval(1e-6)  # switch threads all the time: a caller that did not wait would import too
    imports = []  # (module, thread) for every module imported from here on, in order

    class Recorder:
        def find_spec(self, name, path=None, target=None):
            imports.append((name, threading.current_thread().name))

    sys.meta_path.insert(0, Recorder())
    start, problems = threading.Barrier(8), []

    def call():
        start.wait()
        try:
            heavy_stacks.load()
            for name in heavy_stacks.modules():  # every module there, and fully run, on return
                module = sys.modules[name]
                if module.__spec__._initializing:
                    problems.append(name + " is still being imported")
            sys.modules["desktop_app.service.client"].PhoneNotifyClient
            sys.modules["keyring.backends.fail"].Keyring
        except Exception as error:
            problems.append(repr(error))

    threads = [threading.Thread(target=call, name=f"caller-{i}") for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    heavy_stacks.load()  # once loaded: nothing imported again
    print(json.dumps({"problems": problems, "imports": imports, "modules": heavy_stacks.modules()}))
"""


def test_the_heavy_stacks_load_once_on_one_thread_in_a_fixed_order_while_the_other_callers_wait():
    result = run_python(LOAD_ON_MANY_THREADS)
    assert result["problems"] == []
    first_imports = [name for name, _ in result["imports"]]
    assert len(first_imports) > 300  # zeep, requests, lxml, keyring and theirs: really imported here
    assert len({thread for _, thread in result["imports"]}) == 1  # by one caller; the other seven waited
    assert [name for name in first_imports if name in result["modules"]] == result["modules"]  # in this order
    soap = first_imports.index("lxml")  # the keyring stack first, then the SOAP stack (lxml.etree first)
    assert all(not name.startswith(("zeep", "requests", "lxml", "urllib3")) for name in first_imports[:soap])
    assert all(not name.startswith("keyring") for name in first_imports[soap:])


FAIL_WHILE_ANOTHER_WAITS = """
    import importlib.machinery, json, sys, threading, time
    from desktop_app import heavy_stacks

    LAST = heavy_stacks.modules()[-1]
    started, attempts, outcomes = threading.Event(), [], {}

    class Broken:  # the last module of the stacks, broken: it fails slowly
        def find_spec(self, name, path=None, target=None):
            return importlib.machinery.ModuleSpec(name, self) if name == LAST else None

        def create_module(self, spec):
            return None

        def exec_module(self, module):
            attempts.append(threading.current_thread().name)
            started.set()
            time.sleep(1.5)
            raise ImportError("broken for good")

    sys.meta_path.insert(0, Broken())

    def call(name):
        try:
            heavy_stacks.load()
            outcomes[name] = "returned"
        except ImportError as error:
            outcomes[name] = f"ImportError: {error}"

    first = threading.Thread(target=call, args=("first",), name="first")
    second = threading.Thread(target=call, args=("second",), name="second")
    first.start()
    started.wait(60)  # the first caller is inside the broken module: everything before it is loaded
    second.start()
    first.join()
    second.join()
    print(json.dumps({"outcomes": outcomes, "attempts": attempts, "last_loaded": LAST in sys.modules}))
"""


def test_a_heavy_import_that_fails_reaches_every_caller_and_is_not_tried_again():
    """A caller that waited while another's import failed is not handed the failed module: its own
    load() tries once (from the start) and fails the same way. Each load() tries each module once."""
    result = run_python(FAIL_WHILE_ANOTHER_WAITS)
    assert result["outcomes"] == {"first": "ImportError: broken for good", "second": "ImportError: broken for good"}
    assert result["attempts"] == ["first", "second"]
    assert not result["last_loaded"]


def test_the_keyring_backends_the_app_may_choose_are_loaded_with_the_stacks():
    from desktop_app import heavy_stacks
    from desktop_app.storage.keyring_choice import PLATFORM_BACKENDS

    for platform in ("win32", "darwin", "linux", "freebsd14"):
        chosen = PLATFORM_BACKENDS.get(platform, PLATFORM_BACKENDS["linux"])
        assert {path.rpartition(".")[0] for path in chosen} <= set(heavy_stacks.modules(platform))


def test_locked_keyring_in_the_window_keeps_the_app_usable(qtbot, tmp_path, app_sandbox):
    window = make_window(qtbot, tmp_path, app_sandbox, LockedKeyring())
    window.controller.settings.accounts = ["Main office"]
    window.controller.accounts.refresh()
    text = cancel_via_ui(qtbot, window, "locked")
    assert "License key unavailable" in text and "keyring is locked" in text
    assert window.cancel_page.cancel_button.isEnabled()
    record = window.controller.desk.history.records()[0]
    assert record.outcome == "error" and "locked" in record.message
    window.close()
    window.controller.context.history.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the bound sockets from /proc")
def test_the_apps_own_sandbox_listens_on_loopback_only(qtbot, tmp_path, memory_keyring):
    """`--sandbox` as the app starts it: after the first paint, in its own process, bound to 127.0.0.1."""
    import socket

    from desktop_app.ui.controller import AppContext, AppController
    from desktop_app.ui.main_window import MainWindow
    from tests.support import listening_addresses

    profile = Profile.isolated(tmp_path / "p").ensure()
    context = AppContext(
        profile, Settings(), KeyStore(memory_keyring), History(profile.history_file), start_sandbox=True
    )
    window = MainWindow(AppController(context))
    qtbot.addWidget(window)
    assert context.sandbox is None  # not started before the first paint
    window.show()
    qtbot.waitUntil(lambda: context.sandbox is not None, timeout=10_000)
    try:
        child = context.sandbox.process.pid
        assert child != os.getpid()
        (address,) = listening_addresses(child)  # read from the child's own bound socket
        host, port = address
        assert host == "127.0.0.1"  # not 0.0.0.0: no other interface can reach it
        assert window.controller.connection.service_url == f"http://127.0.0.1:{port}/NotifyWS/PhoneNotify.asmx"
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass  # and it answers there
    finally:
        close_window(window)
        context.sandbox.stop()


def sandbox_mode_controller(tmp_path, memory_keyring, source):
    """A controller in sandbox mode whose sandbox comes from `source` once `start()` is called."""
    from desktop_app.ui.controller import AppContext, AppController

    profile = Profile.isolated(tmp_path / "p").ensure()
    keys = KeyStore(memory_keyring)
    keys.set("Main office", KEY_A)
    settings = Settings(accounts=["Main office"], default_account="Main office")
    history = History(profile.history_file)
    context = AppContext(profile, settings, keys, history, start_sandbox=True, sandbox_source=source)
    return AppController(context)


def test_in_sandbox_mode_nothing_is_sent_anywhere_while_the_sandbox_starts(
    qtbot, tmp_path, memory_keyring, app_sandbox
):
    """Before the sandbox answers, a request is refused in plain words: it never falls back to the
    real service's address (which the settings still hold). The watch list holds its round back
    and runs it once the sandbox is there."""
    from desktop_app.service import CannotReachServer

    controller = sandbox_mode_controller(tmp_path, memory_keyring, source=lambda: app_sandbox)
    booked = {"phone_number": "7575550100", "scheduled_utc": "2026-11-30T09:00:00Z"}
    controller.context.history.record(
        account="Main office", action="schedule", inputs=booked, outcome="ok", reference_id="r1", queue_id=4093250
    )
    try:
        assert (
            controller.connection.sandbox_mode and controller.connection.service_url == ""
        )  # not started: no first paint
        with pytest.raises(CannotReachServer, match="The sandbox is still starting"):
            controller.desk.cancel_by_reference_id("Main office", "notify1")
        refused = controller.context.history.records()[0]
        assert refused.outcome == "error" and "still starting" in refused.message  # recorded, not lost
        watcher = controller.watcher
        qtbot.waitUntil(lambda: watcher.loaded and bool(watcher.pending()))
        assert watcher.paused and watcher.state_text() == "The sandbox is starting: checking begins when it is ready."
        assert sum(app_sandbox.operations.values()) == 0  # nothing reached any server
        controller.start()
        qtbot.waitUntil(lambda: app_sandbox.operations["GetMultipleQueueIdStatus"] == 1)  # the held round
        assert not watcher.paused
    finally:
        controller.shutdown()


def test_a_sandbox_that_cannot_start_is_named_in_every_refusal_and_in_the_watch_list(qtbot, tmp_path, memory_keyring):
    from desktop_app.service import CannotReachServer

    def cannot_start():
        raise OSError("no free loopback port")

    controller = sandbox_mode_controller(tmp_path, memory_keyring, source=cannot_start)
    failures: list[str] = []
    controller.connection.sandboxFailed.connect(failures.append)
    try:
        watcher = controller.watcher
        controller.start()
        qtbot.waitUntil(lambda: bool(failures) and watcher.loaded)
        with pytest.raises(CannotReachServer, match="The sandbox could not start: no free loopback port"):
            controller.desk.cancel_by_reference_id("Main office", "notify1")
        assert watcher.state_text() == "The sandbox could not start: no free loopback port"
    finally:
        controller.shutdown()


@pytest.mark.parametrize(
    "url",
    [
        "http://ws.esendex.us/NotifyWS/PhoneNotify.asmx",
        "http://10.1.2.3/x",
        "http://[2001:db8::1]/x",
        "ftp://127.0.0.1/x",
        "https://",
        "javascript:alert(1)",
    ],
)
def test_remote_endpoints_must_use_https(url):
    with pytest.raises(InvalidInput):
        PhoneNotifyClient(url)
