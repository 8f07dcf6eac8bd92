"""Hostile and odd input through the real widgets: clear messages, no crash, nothing sent."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone

from desktop_app.service import validation as check
from tests.test_ui import cancel_via_ui

RTL = "שלום، مرحبا"


def submit(qtbot, window, **fields):
    page = window.schedule_page
    window.tabs.setCurrentWidget(page)
    page.phone.setText(fields.get("phone", "757-555-1230"))
    page.text.setPlainText(fields.get("text", "Hello"))
    page.reference.setText(fields.get("reference", "ok-ref"))
    page.caller_name.setText(fields.get("caller_name", ""))
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    return {name: error.text() for name, error in page.errors.items() if error.isVisible()}


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"text": "x" * 5000}, "text_to_say", "at most 4000 characters"),
        ({"text": "Hello\x07there"}, "text_to_say", "invisible control characters"),
        ({"text": "   "}, "text_to_say", "Enter the text"),
        ({"phone": RTL}, "phone_number", "only digits"),
        ({"phone": "555-0199"}, "phone_number", "needs 10 digits"),
        ({"phone": "+44 20 7946 0958"}, "phone_number", "needs 10 digits"),
        ({"reference": "two words"}, "reference_id", "contains a space"),
        ({"reference": "a,b"}, "reference_id", "Commas and semicolons separate"),
        ({"reference": "r" * 51}, "reference_id", "at most 50 characters"),
        ({"reference": RTL}, "reference_id", "may contain only"),
        ({"caller_name": "n" * 80}, "caller_id_name", "at most 50"),
        ({"caller_name": "Bad\x00name"}, "caller_id_name", "control characters"),
    ],
)
def test_bad_fields_get_a_clear_message_and_nothing_is_sent(qtbot, window, app_sandbox, fields, field, words):
    errors = submit(qtbot, window, **fields)
    assert field in errors and words in errors[field], errors
    assert app_sandbox.operations["NotifyPhoneAdvanced"] == 0


@pytest.mark.parametrize(
    "pasted",
    [
        "(757) 555-1230",
        "757.555.1230",
        " +1 757 555 1230 ",
        "1-757-555-1230",
        "7575551230",
        "757-555-1230 x12",
        "757 555 1230 ext. 12",
    ],
)
def test_pasted_phone_numbers_in_any_format(qtbot, window, app_sandbox, pasted):
    with qtbot.waitSignal(window.schedule_page.scheduled, timeout=10_000) as signal:
        errors = submit(qtbot, window, phone=pasted, text=f"{RTL} — ünïcødé ✓")
    assert errors == {}
    call = app_sandbox.state.calls[signal.args[0].queue_id]
    assert call.phone_number == "7575551230" and call.text_to_say.startswith(RTL)


def test_spaces_around_a_reference_id_are_trimmed(qtbot, window):
    text = cancel_via_ui(qtbot, window, "  padded-ref  ")
    assert "“padded-ref”" in text


def test_a_date_in_the_past_is_refused(qtbot, window):
    page = window.schedule_page
    window.tabs.setCurrentWidget(page)
    page.when.setDateTime(QDateTime.currentDateTime().addDays(-2))
    errors = submit(qtbot, window)
    assert "in the past" in errors["scheduled_time"]


def test_daylight_saving_gap_and_overlap_are_explained(qtbot, window):
    page = window.schedule_page
    window.tabs.setCurrentWidget(page)
    page.set_time_zone(QTimeZone(b"America/New_York"))
    page.when.setDateTime(QDateTime(QDate(2027, 11, 7), QTime(1, 30), QTimeZone(b"America/New_York")))
    assert page.time_note.isVisible() and "happens twice" in page.time_note.text()
    assert "05:30 UTC" in page.time_note.text()
    page.when.setDateTime(QDateTime(QDate(2027, 11, 8), QTime(1, 30), QTimeZone(b"America/New_York")))
    assert not page.time_note.isVisible()
    # In the spring gap 02:30 does not exist: Qt moves it an hour on, to 03:30 EDT, which does exist,
    # so the field shows 03:30, the UTC line says what will really be sent, and no note is needed.
    page.when.setDateTime(QDateTime(QDate(2027, 3, 14), QTime(2, 30), QTimeZone(b"America/New_York")))
    assert page.when.dateTime().time() == QTime(3, 30)
    assert "2027-03-14 07:30 UTC" in page.utc_label.text()
    assert not page.time_note.isVisible()


def test_local_time_notes():
    zone = ZoneInfo("Europe/Paris")
    assert "does not exist" in check.local_time_note(datetime(2027, 3, 28, 2, 30), zone)
    assert "happens twice" in check.local_time_note(datetime(2027, 10, 31, 2, 30), zone)
    assert check.local_time_note(datetime(2027, 6, 1, 2, 30), zone) == ""
