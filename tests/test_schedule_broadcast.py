"""Issue #13's test broadcast and issue #11's booking points on the Schedule page, in a real window
over real HTTP to the sandbox: several numbers in one NotifyMultiplePhoneAdvanced with one
reference ID, every bad line listed, duplicates removed, a cap, "Cancel this test broadcast", a lost
answer settled per number, codes 45/46 booked, 39 explained, MaxCallLength and the caller ID
defaults, and saved test numbers kept in the settings only."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_app.sandbox import DEMO_KEY
from desktop_app.service import booking_problem
from desktop_app.storage.settings import Settings
from desktop_app.ui.pages.schedule_numbers import MAX_NUMBERS
from tests.conftest import KEY_A, close_window, make_window
from tests.support import cell
from tests.test_ui import click_message_box

TEXT = "This is a test broadcast."


@pytest.fixture
def demo_window(qtbot, tmp_path, app_sandbox, memory_keyring):
    win = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {"Demo": DEMO_KEY})
    win.tabs.setCurrentWidget(win.schedule_page)
    yield win
    close_window(win)


def send(qtbot, page, numbers: str, reference: str = "bc-1", signal: str = "broadcast"):
    page.phone.setText(numbers)
    page.text.setPlainText(TEXT)
    page.reference.setText(reference)
    with qtbot.waitSignal(getattr(page, signal), timeout=10_000) as answered:
        qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    return answered.args[0]


def test_several_numbers_go_out_as_one_broadcast_with_one_reference_id(qtbot, demo_window, app_sandbox):
    page = demo_window.schedule_page
    numbers = "757-555-1230\n757-555-0046\n(757) 555-0045\n757-555-0039, 757-555-1231"
    results = send(qtbot, page, numbers)
    assert app_sandbox.operations["NotifyMultiplePhoneAdvanced"] == 1
    assert app_sandbox.operations["NotifyPhoneAdvanced"] == 0
    assert {app_sandbox.state.calls[r.queue_id].reference_id for r in results if r.queue_id} == {"bc-1"}
    assert page.result.headline.text() == "4 of 5 numbers booked"
    refused = booking_problem(39).rstrip(".")
    assert page.result.body.text().startswith(f"4 of 5 booked; 1 not booked: {refused}. Reference ID: bc-1")
    assert page.table.isVisible() and page.model.rowCount() == 5
    assert [cell(page.table, row, page.model.column_of("Phone number")) for row in range(5)][2] == "(757) 555-0045"
    assert cell(page.table, 1, page.model.column_of("Status")) == "Booked — About to be dialled"
    assert cell(page.table, 3, page.model.column_of("Status")) == f"Not booked: {booking_problem(39)}"
    assert cell(page.table, 3, page.model.column_of("QueueID")) == "—"
    records = demo_window.controller.desk.history.records()
    assert len(records) == 5 and sorted(r.outcome for r in records) == ["error"] + ["ok"] * 4
    assert page.cancel_broadcast.isVisible() and not page.cancel_this.isVisible()


def test_broadcast_validation_lists_every_bad_line_and_removes_duplicates(qtbot, demo_window, app_sandbox):
    page = demo_window.schedule_page
    page.phone.setText("757-555-1230\n555-12\n757-555-1230\nabc\n757 555 1230")
    assert page.form.numbers_note.text() == "2 duplicate numbers removed: each number is called once."
    page.text.setPlainText(TEXT)
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    lines = page.errors["phone_number"].text().splitlines()
    assert len(lines) == 2 and lines[0].startswith("Number 2 (“555-12”): ") and "10 digits" in lines[0]
    assert lines[1].startswith("Number 4 (“abc”): ")
    page.phone.setText("\n".join(f"757-555-{1000 + n}" for n in range(MAX_NUMBERS + 1)))
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    assert f"at most {MAX_NUMBERS}" in page.errors["phone_number"].text()
    assert app_sandbox.operations["NotifyMultiplePhoneAdvanced"] == 0


def test_cancel_this_test_broadcast_opens_cancel_with_the_reference_id(qtbot, demo_window, app_sandbox):
    page = demo_window.schedule_page
    send(qtbot, page, "757-555-1230\n757-555-0046\n757-555-0039", reference="bc-cancel")
    with qtbot.waitSignal(demo_window.controller.cancelReferenceRequested) as asked:
        qtbot.mouseClick(page.cancel_broadcast, Qt.MouseButton.LeftButton)
    assert asked.args == ["bc-cancel"]
    # The count that comes back is the number still not started: the two booked, not the refused one.
    assert demo_window.controller.desk.cancel_by_reference_id("Demo", "bc-cancel").cancelled == 2


def test_five_lines_with_a_refused_number_and_a_duplicate_then_cancel_by_reference_gives_the_count(
    qtbot, demo_window, app_sandbox
):
    """The whole loop in the window: five lines, one a duplicate (removed, the user told) and one a
    number the service refuses; then "Cancel this test broadcast" opens Cancel with the reference
    ID, and the count that comes back is the three calls booked and not yet started."""
    page = demo_window.schedule_page
    page.phone.setText("757-555-1230\n757-555-1231\n757-555-0039\n757-555-1230\n757-555-1232")
    assert page.form.numbers_note.text() == "1 duplicate number removed: each number is called once."
    results = send(qtbot, page, page.phone.toPlainText(), reference="bc-loop")
    assert len(results) == 4 and page.result.headline.text() == "3 of 4 numbers booked"
    qtbot.mouseClick(page.cancel_broadcast, Qt.MouseButton.LeftButton)
    cancel = demo_window.cancel_page
    assert demo_window.current_page() is cancel and cancel.reference.text() == "bc-loop"
    qtbot.mouseClick(cancel.cancel_button, Qt.MouseButton.LeftButton)
    click_message_box(qtbot, cancel, "Cancel the calls")
    qtbot.waitUntil(lambda: cancel.result.isVisible() and not cancel.in_flight, timeout=10_000)
    assert cancel.result.headline.text() == "3 calls cancelled"
    assert app_sandbox.operations["CancelNotifyByReferenceID"] == 1


def test_a_lost_broadcast_answer_is_unknown_for_the_whole_batch_then_checked_per_number(
    qtbot, demo_window, app_sandbox
):
    page = demo_window.schedule_page
    app_sandbox.faults.inject("malformed_xml", operation="NotifyMultiplePhoneAdvanced")  # booked, answer lost
    page.phone.setText("757-555-1230\n757-555-1231\n757-555-0039")
    page.text.setPlainText(TEXT)
    with qtbot.waitSignal(page.failed, timeout=10_000) as failed:
        qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    assert "all 3 numbers" in failed.args[0] and page.check_booked.isVisible()
    history = demo_window.controller.desk.history
    assert [r.outcome for r in history.records()] == ["unknown"] * 3
    app_sandbox.faults.clear()
    with qtbot.waitSignal(page.checked, timeout=10_000) as checked:
        qtbot.mouseClick(page.check_booked, Qt.MouseButton.LeftButton)
    found = checked.args[0]
    assert [status is not None for status in found] == [True, True, False]  # 0039 was refused (39)
    assert page.result.headline.text() == "Looked up: 2 of 3 numbers were booked"
    assert cell(page.table, 2, page.model.column_of("Status")) == "Not booked (looked up)"
    confirmations = [r for r in history.records() if r.inputs.get("confirmation")]
    assert sorted(r.outcome for r in confirmations) == ["error", "ok", "ok"]


@pytest.mark.parametrize(("number", "words"), [("757-555-0046", "About to be dialled"), ("757-555-0045", "Preparing")])
def test_codes_45_and_46_are_booked_in_plain_words_and_can_be_cancelled(qtbot, window, number, words):
    page = window.schedule_page
    window.tabs.setCurrentWidget(page)
    result = send(qtbot, page, number, reference="bk-46", signal="scheduled")
    assert result.booked and result.response_code in (45, 46)
    assert page.result.kind == "success" and page.result.headline.text() == f"Booked — QueueID {result.queue_id}"
    assert f"Status: {words}" in page.result.body.text() and page.cancel_this.isVisible()
    assert window.controller.desk.history.records()[0].outcome == "ok"


def test_a_demo_refusal_39_shows_its_own_message_and_what_to_do(qtbot, demo_window):
    page = demo_window.schedule_page
    result = send(qtbot, page, "757-555-0039", reference="demo-39", signal="scheduled")
    assert not result.booked and page.result.kind == "error"
    assert page.result.headline.text() == "Not booked" and page.result.body.text() == result.problem
    assert page.result.isVisible() and not page.cancel_this.isVisible() and not page.another.isVisible()


def test_max_call_length_is_the_services_default_under_more_options(qtbot, window, app_sandbox):
    page = window.show_page("schedule")  # shown, so what is hidden on it is really hidden
    qtbot.waitExposed(page)
    assert page.isVisible() and page.form.more_button.isVisible() and not page.form.more_button.isChecked()
    assert not page.form.more.isVisible()  # "More options" is collapsed by default
    assert page.max_length.value() == 0 and page.max_length.text() == "The service's default"
    qtbot.mouseClick(page.form.more_button, Qt.MouseButton.LeftButton)  # and it opens on request
    assert page.form.more.isVisible() and page.max_length.isVisible()


def test_the_caller_id_defaults_to_the_administrators_setting(qtbot, tmp_path, app_sandbox, memory_keyring):
    win = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    win.controller.settings.default_caller_id = "757-555-0100"
    win.controller.settings_saved()  # as after the Settings dialog or a site file
    assert win.schedule_page.caller_number.text() == "757-555-0100"
    close_window(win)


def test_saved_test_numbers_live_in_the_settings_never_in_the_history(qtbot, window):
    page = window.schedule_page
    page.phone.setText("757.555.0046\n757-555-1230")
    assert page.test_numbers.save("Desk phone") == 2
    path = window.controller.context.profile.settings_file
    saved = Settings.load(path).test_numbers
    assert saved == [
        {"name": "Desk phone", "number": "757-555-0046"},
        {"name": "Desk phone 2", "number": "757-555-1230"},
    ]
    page.phone.setText("")
    menu = page.form.saved_button.menu()
    next(a for a in menu.actions() if a.text() == "Desk phone 2 — 757-555-1230").trigger()
    assert page.phone.text() == "757-555-1230"
    page.test_numbers.remove("757-555-0046")
    assert Settings.load(path).test_numbers == [{"name": "Desk phone 2", "number": "757-555-1230"}]
    assert window.controller.desk.history.records() == []
