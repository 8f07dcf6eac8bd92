"""Regenerate docs/screenshots/: every window and dialog, in the states a user sees, at the
window's default size (860 x 680), with calls moved along by the sandbox's manual clock.

Run with `./dev screenshots` (offscreen Qt; a throwaway profile; a throwaway keyring holding
made-up keys, which are only ever shown masked). Shots no longer produced are deleted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if os.environ["QT_QPA_PLATFORM"] == "offscreen":  # a desk's screen: the window at its default size
    from tools.offscreen import DESK_SCREEN, use_offscreen_screen

    use_offscreen_screen(*DESK_SCREEN)
os.environ["TZ"] = "America/New_York"  # the 757 numbers' time zone, not the build machine's UTC
os.environ["LOGNAME"] = "frontdesk"  # the history's "signed-in user": a desk login, not the build machine's root
time.tzset()

import keyring.backends.fail  # noqa: E402
from PySide6.QtCore import QDate, QDateTime, QTime  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialogButtonBox  # noqa: E402

from desktop_app.sandbox import DEMO_KEY, ManualClock, Sandbox  # noqa: E402
from desktop_app.ui.dialogs.key_entry import KeyEntryDialog  # noqa: E402
from tests.support import MemoryKeyring  # noqa: E402
from tools.screenshots_support import (  # noqa: E402
    OUT,
    WRITTEN,
    book_direct,
    book_from_desk,
    click,
    close_all,
    locked_key,
    paste_into,
    press,
    settle,
    shot,
    shot_with_menu,
    type_into,
    wait_for_box,
    window_for,
)

MAIN_KEY = "5a1e5d3c-0b7f-4c2e-9d8a-7e6f5a4b3c2d"  # made up; shown masked only
CLINIC_KEY = "9c8b7a6f-5e4d-4c3b-8a29-1f0e9d8c7b6a"  # made up; shown masked only
NORTH_KEY = "3f2e1d0c-9b8a-4f7e-8d6c-5b4a39281706"  # made up; typed into Add account, shown masked only
ACCOUNTS = {"Main office": MAIN_KEY, "Clinic reminders": CLINIC_KEY, "Esendex trial": DEMO_KEY}
REMINDER = "Reminder: your appointment is tomorrow at 10."
SMALL = (640, 480)  # the smallest size the window allows
DEFAULT = (860, 680)
# Copied from a spreadsheet: a header row, a blank row, two reference IDs, one twice, one not valid.
SPREADSHEET = (
    "Reference\tPatient\tPhone\n"
    "appt-101\tAnn Smith\t757-555-0101\n"
    "\n"
    "appt-102\tBob Jones\t757-555-0102\n"
    "appt-101\tAnn Smith\t757-555-0101\n"
    "appt 103\tCarl Diaz\t757-555-0103\n"
)


def schedule_scenes(window, sandbox: Sandbox) -> None:
    page = window.show_page("schedule")
    page.phone.setText("(757) 555-0123")
    page.text.setPlainText("Hello, this is a test call from Voice Broadcast Desk.")
    page.caller_number.setText("757-555-0000")
    page.caller_name.setText("Front desk")
    page.when.setDateTime(QDateTime.currentDateTime().addDays(1))
    shot(window, "schedule-form")
    page.schedule_button.click()
    settle(until=lambda: not page.in_flight and page.result.kind is not None)
    shot(window, "schedule-result")

    # A test broadcast on the trial account: one mistyped line first, then a number it may not call.
    window.controller.accounts.set_current("Esendex trial")
    settle(0, until=page.another.isEnabled)  # greyed out for the first second after an answer
    press(page.another)
    page.phone.setText("757-555-0140\n757-555-0039\n757-555-014\n757-555-0141\n757-555-0142")
    page.text.setPlainText("This is a test broadcast from the front desk. No action is needed.")
    page.when.setDateTime(QDateTime.currentDateTime().addSecs(2 * 3600))
    page.schedule_button.click()
    settle()
    shot(window, "schedule-broadcast-bad-line")
    page.phone.setText("757-555-0140\n757-555-0039\n757-555-0143\n757-555-0141\n757-555-0142")
    page.schedule_button.click()
    settle(until=lambda: not page.in_flight and page.table.isVisible())
    shot(window, "schedule-broadcast")

    page.cancel_broadcast.click()  # opens Cancel calls with the reference ID, and asks
    cancel = window.page("cancel")
    box = wait_for_box(cancel)
    shot(box, "cancel-broadcast-confirm")
    click(box, "Cancel the calls")
    settle(until=lambda: not cancel.in_flight and cancel.result.kind is not None)
    window.controller.accounts.set_current("Main office")


def cancel_scenes(window, sandbox: Sandbox) -> None:
    client = window.controller.desk.client
    for number in ("757-555-0101", "757-555-0102"):
        book_direct(client, MAIN_KEY, sandbox, number, "reminder-1128", 86400, REMINDER)
    cancel = window.show_page("cancel")
    cancel.reference.setText("reminder-1128")
    cancel.cancel_button.click()
    box = wait_for_box(cancel)
    shot(box, "cancel-confirm")
    click(box, "Cancel the calls")
    settle(until=lambda: not cancel.in_flight and cancel.result.kind == "success")
    shot(window, "cancel-result")

    cancel.start_cancel_reference("Main office", "reminder-1128")
    settle(until=lambda: not cancel.in_flight and cancel.result.kind == "info")
    shot(window, "cancel-nothing-to-cancel")

    sandbox.faults.inject("html500", operation="CancelNotifyByReferenceID")
    cancel.start_cancel_reference("Main office", "reminder-1128")
    settle(until=lambda: not cancel.in_flight and cancel.result.kind == "error")
    shot(window, "cancel-error")
    sandbox.faults.clear()


def find_scenes(window, sandbox: Sandbox) -> None:
    client = window.controller.desk.client
    text = "Your prescription is ready for pick-up."
    for seconds in (1, 50, 7200):  # after 55 s: the first is over, the second is ringing
        book_direct(client, MAIN_KEY, sandbox, "757-555-0177", "pharmacy", seconds, text)
    book_direct(client, DEMO_KEY, sandbox, "757-555-0177", "pharmacy-trial", 3 * 3600, text)
    book_direct(client, CLINIC_KEY, sandbox, "757-555-0177", "clinic-0312", 5 * 3600, text)
    sandbox.state.clock.advance(55)
    lookup = window.show_page("lookup")
    lookup.query.setText("(757) 555-0177")
    lookup.look_up()
    settle(until=lambda: not lookup.in_flight and lookup.model.rowCount() == 3)
    shot(window, "find-calls")

    # All accounts, with the Clinic key locked in the keyring: its line says so, the rest show.
    with locked_key(window.controller.context.keys, "Clinic reminders"):
        lookup.all_accounts.setChecked(True)
        lookup.look_up()
        settle(until=lambda: not lookup.in_flight and lookup.model.rowCount() == 4)
    shot(window, "find-calls-all-accounts")
    lookup.all_accounts.setChecked(False)


def watch_scenes(window, sandbox: Sandbox) -> None:
    clock = sandbox.state.clock
    book_from_desk(window, "Main office", "757-555-0127", "flu-clinic", 60, REMINDER)  # a machine answers
    book_from_desk(window, "Main office", "757-555-0131", "flu-clinic", 120, REMINDER)  # ringing
    book_from_desk(window, "Main office", "757-555-0132", "flu-clinic", 45 * 60, REMINDER)
    book_from_desk(window, "Clinic reminders", "757-555-0133", "flu-clinic", 3 * 3600, REMINDER)
    watcher = window.controller.watcher
    watcher.reload()
    settle(0.5, until=lambda: watcher.loaded and len(watcher.rows) >= 9)
    for seconds in (61, 64):  # the first call starts; 2:05 after booking it has ended and the next rings
        clock.advance(seconds)
        settle(until=lambda: not watcher.running)
        watcher.poll_now()
        settle(until=lambda: not watcher.running)
    page = window.show_page("watch")
    page.model.refresh_times()
    shot(window, "watch-list")


def bulk_scenes(window, sandbox: Sandbox) -> None:
    client = window.controller.desk.client
    for index in range(6):
        book_direct(
            client, MAIN_KEY, sandbox, f"757-555-02{index:02d}", f"class-{index % 3}", 3 * 3600, "Class is off."
        )
    bulk = window.show_page("bulk")
    bulk.paste.setPlainText("class-0\nclass-1\nclass-2\nclass-1\nclass 9\nclass-7")
    bulk.check()
    shot(window, "bulk-cancel")
    bulk.start("Main office", list(bulk.items))
    settle(until=lambda: not bulk.is_running() and bulk.result.kind is not None)
    shot(window, "bulk-cancel-result")


def history_scene(window) -> None:
    history = window.show_page("history")
    history.reload()
    settle(until=lambda: not history.loading and history.model.rowCount() >= 10)
    result = history.model.column_of("Result")
    rows = [history.model.data(history.model.index(r, result)) for r in range(history.model.rowCount())]
    row = rows.index("Scheduled, cancelled later")
    history.select_row(row)
    history.table.scrollTo(history.model.index(row, 0))  # the row the user clicked is in view
    shot(window, "history")


def dialog_scenes(window) -> None:
    dialog = window.open_accounts()
    settle(until=lambda: dialog.store is not None and dialog.key_label.text().startswith("••••"))
    shot(dialog, "accounts")
    dialog.add_button.click()
    settle(until=lambda: dialog.findChild(KeyEntryDialog) is not None)
    entry = dialog.findChild(KeyEntryDialog)
    entry.name.setText("Branch 2")
    entry.key.setText("1234-not-a-key")
    shot(entry, "add-account")
    entry.reject()
    dialog.close()

    settings = window.open_settings()
    shot(settings, "settings")
    settings.reject()
    window.controller.settings.locked = frozenset({"timeout_seconds"})
    settings = window.open_settings()
    shot(settings, "settings-locked")
    settings.reject()
    window.controller.settings.locked = frozenset()


# -- the slips of issue 23, each reached as a user reaches it -------------------------------------


def tomorrow_at_ten() -> QDateTime:
    return QDateTime(QDate.currentDate().addDays(1), QTime(10, 0))


def schedule_on_page(window, number: str, reference: str) -> int:
    """Fill the Schedule page as the user does and press Schedule call; returns the QueueID."""
    page = window.show_page("schedule")
    if page.another.isVisible():  # a booking is on show: clear it first, a moment after it came
        settle(0, until=page.another.isEnabled)
        press(page.another)
    type_into(page.phone, number)
    type_into(page.text, REMINDER)
    type_into(page.reference, reference)
    page.when.setDateTime(tomorrow_at_ten())
    booked = []
    page.scheduled.connect(booked.append)
    press(page.schedule_button)
    settle(until=lambda: bool(booked) and not page.in_flight)
    page.scheduled.disconnect(booked.append)
    return booked[0].queue_id


def booked_schedule_scene(window) -> int:
    """Issue 23, finding 1: after a booking at 640 x 480 the answer sits above Schedule call, which
    stays under the pointer; "Schedule another" is at the far left."""
    window.resize(*SMALL)
    settle(until=lambda: window.width() == SMALL[0])
    queue_id = schedule_on_page(window, "(757) 555-0150", "CASE-TEST")
    shot(window, "schedule-booked-small")
    window.resize(*DEFAULT)
    settle(until=lambda: window.width() == DEFAULT[0])
    return queue_id


def reference_slip_scenes(window, queue_id: int) -> None:
    """Issue 23, findings 2 and 9: the one-call confirmation, "case-test" for CASE-TEST, and the
    confirmation that says how many calls this desk booked."""
    cancel = window.show_page("cancel")
    type_into(cancel.queue_id, str(queue_id))
    press(cancel.queue_button)
    box = wait_for_box(cancel)
    shot(box, "cancel-one-call-confirm")
    click(box, "Keep it")
    type_into(cancel.queue_id, "")

    # Two more calls with CASE-TEST, for other patients, booked on the Schedule page as well.
    schedule_on_page(window, "(757) 555-0151", "CASE-TEST")
    schedule_on_page(window, "(757) 555-0152", "CASE-TEST")
    cancel = window.show_page("cancel")
    type_into(cancel.reference, "case-test")
    press(cancel.cancel_button)
    box = wait_for_box(cancel)
    shot(box, "cancel-confirm-other-capitals")
    click(box, "Cancel the calls")
    settle(until=lambda: not cancel.in_flight and cancel.offer_text.isVisible())
    shot(window, "cancel-did-you-mean")

    press(cancel.offer_buttons[0])  # "Cancel CASE-TEST…"
    box = wait_for_box(cancel)
    shot(box, "cancel-confirm-booked-here")
    click(box, "Cancel the calls")
    settle(until=lambda: not cancel.in_flight and cancel.result.kind == "success")


def waiting_scenes(window, sandbox: Sandbox) -> None:
    """Issue 23, finding 7: a service that takes long; after 3 s the busy row counts the seconds and
    offers Stop waiting; the answer then says what is known."""
    cancel = window.show_page("cancel")
    type_into(cancel.reference, "flu-clinic")
    press(cancel.cancel_button)
    box = wait_for_box(cancel)
    sandbox.faults.latency_seconds = 10
    click(box, "Cancel the calls")
    # The seconds are counted from SHOW_ELAPSED_AFTER_SECONDS (3 s) on, with Stop waiting beside.
    settle(until=lambda: cancel.busy.stop_button.isVisible() and cancel.busy.label.text().endswith(" 5 s so far."))
    shot(window, "cancel-waiting")
    press(cancel.busy.stop_button)
    settle(until=lambda: not cancel.busy.isVisible())
    shot(window, "cancel-stopped-waiting")
    history = window.controller.desk.history  # the answer still comes, and History records it
    settle(until=lambda: any(r.reference_id == "flu-clinic" for r in history.records()))
    sandbox.faults.latency_seconds = 0


def lookup_slip_scenes(window) -> None:
    """Issue 23, findings 4 and 9: a number booked on another account; Find calls on the working
    account finds nothing and offers Search all accounts, whose answer shows the Reference ID."""
    for reference, hours in (("flu-shot-0312", 3), ("flu-shot-0312", 26), ("appointments-north-march", 50)):
        book_from_desk(window, "Clinic reminders", "757-555-0160", reference, hours * 3600, REMINDER)
    lookup = window.show_page("lookup")
    lookup.mode.setCurrentIndex(lookup.mode.findData("number"))
    type_into(lookup.query, "(757) 555-0160")
    press(lookup.lookup_button)
    settle(until=lambda: not lookup.in_flight and lookup.search_all_button.isVisible())
    shot(window, "find-calls-none-search-all")
    press(lookup.search_all_button)
    settle(until=lambda: not lookup.in_flight and lookup.model.rowCount() == 3)
    shot(window, "find-calls-reference-id")
    lookup.all_accounts.setChecked(False)


def account_slip_scenes(window) -> None:
    """Issue 23, findings 4 and 6: Save disabled with its reason; an added account that is not the
    working account, and the message that says so."""
    dialog = window.open_accounts()
    settle(until=lambda: dialog.store is not None and dialog.key_label.text().startswith("••••"))
    press(dialog.add_button)
    settle(until=lambda: dialog.findChild(KeyEntryDialog) is not None)
    entry = dialog.findChild(KeyEntryDialog)
    type_into(entry.name, "main office")  # taken, in other capitals
    type_into(entry.key, NORTH_KEY)
    settle(until=lambda: entry.save_why.isVisible())
    shot(entry, "add-account-save-disabled")
    type_into(entry.name, "Clinic North")
    save = entry.buttons.button(QDialogButtonBox.StandardButton.Save)
    settle(until=save.isEnabled)
    press(save)
    settle(until=lambda: "Clinic North" in window.controller.settings.accounts and dialog.message.isVisible())
    settle(until=lambda: dialog.key_label.text().startswith("••••"))
    shot(dialog, "account-added-not-working")
    dialog.close()


def bulk_paste_scene(window) -> None:
    """Issue 23, finding 3: a paste from a spreadsheet, its column chosen and its header skipped."""
    bulk = window.show_page("bulk")
    paste_into(bulk.paste, SPREADSHEET)
    press(bulk.check_button)
    settle(until=lambda: bulk.entry.column_row.isVisible())
    shot(window, "bulk-spreadsheet-paste")
    type_into(bulk.paste, "")
    press(bulk.check_button)


def training_menu_scenes(window) -> None:
    """Issue 23, finding 8: File > Reset the training data…, and the question it asks."""
    bar = window.menuBar()
    file_action = next(a for a in bar.actions() if a.text() == "&File")
    menu = file_action.menu()
    bar.setActiveAction(file_action)  # as a click on File does: the menu opens under it
    settle(until=menu.isVisible)
    reset = next(a for a in menu.actions() if a.text() == "&Reset the training data…")
    menu.setActiveAction(reset)  # the pointer rests on it
    shot_with_menu(window, menu, "file-menu-reset-training")
    reset.trigger()
    menu.close()
    box = wait_for_box(window)
    shot(box, "reset-training-confirm")
    click(box, "Keep it")


def slip_scenes(root: Path, sandbox: Sandbox, backend) -> None:
    window = window_for(root, sandbox, backend, {"Main office": MAIN_KEY, "Clinic reminders": CLINIC_KEY})
    queue_id = booked_schedule_scene(window)
    reference_slip_scenes(window, queue_id)
    waiting_scenes(window, sandbox)
    lookup_slip_scenes(window)
    bulk_paste_scene(window)
    training_menu_scenes(window)
    account_slip_scenes(window)
    close_all(window)


def unsent_scenes(root: Path, sandbox: Sandbox, backend_for) -> None:
    """Issue 23, finding 5: the window closed ("Close now") during a slow bulk cancel; at the next
    start the app says so, and the Bulk cancel page offers the rows that were never sent."""
    accounts = {"Main office": MAIN_KEY}
    window = window_for(root, sandbox, backend_for(), accounts)
    values = [f"class-{index:02}" for index in range(20)]
    bulk = window.show_page("bulk")
    paste_into(bulk.paste, "\n".join(values))
    press(bulk.check_button)
    sandbox.faults.latency_seconds = 1.5
    press(bulk.start_button)
    click(wait_for_box(bulk), "Cancel the calls")
    settle(until=lambda: bulk.progress.value() >= 4)
    window.close()
    click(wait_for_box(window), "Close now")
    settle(until=lambda: not window.isVisible())
    close_all(window)
    sandbox.faults.latency_seconds = 0

    again = window_for(root, sandbox, backend_for(), accounts)
    settle(until=again.notice.isVisible)
    shot(again, "unsent-notice-at-start")
    bulk = again.show_page("bulk")
    settle(until=bulk.offer.isVisible)
    shot(again, "bulk-unsent-offer")
    close_all(again)


# Small screens, large text and a dark palette: tools/layout_check.py, each in its own process (the
# screen and the scale are set before Qt starts); which scenes of each are kept here.
LAYOUTS = {
    "small-1024x600": (["--screen", "1024x600", "--scale", "1"], "lookup,bulk,schedule"),
    "scale-150": (["--screen", "1366x768", "--scale", "1.5"], "watch,history"),
    "scale-200": (["--screen", "1920x1080", "--scale", "2"], "lookup,schedule"),
    "dark": (["--screen", "1920x1080", "--scale", "1", "--palette", "dark"], "schedule-problems,cancel"),
    "high-contrast": (["--screen", "1920x1080", "--scale", "1", "--palette", "high-contrast"], "lookup"),
}


def layout_scenes() -> None:
    for prefix, (options, scenes) in LAYOUTS.items():
        command = [sys.executable, "tools/layout_check.py", *options, "--shots", str(OUT), "--prefix", prefix]
        subprocess.run([*command, "--only", scenes], check=True, cwd=OUT.parent.parent, stdout=subprocess.DEVNULL)
        for scene in scenes.split(","):
            WRITTEN.append(f"{prefix}-{scene}.png")
            print(f"wrote docs/screenshots/{prefix}-{scene}.png")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    app.setApplicationDisplayName("Voice Broadcast Desk")
    sandbox = Sandbox(clock=ManualClock(datetime.now(UTC))).start()  # time moves only when told
    tmp = Path(tempfile.mkdtemp())
    # Under ./dev screenshots the real (throwaway) Secret Service is there, as on a desktop.
    secret_service = bool(os.environ.get("VBD_TEST_SECRET_SERVICE"))

    first_run = window_for(tmp / "first", sandbox, None if secret_service else MemoryKeyring(), {})
    shot(first_run, "first-run")
    no_keyring = window_for(tmp / "nokey", sandbox, keyring.backends.fail.Keyring(), {})
    shot(no_keyring, "no-keyring")
    close_all(first_run, no_keyring)

    window = window_for(tmp / "desk", sandbox, None if secret_service else MemoryKeyring(), ACCOUNTS)
    schedule_scenes(window, sandbox)
    cancel_scenes(window, sandbox)
    find_scenes(window, sandbox)
    watch_scenes(window, sandbox)
    bulk_scenes(window, sandbox)
    history_scene(window)
    dialog_scenes(window)
    close_all(window)

    def backend():
        return None if secret_service else MemoryKeyring()

    slip_scenes(tmp / "slips", sandbox, backend())
    unsent_scenes(tmp / "restart", sandbox, backend)
    sandbox.stop()

    layout_scenes()
    for old in OUT.glob("*.png"):
        if old.name not in WRITTEN:
            old.unlink()
            print(f"deleted {old.relative_to(OUT.parent.parent)} (no longer produced)")


if __name__ == "__main__":
    main()
