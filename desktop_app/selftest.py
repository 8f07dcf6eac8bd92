"""`--self-test [--endpoint URL]`: an end-to-end check through the real UI code path.

It connects as the app does: the user's own settings over the administrator's site file (the
service address, proxy, PAC file, certificate file, timeout), so on a company network it checks
what staff will meet. Everything else is a throwaway profile (never the user's history, accounts or
keyring entries), then:
1. stores a key (in the system keyring under a throwaway account when one is available, else in
   memory); 2. schedules a call for tomorrow with a fresh reference ID through the Schedule page;
3. cancels it by reference ID through the Cancel page, on the worker; 4. checks the count is 1 and
that the history row exists; 5. removes the throwaway key and profile.
It prints one summary line, ending with the connection it used (endpoint, proxy mode and route,
certificate source; never a secret), and exits 0, or exits 1 with the reason.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Future

    from PySide6.QtCore import QCoreApplication

    from .local_sandbox import SandboxProcess
    from .storage.history import History
    from .storage.secrets import KeyStore, StoreInfo
    from .storage.settings import Settings
    from .ui.controller import AppController
    from .ui.main_window import MainWindow
    from .ui.pages.cancel import CancelPage
    from .ui.pages.schedule import SchedulePage

SELFTEST_KEY_VARIABLE = "VOICE_BROADCAST_SELFTEST_KEY"
STEP_TIMEOUT_MS = 60_000
# What the self-test takes from the user's settings and the site file: how to connect, nothing else.
CONNECTION_FIELDS = frozenset(
    {"timeout_seconds", "ca_bundle", "use_system_proxy", "proxy", "proxy_pac_url", "proxy_username"}
)


def run_self_test(endpoint: str | None, profile_dir: Path | None = None, sandbox_namespace: str = "esendex") -> int:
    """With `profile_dir`, the profile is kept there (for inspection); otherwise a temporary one
    is removed at the end."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    root = profile_dir or Path(tempfile.mkdtemp(prefix="vbd-selftest-"))
    try:
        summary = _run(endpoint, root, sandbox_namespace, None if profile_dir else _user_settings_file())
    except SelfTestFailed as failure:
        print(f"self-test FAILED: {failure}", flush=True)
        return 1
    finally:
        if profile_dir is None:
            shutil.rmtree(root, ignore_errors=True)
    print(summary, flush=True)
    return 0


def _user_settings_file() -> Path:
    from .storage.profile import Profile

    return Profile.default().settings_file


class SelfTestFailed(Exception):
    pass


def _wait_for(app: QCoreApplication, condition: Callable[[], object], what: str) -> None:
    from PySide6.QtCore import QDeadlineTimer, QEventLoop

    deadline = QDeadlineTimer(STEP_TIMEOUT_MS)
    while not condition():
        if deadline.hasExpired():
            raise SelfTestFailed(f"timed out waiting for {what}")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def _checked_key(endpoint: str | None) -> str:
    """The license key to use; bad input fails here, before any thread or process is started."""
    from .service import InvalidInput
    from .service import validation as check

    raw_key = os.environ.get(SELFTEST_KEY_VARIABLE) or str(uuid.uuid4())
    try:
        key = check.license_key(raw_key)
    except InvalidInput as error:
        raise SelfTestFailed(f"{SELFTEST_KEY_VARIABLE} is not a license key: {error}") from None
    if endpoint:
        try:
            check.endpoint(endpoint)
        except InvalidInput as error:
            raise SelfTestFailed(str(error)) from None
    return key


def _warm_up(
    keys: KeyStore, sandbox: tuple[str, Path] | None
) -> tuple[Future[SandboxProcess] | None, Future[StoreInfo]]:
    """The sandbox's own process (`sandbox`: its namespace and log file), the heavy stacks' import
    and the keyring look-up take a while and mostly do not need the GIL the window needs: start
    them beside it, as the app does after its first paint. Two threads: one starts the sandbox;
    the other loads the keyring and SOAP stacks (heavy_stacks.py: once, on that thread), then
    looks up the keyring. The calling thread imports neither."""
    from concurrent.futures import ThreadPoolExecutor

    from .local_sandbox import SandboxProcess

    warm_up = ThreadPoolExecutor(2, thread_name_prefix="vbd-selftest")
    starting = None if sandbox is None else warm_up.submit(SandboxProcess.start, *sandbox)
    store_info = warm_up.submit(_load_stacks_then_look_up, keys)
    warm_up.shutdown(wait=False)
    return starting, store_info


def _load_stacks_then_look_up(keys: KeyStore) -> StoreInfo:
    from . import heavy_stacks

    heavy_stacks.load()
    return keys.info()


def connection_settings(endpoint: str | None, user_settings_file: Path) -> Settings:
    """The user's settings over the site file's, as the app reads them, keeping only how to
    connect (CONNECTION_FIELDS) and the endpoint under test ("" for the built-in sandbox)."""
    from .storage.settings import Settings
    from .storage.site_config import site_config_path

    loaded = Settings.load(user_settings_file, site_file=site_config_path())
    settings = Settings(endpoint=endpoint or "")
    for name in CONNECTION_FIELDS:
        setattr(settings, name, getattr(loaded, name))
    settings.locked = loaded.locked & CONNECTION_FIELDS
    settings.site_values = {k: v for k, v in loaded.site_values.items() if k in CONNECTION_FIELDS}
    settings.site_problem = loaded.site_problem
    settings.check_certificate_file()
    return settings


def _run(endpoint: str | None, root: Path, sandbox_namespace: str, user_settings: Path | None = None) -> str:
    """`user_settings`: the user's settings file to connect with (None: the profile's own)."""
    from .storage.secrets import KeyStore

    key = _checked_key(endpoint)
    keys = KeyStore()
    root.mkdir(parents=True, exist_ok=True)
    starting, store_info = _warm_up(keys, None if endpoint else (sandbox_namespace, root / "sandbox.log"))

    from PySide6.QtWidgets import QApplication  # (the window's imports, beside the warm-up)

    from .logging_setup import route_qt_messages, setup_logging
    from .storage.history import History
    from .storage.profile import Profile
    from .ui.controller import AppContext, AppController
    from .ui.gc_guard import collect_garbage_on_the_gui_thread
    from .ui.main_window import MainWindow

    profile = Profile.isolated(root).ensure()
    handler = setup_logging(profile.log_file)
    route_qt_messages()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    settings = connection_settings(endpoint, profile.settings_file if user_settings is None else user_settings)
    account = f"self-test-{uuid.uuid4().hex[:8]}"
    history = History(profile.history_file)
    sandbox_source = starting.result if starting is not None else None
    context = AppContext(
        profile, settings, keys, history, start_sandbox=starting is not None, sandbox_source=sandbox_source
    )
    collect_garbage_on_the_gui_thread()  # as app.main does
    controller = AppController(context)
    sandbox_problem: list[str] = []
    controller.connection.sandboxFailed.connect(sandbox_problem.append)
    window = MainWindow(controller, everything=False)
    try:
        # The window is shown and the schedule form filled while the keyring and the sandbox start.
        window.show()
        reference_id = _fill_schedule_form(window.page("schedule"))
        stored_in = _store_key(app, store_info, keys, account, key)  # 1.
        controller.accounts.add(account)
        if starting is not None:
            _wait_for_sandbox(app, controller, sandbox_problem)
        queue_id = _schedule(app, window.page("schedule"))  # 2.
        _cancel(app, window.page("cancel"), reference_id)  # 3.
        _check_recorded(history, reference_id)  # 4.
        connection = _connection_used(app, controller)
    finally:  # 5. clean up
        _close(window, controller, history, account)
        if starting is not None and starting.done() and starting.exception() is None:
            starting.result().stop()  # (one still starting ends with this process: its pipe closes)
        logging.getLogger().removeHandler(handler)
        handler.close()
    target = f"the built-in sandbox ({sandbox_namespace} namespace)" if starting is not None else endpoint
    return (
        f"self-test passed: scheduled QueueID {queue_id} and cancelled 1 call by reference ID against {target}; "
        f"keyring backend: {stored_in}; connection: {connection}"
    )


def _connection_used(app: QCoreApplication, controller: AppController) -> str:
    """The endpoint, proxy mode and route, and certificate source the requests used (found on a
    worker, as the app does: a PAC file may have to be downloaded). Never a secret."""
    answer: list[str] = []
    controller.connection.describe(answer.append, lambda error: answer.append(f"not described ({error})"))
    _wait_for(app, lambda: answer, "the connection's description")
    return answer[0]


def _fill_schedule_form(page: SchedulePage) -> str:
    """A call for tomorrow with a fresh reference ID (returned)."""
    from datetime import datetime, timedelta

    from PySide6.QtCore import QDateTime

    page.phone.setText("757-555-0100")
    page.text.setPlainText("This is a Voice Broadcast Desk self-test call.")
    page.when.setDateTime(QDateTime.fromSecsSinceEpoch(int((datetime.now() + timedelta(days=1)).timestamp())))
    reference_id = f"selftest-{uuid.uuid4().hex[:12]}"
    page.reference.setText(reference_id)
    return reference_id


def _store_key(app: QCoreApplication, store_info: Future[StoreInfo], keys: KeyStore, account: str, key: str) -> str:
    """1. Store the key: in the keyring when there is a secure one, else in memory. Returns where."""
    from .storage.secrets import KeyStoreError

    _wait_for(app, store_info.done, "the keyring")
    try:
        info = store_info.result()
        if info.secure:
            keys.set(account, key)
        else:
            keys.keep_for_session(account, key)
    except KeyStoreError as error:
        raise SelfTestFailed(f"could not store the key: {error}") from None
    return info.name if info.secure else "memory (no secure keyring)"


def _schedule(app: QCoreApplication, page: SchedulePage) -> int:
    """2. Schedule the call the form holds; its QueueID."""
    page.schedule_button.click()
    _wait_for(app, lambda: page.result.kind is not None, "the schedule result")
    if page.last is None or not page.last.booked:
        raise SelfTestFailed(f"scheduling failed: {page.result.headline.text()} {page.result.body.text()}")
    return page.last.queue_id


def _cancel(app: QCoreApplication, page: CancelPage, reference_id: str) -> None:
    """3. Cancel by reference ID on the worker, confirming like a user would; one call cancelled."""
    from PySide6.QtWidgets import QMessageBox

    page.reference.setText(reference_id)
    page.cancel_button.click()  # the page first asks the history what this desk booked
    _wait_for(app, lambda: page.findChild(QMessageBox) is not None, "the cancel confirmation")
    box = page.findChild(QMessageBox)
    if box is None:
        raise SelfTestFailed("the cancel confirmation did not appear")
    box.buttons()[0].click()
    _wait_for(app, lambda: page.result.kind is not None, "the cancel result")
    if page.result.headline.text() != "1 call cancelled":
        raise SelfTestFailed(f"cancel answered: {page.result.headline.text()} {page.result.body.text()}")


def _check_recorded(history: History, reference_id: str) -> None:
    """4. The history holds the cancel, with its count of 1."""
    rows = [r for r in history.records() if r.action == "cancel_reference" and r.reference_id == reference_id]
    if not rows or rows[0].count != 1:
        raise SelfTestFailed("the cancel was not recorded in the history")


def _wait_for_sandbox(app: QCoreApplication, controller: AppController, problem: list[str]) -> None:
    _wait_for(app, lambda: controller.connection.sandbox is not None or problem, "the built-in sandbox")
    if problem:
        raise SelfTestFailed(f"the built-in sandbox did not start: {problem[0]}")


def _close(window: MainWindow, controller: AppController, history: History, account: str) -> None:
    """The window, its workers, the desk, the throwaway key and the history."""
    from .storage.secrets import KeyStoreError

    window.close()
    controller.executor.wait(controller.context.settings.timeout_seconds)
    controller.desk.close()
    with contextlib.suppress(KeyStoreError):
        controller.context.keys.delete(account)
    history.close()
