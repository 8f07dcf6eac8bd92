"""The real widgets, driven with qtbot against the sandbox over real HTTP, on real worker threads."""

from __future__ import annotations

import csv
import time
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QMessageBox

from desktop_app.service import new_call_request
from desktop_app.ui.dialogs import accounts as accounts_dialog
from desktop_app.ui.dialogs.key_entry import KeyEntryDialog
from desktop_app.ui.main_window import SANDBOX_BANNER
from desktop_app.ui.window_menus import action
from tests.conftest import KEY_A, KEY_B, make_window
from tests.stall import StallMeter
from tests.support import cell


def click_message_box(qtbot, parent, button_text: str) -> None:
    box = None

    def found() -> bool:
        nonlocal box
        boxes = [b for b in parent.findChildren(QMessageBox) if b.isVisible()]
        box = boxes[-1] if boxes else None
        return box is not None

    qtbot.waitUntil(found)
    button = next(b for b in box.buttons() if b.text() == button_text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def schedule_via_ui(qtbot, window, number="757-555-1230", reference="appt-42", when: datetime | None = None):
    page = window.schedule_page
    window.tabs.setCurrentWidget(page)
    page.phone.setText(number)
    page.text.setPlainText("Your appointment is tomorrow at 10.")
    page.reference.setText(reference)
    if when is not None:
        page.when.setDateTime(QDateTime.fromSecsSinceEpoch(int(when.timestamp())))
    with qtbot.waitSignal(page.scheduled, timeout=10_000) as signal:
        qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    return signal.args[0]


def cancel_via_ui(qtbot, window, reference: str) -> str:
    page = window.cancel_page
    window.tabs.setCurrentWidget(page)
    page.reference.setText(reference)
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    click_message_box(qtbot, page, "Cancel the calls")
    qtbot.waitUntil(lambda: page.result.isVisible() and not page.in_flight, timeout=10_000)
    return page.result.headline.text() + " | " + page.result.body.text()


def test_sandbox_banner_and_defaults(window):
    assert window.sandbox_banner.text() == SANDBOX_BANNER and window.sandbox_banner.isVisible()
    assert window.controller.accounts.current == "Main office"
    assert "MemoryKeyring" in window.store_label.text()
    page = window.schedule_page
    assert page.reference.text().startswith("test-") and page.tries.value() == 1 and page.volume.value() == 100
    assert page.voice.currentText().startswith("Diane")
    assert "UTC" in page.utc_label.text()


def test_the_menus_and_the_cancel_button_have_their_entries_and_shortcuts(window):
    menus = {entry.text(): entry.menu() for entry in window.menuBar().actions()}
    assert list(menus) == ["&File", "&Accounts", "&Go", "&Help"]
    assert [a.text() for a in menus["&File"].actions() if a.text()] == [
        "&Settings…",
        "&Reset the training data…",  # the window is in sandbox mode
        "&Quit",
    ]
    settings, _reset, _separator, quit_ = menus["&File"].actions()
    assert settings.shortcut().toString() == "Ctrl+,"
    assert quit_.shortcut() == QKeySequence(QKeySequence.StandardKey.Quit)  # the platform's: none offscreen
    copy = action(window, "&Copy", lambda: None, QKeySequence(QKeySequence.StandardKey.Copy))
    assert copy.shortcut().toString() == "Ctrl+C"  # so a standard key goes in as Quit's does, here visibly
    assert window.cancel_page.cancel_button.shortcut().toString() == "Ctrl+Return"
    assert [a.shortcut().toString() for a in menus["&Go"].actions()] == [f"Ctrl+{n}" for n in range(1, 7)]
    menus["&Go"].actions()[5].trigger()  # History
    assert window.tabs.currentWidget() is window.history_page
    menus["&Go"].actions()[0].trigger()
    assert window.tabs.currentWidget() is window.cancel_page
    assert menus["&Accounts"].actions()[0].shortcut().toString() == "Ctrl+Shift+A"


def test_schedule_then_cancel_by_reference_id_count_1_then_0(qtbot, window, app_sandbox):
    booked = schedule_via_ui(qtbot, window, when=datetime.now(UTC) + timedelta(days=1))
    assert booked.queued
    page = window.schedule_page
    assert page.result.kind == "success" and f"QueueID {booked.queue_id}" in page.result.headline.text()
    assert page.cancel_this.isVisible() and page.copy_reference.isVisible()
    stored = app_sandbox.state.calls[booked.queue_id]
    assert abs((stored.scheduled_utc - (datetime.now(UTC) + timedelta(days=1))).total_seconds()) < 120

    text = cancel_via_ui(qtbot, window, "appt-42")
    assert text.startswith("1 call cancelled")
    assert "credited for the 1 cancelled call" in text
    assert window.cancel_page.result.kind == "success"

    text = cancel_via_ui(qtbot, window, "appt-42")
    assert text.startswith("No calls were cancelled")
    assert "no scheduled calls with this reference ID" in text and "in progress cannot be cancelled" in text


def test_in_progress_call_is_not_cancelled(qtbot, window, app_sandbox):
    call = new_call_request(
        phone_number="757-555-1230", text_to_say="Now", scheduled=datetime.now(UTC), reference_id="running"
    )
    app_sandbox_client = window.controller.desk.client
    app_sandbox_client.schedule_call(KEY_A, call)
    app_sandbox.state.clock.advance(5)  # dialling now
    assert cancel_via_ui(qtbot, window, "running").startswith("No calls were cancelled")


def test_cancel_this_call_from_the_schedule_result(qtbot, window):
    booked = schedule_via_ui(qtbot, window, reference="one-off")
    page = window.schedule_page
    qtbot.mouseClick(page.cancel_this, Qt.MouseButton.LeftButton)
    assert window.current_page() is window.cancel_page
    assert window.cancel_page.queue_id.text() == str(booked.queue_id)
    with qtbot.waitSignal(window.cancel_page.cancelled, timeout=10_000):
        click_message_box(qtbot, window.cancel_page, "Cancel the call")
    assert window.cancel_page.result.headline.text() == f"Call {booked.queue_id} cancelled"


def test_invalid_fields_are_flagged_inline_and_nothing_is_sent(qtbot, window, app_sandbox):
    before = app_sandbox.requests_served
    page = window.schedule_page
    window.tabs.setCurrentWidget(page)
    page.phone.setText("555-12")
    page.text.setPlainText("Hello")
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    assert page.errors["phone_number"].isVisible()
    assert "10 digits" in page.errors["phone_number"].text()
    page.phone.setText("757-555-1230")
    page.reference.setText("has spaces in it")
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    assert "contains a space" in page.errors["reference_id"].text()
    assert not page.errors["phone_number"].isVisible()

    cancel = window.cancel_page
    window.tabs.setCurrentWidget(cancel)
    cancel.reference.setText("   ")
    qtbot.mouseClick(cancel.cancel_button, Qt.MouseButton.LeftButton)
    assert cancel.reference_error.text() == "Enter a reference ID."
    assert app_sandbox.requests_served == before


@pytest.mark.parametrize(
    ("fault", "title", "words"),
    [
        ("html500", "The service reported a problem", "HTTP 500"),
        ("soap_fault", "The service refused the request", "Simulated server failure"),
        ("malformed_xml", "could not be understood", "could not be understood"),
        ("entity_payload", "could not be understood", "unsafe XML"),
        ("reset", "Cannot reach the server", "safe to try again"),
    ],
)
def test_errors_are_shown_in_plain_words_and_the_app_stays_usable(qtbot, window, app_sandbox, fault, title, words):
    app_sandbox.faults.inject(fault, operation="CancelNotifyByReferenceID")
    text = cancel_via_ui(qtbot, window, "any-ref")
    assert window.cancel_page.result.kind == "error"
    assert title in text and words in text
    assert KEY_A not in text
    assert cancel_via_ui(qtbot, window, "any-ref").startswith("No calls were cancelled")
    outcomes = [r.outcome for r in window.controller.desk.history.records()]
    assert outcomes == ["ok", "error"]


def test_timeout_and_server_down(qtbot, tmp_path, app_sandbox, memory_keyring):
    window = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    window.controller.settings.timeout_seconds = 1
    window.controller.desk.reconfigure(window.controller.connection.client_factory())
    app_sandbox.faults.latency_seconds = 2
    text = cancel_via_ui(qtbot, window, "slow")
    assert "did not answer in time" in text and "safe to try again" in text
    app_sandbox.faults.latency_seconds = 0
    schedule_text = None
    app_sandbox.faults.latency_seconds = 2
    page = window.schedule_page
    window.tabs.setCurrentWidget(page)
    page.phone.setText("757-555-1230")
    page.text.setPlainText("Hello")
    with qtbot.waitSignal(page.failed, timeout=10_000) as failed:
        qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    schedule_text = failed.args[0]
    assert "Outcome unknown" in schedule_text and "Check the call's status before trying again" in schedule_text
    assert page.result.kind == "warning"
    app_sandbox.faults.latency_seconds = 0
    assert window.controller.desk.history.records()[0].outcome == "unknown"

    app_sandbox.stop()
    text = cancel_via_ui(qtbot, window, "down")
    assert "Cannot reach the server" in text and "refused the connection" in text
    window.close()
    window.controller.context.history.close()


def test_double_click_sends_one_request(qtbot, window, app_sandbox):
    app_sandbox.faults.latency_seconds = 0.5
    page = window.cancel_page
    page.reference.setText("dbl")
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    click_message_box(qtbot, page, "Cancel the calls")
    qtbot.waitUntil(lambda: page.in_flight)
    assert not page.cancel_button.isEnabled() and page.busy.isVisible()
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)  # disabled: nothing happens
    page.ask_cancel_reference()  # a second Enter while busy
    page.start_cancel_reference("Main office", "dbl")  # even a second confirmation
    qtbot.waitUntil(lambda: not page.in_flight, timeout=10_000)
    assert not [b for b in page.findChildren(QMessageBox) if b.isVisible()]
    assert app_sandbox.operations["CancelNotifyByReferenceID"] == 1
    assert len([r for r in window.controller.desk.history.records() if r.reference_id == "dbl"]) == 1


def test_gui_thread_keeps_processing_events_during_a_slow_cancel(qtbot, window, app_sandbox):
    """Real worker threads: the sandbox delays the cancel by 2 s; the event loop must keep ticking."""
    app_sandbox.faults.latency_seconds = 2.0
    page = window.cancel_page
    page.reference.setText("slow-cancel")
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    click_message_box(qtbot, page, "Cancel the calls")
    with StallMeter() as meter:
        started = time.perf_counter()
        qtbot.waitUntil(lambda: not page.in_flight, timeout=10_000)
    assert time.perf_counter() - started >= 1.9  # the request really took 2 s
    assert meter.ticks > 100  # the loop ticked throughout
    print(f"longest event-loop stall during a 2 s cancel: {meter.longest * 1000:.1f} ms over {meter.ticks} ticks")
    assert meter.longest < 0.25


def test_closing_during_a_cancel_hides_the_window_at_once_and_records_the_cancel(
    qtbot, tmp_path, app_sandbox, memory_keyring
):
    window = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    app_sandbox.faults.latency_seconds = 1.0
    page = window.cancel_page
    page.reference.setText("closing")
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    click_message_box(qtbot, page, "Cancel the calls")
    qtbot.waitUntil(lambda: page.in_flight)
    window.close()
    assert not window.isVisible()  # gone at once: no question for a single request
    assert window.controller.executor.busy  # the cancel is still on its way
    assert window.controller.executor.wait(10)  # the pool's threads end once it has answered
    records = window.controller.desk.history.records()
    assert [(r.reference_id, r.outcome, r.count) for r in records] == [("closing", "ok", 0)]
    assert page.result.kind is None  # nothing is delivered to a closed window
    window.controller.context.history.close()


def test_closing_during_a_bulk_run_asks_then_waits(qtbot, tmp_path, app_sandbox, memory_keyring):
    window = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    app_sandbox.faults.latency_seconds = 0.3
    bulk = window.show_page("bulk")
    bulk.paste.setPlainText("\n".join(f"wait-{n}" for n in range(6)))
    bulk.check()
    bulk.concurrency.setValue(2)
    qtbot.mouseClick(bulk.start_button, Qt.MouseButton.LeftButton)
    click_message_box(qtbot, bulk, "Cancel the calls")
    qtbot.waitUntil(lambda: window.controller.bulk_running)
    window.close()
    assert window.isVisible()  # a bulk run asks first
    click_message_box(qtbot, window, "Wait, then close")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    assert bulk.result.headline.text().startswith("0 calls cancelled")  # the run finished before closing
    records = window.controller.desk.history.records()
    assert sorted(r.reference_id for r in records) == [f"wait-{n}" for n in range(6)]
    window.controller.context.history.close()


def test_history_is_written_filtered_and_exported(qtbot, window, tmp_path):
    schedule_via_ui(qtbot, window, reference="hist-1")
    cancel_via_ui(qtbot, window, "hist-1")
    cancel_via_ui(qtbot, window, "other")
    history = window.history_page
    window.tabs.setCurrentWidget(history)
    # The watch list follows the booked call and records its end ("Cancelled") once it is cancelled:
    # before or after the second cancel, whichever its round finishes first.
    qtbot.waitUntil(lambda: history.table.model().rowCount() == 4)
    result, reference = history.model.column_of("Result"), history.model.column_of("Reference ID")
    rows = [(cell(history.table, r, 2), cell(history.table, r, reference)) for r in range(4)]
    assert rows[3] == ("Schedule call", "hist-1")  # newest first: the booking is the oldest row
    assert sorted(rows[:3]) == [
        ("Call outcome", "hist-1"),
        ("Cancel by reference ID", "hist-1"),
        ("Cancel by reference ID", "other"),
    ]
    assert rows.index(("Cancel by reference ID", "hist-1")) > rows.index(("Cancel by reference ID", "other"))
    assert cell(history.table, rows.index(("Cancel by reference ID", "hist-1")), result) == "1 cancelled"
    assert cell(history.table, 3, result) == "Scheduled, cancelled later"  # the booking's latest known state
    history.search.setText("hist-1")
    assert history.table.model().rowCount() == 3
    history.action.setCurrentIndex(history.action.findData("cancel_reference"))
    assert history.table.model().rowCount() == 1
    target = history.export(str(tmp_path / "out.csv"))
    with target.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1 and rows[0]["reference_id"] == "hist-1" and rows[0]["count"] == "1"
    assert rows[0]["account"] == "Main office" and KEY_A not in target.read_text(encoding="utf-8-sig")


def test_history_survives_a_restart(qtbot, tmp_path, app_sandbox, memory_keyring):
    first = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    cancel_via_ui(qtbot, first, "persist")
    first.close()
    first.controller.context.history.close()
    second = make_window(qtbot, tmp_path, app_sandbox, memory_keyring)
    second.controller.settings.accounts = ["Main office"]
    qtbot.waitUntil(lambda: second.history_page.table.model().rowCount() == 1)
    assert cell(second.history_page.table, 0, second.history_page.model.column_of("Reference ID")) == "persist"
    second.close()
    second.controller.context.history.close()


def test_corrupt_history_does_not_stop_a_cancel(qtbot, tmp_path, app_sandbox, memory_keyring):
    profile_history = tmp_path / "profile" / "data" / "history.sqlite3"
    profile_history.parent.mkdir(parents=True)
    profile_history.write_bytes(b"this is not a database" * 100)
    window = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    text = cancel_via_ui(qtbot, window, "still-works")
    assert text.startswith("No calls were cancelled")
    assert window.notice.isVisible() and "history file is damaged" in window.notice.body.text()
    qtbot.waitUntil(lambda: window.history_page.problem.isVisibleTo(window.history_page))
    assert "damaged" in window.history_page.problem.body.text()
    window.close()
    window.controller.context.history.close()


def test_add_account_keeps_the_key_in_the_keyring_only(qtbot, window, memory_keyring):
    dialog = window.open_accounts()
    qtbot.waitUntil(lambda: dialog.store is not None)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    entry = dialog.findChild(KeyEntryDialog)
    save = entry.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.keyClicks(entry.name, "Branch 2")
    qtbot.keyClicks(entry.key, "not-a-key")
    assert not save.isEnabled() and entry.key_error.text().startswith("The key contains “n”.")
    assert entry.key_error.text().endswith("Tick Show to see what was typed.")  # the field shows dots
    qtbot.mouseClick(entry.show_key, Qt.MouseButton.LeftButton)
    assert entry.key.echoMode() == QLineEdit.EchoMode.Normal and "Tick Show" not in entry.key_error.text()
    entry.key.clear()
    qtbot.keyClicks(entry.key, KEY_B.upper().replace("-", ""))  # pasted without dashes: fine
    assert save.isEnabled() and not entry.key_error.isVisible()
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Branch 2" in window.controller.settings.accounts)
    assert memory_keyring.entries[("VoiceBroadcastDesk", "Branch 2")] == KEY_B.upper()  # as typed, with dashes
    settings_text = window.controller.context.profile.settings_file.read_text()
    assert "Branch 2" in settings_text and KEY_B not in settings_text and KEY_B.upper() not in settings_text
    assert window.account.findData("Branch 2") >= 0
    dialog.close()


def test_key_is_masked_and_reveal_hides_itself(qtbot, window, monkeypatch):
    monkeypatch.setattr(accounts_dialog, "REVEAL_SECONDS", 0.3)
    dialog = window.open_accounts()
    qtbot.waitUntil(lambda: dialog.key_label.text() == "••••-…-8e7d")
    qtbot.mouseClick(dialog.reveal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.key_label.text() == KEY_A)
    qtbot.waitUntil(lambda: dialog.key_label.text() == "••••-…-8e7d", timeout=3000)
    dialog.close()


def test_rename_default_and_delete_account(qtbot, window, memory_keyring, monkeypatch):
    dialog = window.open_accounts()
    qtbot.waitUntil(lambda: dialog.store is not None)
    monkeypatch.setattr(accounts_dialog.QInputDialog, "getText", lambda *a, **k: ("Head office", True))
    qtbot.mouseClick(dialog.rename_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.controller.settings.accounts == ["Head office"])
    assert memory_keyring.entries == {("VoiceBroadcastDesk", "Head office"): KEY_A}
    assert window.controller.settings.default_account == "Head office"
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    click_message_box(qtbot, dialog, "Delete")
    qtbot.waitUntil(lambda: window.controller.settings.accounts == [])
    assert memory_keyring.entries == {}
    assert window.controller.accounts.current == ""
    dialog.close()


def test_no_keyring_offers_this_session_only(qtbot, tmp_path, app_sandbox, fail_keyring):
    window = make_window(qtbot, tmp_path, app_sandbox, fail_keyring)
    qtbot.waitUntil(lambda: window.controller.store is not None)
    assert not window.controller.store.secure
    assert window.notice.isVisible() and "cannot be saved" in window.notice.headline.text()
    assert "for this session only" in window.notice.body.text()
    dialog = window.open_accounts()
    qtbot.waitUntil(lambda: dialog.store is not None)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    entry = dialog.findChild(KeyEntryDialog)
    assert entry.session_only.isVisible() and entry.session_only.isChecked()
    qtbot.keyClicks(entry.name, "Temp")
    qtbot.keyClicks(entry.key, KEY_A)
    qtbot.mouseClick(entry.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Temp" in window.controller.settings.accounts)
    assert window.controller.keys.is_session_only("Temp")
    assert KEY_A not in window.controller.context.profile.settings_file.read_text()
    dialog.close()
    window.account.setCurrentIndex(window.account.findData("Temp"))
    assert cancel_via_ui(qtbot, window, "works").startswith("No calls were cancelled")
    window.close()
    window.controller.context.history.close()


def test_a_key_removed_outside_the_app_gets_a_clear_message(qtbot, window, memory_keyring):
    memory_keyring.entries.clear()
    text = cancel_via_ui(qtbot, window, "gone")
    assert "License key unavailable" in text and "removed outside this app" in text


def test_settings_refuse_plain_http_to_a_remote_host(qtbot, window):
    dialog = window.open_settings()
    dialog.endpoint.setText("http://ws.esendex.us/NotifyWS/PhoneNotify.asmx")
    dialog.accept()
    assert dialog.isVisible() and "must start with https://" in dialog.endpoint_error.text()
    dialog.endpoint.setText("https://ws.esendex.us/NotifyWS/PhoneNotify.asmx")
    dialog.timeout.setValue(12)
    dialog.accept()
    assert window.controller.settings.timeout_seconds == 12
    assert '"timeout_seconds": 12.0' in window.controller.context.profile.settings_file.read_text()


def test_geometry_and_last_account_are_remembered(qtbot, tmp_path, app_sandbox, memory_keyring):
    first = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {"A": KEY_A, "B": KEY_B})
    first.account.setCurrentIndex(first.account.findData("B"))
    first.resize(900, 700)
    first.close()
    first.controller.context.history.close()
    from desktop_app.storage.settings import Settings

    saved = Settings.load(first.controller.context.profile.settings_file)
    assert saved.last_account == "B" and saved.window_geometry
    QApplication.processEvents()
