"""Regenerate docs/screenshots/: every window and dialog, in the states a user sees.

Run with `./dev screenshots` (offscreen Qt; a throwaway profile; an in-memory keyring holding a
made-up key, which is only ever shown masked).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keyring.backends.fail  # noqa: E402
from PySide6.QtCore import QDateTime  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget  # noqa: E402

from desktop_app.sandbox import ManualClock, Sandbox  # noqa: E402
from desktop_app.service import new_call_request  # noqa: E402
from desktop_app.storage.history import History  # noqa: E402
from desktop_app.storage.profile import Profile  # noqa: E402
from desktop_app.storage.secrets import KeyStore  # noqa: E402
from desktop_app.storage.settings import Settings  # noqa: E402
from desktop_app.ui.controller import AppContext, AppController  # noqa: E402
from desktop_app.ui.dialogs.accounts import AccountsDialog  # noqa: E402
from desktop_app.ui.dialogs.key_entry import KeyEntryDialog  # noqa: E402
from desktop_app.ui.main_window import MainWindow  # noqa: E402
from tests.support import MemoryKeyring  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
DEMO_KEY = "5a1e5d3c-0b7f-4c2e-9d8a-7e6f5a4b3c2d"  # made up; shown masked only


def settle(app: QApplication, seconds: float = 0.3, until=None) -> None:
    end = time.monotonic() + 15
    quiet_until = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        if time.monotonic() >= quiet_until and (until is None or until()):
            return
        time.sleep(0.01)
    raise SystemExit("timed out waiting for the UI")


def shot(widget: QWidget, name: str) -> None:
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path.relative_to(ROOT)}")


def window_for(root: Path, sandbox: Sandbox, backend, accounts: dict[str, str]) -> MainWindow:
    profile = Profile.isolated(root).ensure()
    keys = KeyStore(backend)
    settings = Settings(accounts=list(accounts), default_account=next(iter(accounts), ""))
    for name, key in accounts.items():
        keys.set(name, key)
    window = MainWindow(AppController(AppContext(profile, settings, keys, History(profile.history_file), sandbox)))
    window.resize(900, 700)
    window.show()
    return window


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    app.setApplicationDisplayName("Voice Broadcast Desk")
    sandbox = Sandbox(clock=ManualClock(datetime.now(UTC))).start()  # time moves only when told
    tmp = Path(tempfile.mkdtemp())
    # Under ./dev screenshots the real (throwaway) Secret Service is there, as on a desktop.
    backend = None if os.environ.get("VBD_TEST_SECRET_SERVICE") else MemoryKeyring()
    window = window_for(tmp / "a", sandbox, backend, {"Main office": DEMO_KEY, "Clinic reminders": DEMO_KEY})
    settle(app, until=lambda: window.controller.store is not None)

    # Two calls tagged "reminder-1128" to cancel, one booked through the Schedule page.
    client = window.controller.desk.client
    for number in ("757-555-0101", "757-555-0102"):
        client.schedule_call(
            DEMO_KEY,
            new_call_request(
                phone_number=number,
                text_to_say="Reminder: your appointment is tomorrow at 10.",
                scheduled=datetime.now(UTC) + timedelta(days=1),
                reference_id="reminder-1128",
            ),
        )
    page = window.schedule_page
    window.tabs.setCurrentWidget(page)
    page.phone.setText("(757) 555-0123")
    page.text.setPlainText("Hello, this is a test call from Voice Broadcast Desk.")
    page.caller_number.setText("757-555-0000")
    page.caller_name.setText("Front desk")
    page.when.setDateTime(QDateTime.currentDateTime().addDays(1))
    shot(window, "schedule-form")
    page.schedule_button.click()
    settle(app, until=lambda: page.result.kind != "")
    shot(window, "schedule-result")

    cancel = window.cancel_page
    window.tabs.setCurrentWidget(cancel)
    cancel.reference.setText("reminder-1128")
    cancel.cancel_button.click()
    settle(app, until=lambda: any(b.isVisible() for b in cancel.findChildren(QMessageBox)))
    box = next(b for b in cancel.findChildren(QMessageBox) if b.isVisible())
    shot(box, "cancel-confirm")
    box.buttons()[0].click()
    settle(app, until=lambda: cancel.result.kind == "success")
    shot(window, "cancel-result")

    cancel.reference.setText("reminder-1128")
    cancel.start_cancel_reference("Main office", "reminder-1128")
    settle(app, until=lambda: not cancel.in_flight and cancel.result.kind == "info")
    shot(window, "cancel-nothing-to-cancel")

    sandbox.faults.inject("html500", operation="CancelNotifyByReferenceID")
    cancel.start_cancel_reference("Main office", "reminder-1128")
    settle(app, until=lambda: not cancel.in_flight and cancel.result.kind == "error")
    shot(window, "cancel-error")

    # Find calls: a customer's number with calls in different states.
    for seconds in (1, 50, 7200):
        sandbox.state.schedule(
            key=DEMO_KEY,
            phone_number="757-555-0177",
            text_to_say="Your prescription is ready for pick-up.",
            voice_id=0,
            caller_id="",
            caller_id_name="",
            try_count=1,
            next_try_seconds=60,
            scheduled=datetime.now(UTC) + timedelta(seconds=seconds),
            scheduled_is_utc=True,
            max_call_length=0,
            reference_id="pharmacy",
        )
    sandbox.state.clock.advance(55)  # the first call is over, the second is ringing
    lookup = window.lookup_page
    window.tabs.setCurrentWidget(lookup)
    lookup.query.setText("(757) 555-0177")
    lookup.look_up()
    settle(app, until=lambda: lookup.table.rowCount() == 3 and not lookup.in_flight)
    shot(window, "find-calls")

    # Bulk cancel: a pasted list with a duplicate and a bad line, run to the end.
    for index in range(6):
        client.schedule_call(
            DEMO_KEY,
            new_call_request(
                phone_number=f"757-555-02{index:02d}",
                text_to_say="Class is cancelled today.",
                scheduled=datetime.now(UTC) + timedelta(hours=3),
                reference_id=f"class-{index % 3}",
            ),
        )
    bulk = window.bulk_page
    window.tabs.setCurrentWidget(bulk)
    bulk.paste.setPlainText("class-0\nclass-1\nclass-2\nclass-1\nclass 9\nclass-7")
    bulk.check()
    bulk.start("Main office", list(bulk.items))
    settle(app, until=lambda: not bulk.is_running() and bulk.result.kind != "")
    shot(window, "bulk-cancel")

    window.tabs.setCurrentWidget(window.history_page)
    window.history_page.reload()
    settle(app, until=lambda: window.history_page.table.rowCount() >= 4)
    shot(window, "history")

    dialog = AccountsDialog(window)
    dialog.show()
    settle(app, until=lambda: dialog.store is not None and dialog.key_label.text().startswith("••••"))
    shot(dialog, "accounts")
    dialog.add_button.click()
    entry = dialog.findChild(KeyEntryDialog)
    settle(app, until=lambda: entry is not None and entry.isVisible())
    entry.name.setText("Branch 2")
    entry.key.setText("1234-not-a-key")
    settle(app)
    shot(entry, "add-account")
    entry.reject()
    dialog.close()

    settings = window.open_settings()
    settle(app)
    shot(settings, "settings")
    settings.reject()

    no_keyring = window_for(tmp / "b", sandbox, keyring.backends.fail.Keyring(), {})
    settle(app, until=lambda: no_keyring.controller.store is not None)
    shot(no_keyring, "no-keyring")

    for each in (window, no_keyring):
        each.close()
        each.controller.executor.wait(5)
    sandbox.stop()


if __name__ == "__main__":
    main()
