"""Issue #12's Schedule findings, one test each, in a real window over real HTTP to the sandbox:
the answer is on screen without scrolling, the booked reference ID stays, only "Schedule another"
resets, a second booking asks first, every problem is listed at once and clears when fixed, no
error sits beside an old success, and one rule for times in the past."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QMessageBox

from desktop_app.service import validation as check
from desktop_app.ui.pages import schedule_form
from desktop_app.ui.pages.schedule_result import REBOOK_WINDOW
from tests.conftest import KEY_A, close_window, make_window
from tests.test_ui import click_message_box

NUMBER = "757-555-1230"
TEXT = "Your appointment is tomorrow at 10."


@pytest.fixture
def small_window(qtbot, tmp_path, app_sandbox, memory_keyring):
    win = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    win.resize(640, 480)
    win.tabs.setCurrentWidget(win.schedule_page)
    qtbot.waitUntil(lambda: win.controller.store is not None and win.width() == 640)
    yield win
    close_window(win)


def fill(page, number: str = NUMBER, text: str = TEXT, reference: str = "appt-42") -> None:
    page.phone.setText(number)
    page.text.setPlainText(text)
    page.reference.setText(reference)


def book(qtbot, page):
    with qtbot.waitSignal(page.scheduled, timeout=10_000) as signal:
        qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    return signal.args[0]


def on_screen(widget) -> bool:
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


@pytest.mark.parametrize("size", [(640, 480), (860, 680)])
def test_the_result_is_on_screen_without_scrolling(qtbot, small_window, size):
    small_window.resize(*size)
    qtbot.waitUntil(lambda: small_window.width() == size[0])
    page = small_window.schedule_page
    fill(page)
    booked = book(qtbot, page)
    assert on_screen(page.result) and on_screen(page.result.headline) and on_screen(page.another)
    assert page.result.headline.text() == f"Booked — QueueID {booked.queue_id}"
    assert page.form_scroll.verticalScrollBar().value() == 0  # nobody had to scroll to see it


def test_the_booked_reference_id_stays_visible_in_the_result(qtbot, small_window):
    page = small_window.schedule_page
    fill(page, reference="appt-42")
    book(qtbot, page)
    assert page.reference.text() == "appt-42"  # not silently replaced by a new one
    assert "Reference ID: appt-42" in page.result.body.text() and page.copy_reference.isVisible()


def test_only_schedule_another_resets_the_form_and_makes_a_new_id(qtbot, small_window, app_sandbox):
    page = small_window.schedule_page
    fill(page, reference="first-one")
    book(qtbot, page)
    assert (page.phone.text(), page.text.toPlainText()) == (NUMBER, TEXT)  # still there to read
    qtbot.waitUntil(
        page.another.isEnabled, timeout=5000
    )  # greyed out for a second after the answer (test_schedule_slips)
    qtbot.mouseClick(page.another, Qt.MouseButton.LeftButton)
    assert page.phone.text() == "" and page.text.toPlainText() == ""
    assert page.reference.text().startswith("test-") and page.reference.text() != "first-one"
    assert not page.result.isVisible() and page.phone.hasFocus()
    assert app_sandbox.operations["NotifyPhoneAdvanced"] == 1


def test_a_second_booking_of_the_same_call_within_minutes_asks_first(qtbot, small_window, app_sandbox):
    page = small_window.schedule_page
    fill(page)
    booked = book(qtbot, page)
    start = datetime.now(UTC)
    page.now = lambda: start + timedelta(minutes=2, seconds=5)
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)  # the second click
    box = next(b for b in page.findChildren(QMessageBox) if b.isVisible())
    assert box.text() == f"You booked this call 2 minutes ago (QueueID {booked.queue_id}). Book it again?"
    click_message_box(qtbot, page, "No")
    assert app_sandbox.operations["NotifyPhoneAdvanced"] == 1  # not booked twice

    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.scheduled, timeout=10_000) as again:
        click_message_box(qtbot, page, "Book it again")
    assert again.args[0].queue_id != booked.queue_id and app_sandbox.operations["NotifyPhoneAdvanced"] == 2

    page.now = lambda: start + REBOOK_WINDOW + timedelta(minutes=3)  # long after: no question
    book(qtbot, page)
    assert app_sandbox.operations["NotifyPhoneAdvanced"] == 3


def test_the_form_lists_every_problem_at_once(qtbot, small_window, app_sandbox):
    page = small_window.schedule_page
    page.phone.setText("555-12")
    page.text.setPlainText("   ")
    page.reference.setText("has spaces")
    page.caller_name.setText("n" * 80)
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    shown = {field for field, error in page.errors.items() if error.isVisible()}
    assert shown == {"phone_number", "text_to_say", "reference_id", "caller_id_name"}
    assert page.form.more.isVisible()  # the collapsed section opens to show its problem
    # Named, not "marked in red": colour alone says nothing to some; the first one has the focus.
    named = "Phone number(s) to dial, Text to say, Reference ID, Caller ID name"
    assert page.problems.text() == f"4 things to fix: {named}."
    assert page.phone.hasFocus() and page.phone.accessibleDescription() == page.errors["phone_number"].text()
    assert app_sandbox.operations["NotifyPhoneAdvanced"] == 0


def test_a_fields_error_clears_when_the_field_becomes_valid(qtbot, small_window):
    page = small_window.schedule_page
    page.phone.setText("555-12")
    page.text.setPlainText("")
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    assert page.errors["phone_number"].isVisible() and page.errors["text_to_say"].isVisible()
    page.phone.setText(NUMBER)  # typed right: its message goes at once, without another click
    assert not page.errors["phone_number"].isVisible()
    assert page.errors["text_to_say"].isVisible()  # the other one stays until it is right
    qtbot.keyClicks(page.text, "Hello")
    assert not page.errors["text_to_say"].isVisible()


def test_a_new_error_never_sits_beside_an_old_failure(qtbot, small_window, app_sandbox):
    """An earlier booking stays until "Schedule another" (test_schedule_slips); an earlier failure goes."""
    page = small_window.schedule_page
    fill(page)
    app_sandbox.faults.inject("soap_fault", operation="NotifyPhoneAdvanced")
    with qtbot.waitSignal(page.failed, timeout=10_000):
        qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    assert page.result.isVisible()
    page.phone.setText("555-12")
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    assert page.errors["phone_number"].isVisible()
    assert not page.result.isVisible() and page.result.kind is None


def test_the_schedule_button_stays_on_screen_when_errors_appear(qtbot, small_window):
    page = small_window.schedule_page
    page.form.show_more(True)
    page.phone.setText("1")
    page.caller_number.setText("2")
    page.caller_name.setText("\x00")
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    assert len([e for e in page.errors.values() if e.isVisible()]) == 4
    assert on_screen(page.schedule_button) and on_screen(page.problems)


def test_one_rule_for_times_in_the_past(qtbot, small_window, app_sandbox):
    assert check.PAST_TIME_LIMIT == schedule_form.PAST_TIME_LIMIT == timedelta(days=1)
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert 'up to a day in the past is sent as "now"; older is refused' in readme
    page = small_window.schedule_page
    fill(page)
    page.when.setDateTime(QDateTime.currentDateTime().addSecs(-3 * 3600))  # this morning: "now"
    assert "has passed, so the call is placed straight away" in page.utc_label.text()
    booked = book(qtbot, page)
    stored = app_sandbox.state.calls[booked.queue_id]
    assert abs((stored.scheduled_utc - datetime.now(UTC)).total_seconds()) < 120
    page.when.setDateTime(QDateTime.currentDateTime().addSecs(-25 * 3600))  # yesterday: a mistake
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    assert page.errors["scheduled_time"].text() == check.PAST_TIME_MESSAGE
    assert app_sandbox.operations["NotifyPhoneAdvanced"] == 1
