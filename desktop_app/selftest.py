"""`--self-test [--endpoint URL]`: an end-to-end check through the real UI code path.

It uses a throwaway profile (never the user's settings, history or keyring entries), then:
1. stores a key (in the system keyring under a throwaway account when one is available, else in
   memory); 2. schedules a call for tomorrow with a fresh reference ID through the Schedule page;
3. cancels it by reference ID through the Cancel page, on the worker; 4. checks the count is 1 and
that the history row exists; 5. removes the throwaway key and profile.
It prints one summary line and exits 0, or exits 1 with the reason.
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
    from .storage.secrets import KeyStore, StoreInfo

SELFTEST_KEY_VARIABLE = "VOICE_BROADCAST_SELFTEST_KEY"
STEP_TIMEOUT_MS = 60_000


def run_self_test(endpoint: str | None, profile_dir: Path | None = None, sandbox_namespace: str = "esendex") -> int:
    """With `profile_dir`, the profile is kept there (for inspection); otherwise a temporary one
    is removed at the end."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    root = profile_dir or Path(tempfile.mkdtemp(prefix="vbd-selftest-"))
    try:
        summary = _run(endpoint, root, sandbox_namespace)
    except SelfTestFailed as failure:
        print(f"self-test FAILED: {failure}", flush=True)
        return 1
    finally:
        if profile_dir is None:
            shutil.rmtree(root, ignore_errors=True)
    print(summary, flush=True)
    return 0


class SelfTestFailed(Exception):
    pass


def _wait_for(app, condition, what: str) -> None:
    from PySide6.QtCore import QDeadlineTimer, QEventLoop

    deadline = QDeadlineTimer(STEP_TIMEOUT_MS)
    while not condition():
        if deadline.hasExpired():
            raise SelfTestFailed(f"timed out waiting for {what}")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def _load_stacks_then_look_up(keys: KeyStore) -> StoreInfo:
    from . import heavy_stacks

    heavy_stacks.load()
    return keys.info()


def _run(endpoint: str | None, root: Path, sandbox_namespace: str) -> str:
    from concurrent.futures import ThreadPoolExecutor
    from datetime import datetime, timedelta

    from .local_sandbox import SandboxProcess
    from .service import InvalidInput
    from .service import validation as check
    from .storage.secrets import KeyStore, KeyStoreError

    # Bad input fails here, before any thread or process is started.
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

    # The sandbox's own process, the heavy stacks' import and the keyring look-up take a while and
    # mostly do not need the GIL the window needs: start them beside it, as the app does after its
    # first paint. Two threads: one starts the sandbox; the other loads the keyring and SOAP stacks
    # (heavy_stacks.py: once, on that thread), then looks up the keyring. This thread imports neither.
    keys = KeyStore()
    warm_up = ThreadPoolExecutor(2, thread_name_prefix="vbd-selftest")
    root.mkdir(parents=True, exist_ok=True)
    starting = None if endpoint else warm_up.submit(SandboxProcess.start, sandbox_namespace, root / "sandbox.log")
    store_info = warm_up.submit(_load_stacks_then_look_up, keys)
    warm_up.shutdown(wait=False)

    from PySide6.QtCore import QDateTime
    from PySide6.QtWidgets import QApplication, QMessageBox

    from .logging_setup import route_qt_messages, setup_logging
    from .storage.history import History
    from .storage.profile import Profile
    from .storage.settings import Settings
    from .ui.controller import AppContext, AppController
    from .ui.gc_guard import collect_garbage_on_the_gui_thread
    from .ui.main_window import MainWindow

    profile = Profile.isolated(root).ensure()
    handler = setup_logging(profile.log_file)
    route_qt_messages()

    app = QApplication.instance() or QApplication(sys.argv[:1])
    settings = Settings(endpoint=endpoint or "", timeout_seconds=30)
    account = f"self-test-{uuid.uuid4().hex[:8]}"
    history = History(profile.history_file)
    context = AppContext(
        profile,
        settings,
        keys,
        history,
        start_sandbox=starting is not None,
        sandbox_source=starting and starting.result,
    )
    collect_garbage_on_the_gui_thread()  # as app.main does
    controller = AppController(context)
    sandbox_problem: list[str] = []
    controller.connection.sandboxFailed.connect(sandbox_problem.append)
    window = MainWindow(controller, everything=False)
    try:
        # The window is shown and the schedule form filled while the keyring and the sandbox start.
        window.show()
        page = window.page("schedule")
        page.phone.setText("757-555-0100")
        page.text.setPlainText("This is a Voice Broadcast Desk self-test call.")
        page.when.setDateTime(QDateTime.fromSecsSinceEpoch(int((datetime.now() + timedelta(days=1)).timestamp())))
        reference_id = f"selftest-{uuid.uuid4().hex[:12]}"
        page.reference.setText(reference_id)

        # 1. store a key
        _wait_for(app, store_info.done, "the keyring")
        try:
            info = store_info.result()
            stored_in = info.name if info.secure else "memory (no secure keyring)"
            keys.set(account, key) if info.secure else keys.keep_for_session(account, key)
        except KeyStoreError as error:
            raise SelfTestFailed(f"could not store the key: {error}") from None
        controller.accounts.add(account)
        if starting is not None:
            _wait_for(app, lambda: controller.connection.sandbox is not None or sandbox_problem, "the built-in sandbox")
            if sandbox_problem:
                raise SelfTestFailed(f"the built-in sandbox did not start: {sandbox_problem[0]}")

        # 2. schedule a call for tomorrow with a fresh reference ID
        page.schedule_button.click()
        _wait_for(app, lambda: page.result.kind is not None, "the schedule result")
        if page.last is None or not page.last.booked:
            raise SelfTestFailed(f"scheduling failed: {page.result.headline.text()} {page.result.body.text()}")
        queue_id = page.last.queue_id

        # 3. cancel it by reference ID on the worker, confirming like a user would
        cancel = window.page("cancel")
        cancel.reference.setText(reference_id)
        cancel.cancel_button.click()
        box = cancel.findChild(QMessageBox)
        if box is None:
            raise SelfTestFailed("the cancel confirmation did not appear")
        box.buttons()[0].click()
        _wait_for(app, lambda: cancel.result.kind is not None, "the cancel result")

        # 4. the count is 1 and the history row exists
        if cancel.result.headline.text() != "1 call cancelled":
            raise SelfTestFailed(f"cancel answered: {cancel.result.headline.text()} {cancel.result.body.text()}")
        rows = [r for r in history.records() if r.action == "cancel_reference" and r.reference_id == reference_id]
        if not rows or rows[0].count != 1:
            raise SelfTestFailed("the cancel was not recorded in the history")
    finally:
        # 5. clean up
        window.close()
        controller.executor.wait(settings.timeout_seconds)
        controller.desk.close()
        with contextlib.suppress(KeyStoreError):
            keys.delete(account)
        history.close()
        if starting is not None and starting.done() and starting.exception() is None:
            starting.result().stop()  # (one still starting ends with this process: its pipe closes)
        logging.getLogger().removeHandler(handler)
        handler.close()
    target = f"the built-in sandbox ({sandbox_namespace} namespace)" if starting is not None else endpoint
    return (
        f"self-test passed: scheduled QueueID {queue_id} and cancelled 1 call by reference ID against {target}; "
        f"keyring backend: {stored_in}"
    )
