"""Issue 23, findings 2 and 9: a reference ID typed in other capitals (or with spaces), and what the
cancel confirmations say before anything is sent. The real window on a real controller (worker
threads, keyring, history) against the sandbox over HTTP; calls are booked on the Schedule page,
as the user booked them.

Whether the live service tells "case-test" from "CASE-TEST" is not known. The sandbox matches
exactly; one test runs it case-insensitively too: the app is right either way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop_app.sandbox import state as sandbox_state
from desktop_app.service import new_call_request
from desktop_app.ui.widgets import Tone
from tests.conftest import KEY_A
from tests.test_ui import click_message_box, schedule_via_ui

NOT_BOOKED_HERE = "This desk has not booked calls with this reference ID; other desks or programs may have."
TOMORROW = timedelta(days=1)


@pytest.fixture(autouse=True)
def exact_matching_sandbox(monkeypatch):
    """The sandbox's documented choice, whatever its default becomes: exact, capitals and all."""
    monkeypatch.setattr(sandbox_state, "REFERENCE_IDS_IGNORE_CASE", False, raising=False)


def hh_mm(moment: datetime) -> str:
    return f"{moment.astimezone():%H:%M}"


def book(qtbot, window, reference: str, number: str = "757-555-1230"):
    """Book a call for tomorrow on the Schedule page; returns (the booking, when it was booked)."""
    booked = schedule_via_ui(qtbot, window, number=number, reference=reference, when=datetime.now(UTC) + TOMORROW)
    assert booked.queued
    return booked, window.controller.desk.history.booking(booked.queue_id).when_utc


def open_confirmation(qtbot, page, button) -> QMessageBox:
    """Press one of the page's cancel buttons, and return the question it asks."""
    page.window().tabs.setCurrentWidget(page)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return visible_box(qtbot, page)


def visible_box(qtbot, page) -> QMessageBox:
    qtbot.waitUntil(lambda: any(b.isVisible() for b in page.findChildren(QMessageBox)))
    return [b for b in page.findChildren(QMessageBox) if b.isVisible()][-1]


def answer(qtbot, page, button_text: str) -> None:
    """Click a button of the question, and wait for the cancel to end."""
    with qtbot.waitSignal(page.cancelled, timeout=10_000):
        click_message_box(qtbot, page, button_text)


def cancel_records(window, reference_id: str):
    return [
        r
        for r in window.controller.desk.history.records()
        if r.action == "cancel_reference" and r.reference_id == reference_id
    ]


def test_case_test_cancels_nothing_then_offers_case_test_which_cancels_it(qtbot, window, app_sandbox):
    booked, booked_at = book(qtbot, window, "CASE-TEST")
    page = window.cancel_page
    page.reference.setText("case-test")
    box = open_confirmation(qtbot, page, page.cancel_button)
    # Before anything is sent: this desk never booked "case-test", but it did book CASE-TEST.
    assert box.text() == (
        "Cancel every scheduled call with reference ID “case-test” on account “Main office”?\n\n"
        f"{NOT_BOOKED_HERE} It booked calls with CASE-TEST (1 call, today at {hh_mm(booked_at)}), "
        "which differs only in capitals or spaces.\n\n"
        "Calls already in progress or completed are not affected."
    )
    assert app_sandbox.operations["CancelNotifyByReferenceID"] == 0
    answer(qtbot, page, "Cancel the calls")

    # Sent as typed; the service cancelled nothing; the page says the calls may still be scheduled.
    assert page.result.headline.text() == "No calls were cancelled"
    assert page.result.kind == Tone.WARNING
    assert "may still be scheduled" in page.result.body.text()
    assert "There are no scheduled calls with this reference ID" not in page.result.body.text()
    assert page.offer_text.isVisible()
    assert page.offer_text.text() == f"Did you mean CASE-TEST, booked today at {hh_mm(booked_at)}?"
    offer = page.offer_buttons[0]
    assert offer.isVisible() and offer.text() == "Cancel CASE-TEST…"
    assert not page.offer_buttons[1].isVisible()
    assert app_sandbox.state.calls[booked.queue_id].cancelled_utc is None  # still scheduled

    # The offer: the usual confirmation, now for CASE-TEST, which this desk knows.
    qtbot.mouseClick(offer, Qt.MouseButton.LeftButton)
    box = visible_box(qtbot, page)
    assert f"This desk booked 1 call with reference ID CASE-TEST on Main office, today at {hh_mm(booked_at)}." in (
        box.text()
    )
    assert page.reference.text() == "CASE-TEST"
    answer(qtbot, page, "Cancel the calls")
    assert page.result.headline.text() == "1 call cancelled"
    assert page.result.kind == Tone.SUCCESS
    assert not page.offer_text.isVisible() and not offer.isVisible()
    assert app_sandbox.state.calls[booked.queue_id].cancelled_utc is not None
    assert app_sandbox.operations["CancelNotifyByReferenceID"] == 2
    assert [r.count for r in cancel_records(window, "case-test")] == [0]
    assert [r.count for r in cancel_records(window, "CASE-TEST")] == [1]


def test_spaces_inside_send_nothing_and_offer_the_reference_id_booked_without_them(qtbot, window, app_sandbox):
    booked, booked_at = book(qtbot, window, "CASE-TEST")
    page = window.cancel_page
    window.tabs.setCurrentWidget(page)
    page.reference.setText(" case - test ")
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    assert page.reference_error.isVisible() and "It contains a space." in page.reference_error.text()
    qtbot.waitUntil(page.offer_text.isVisible)
    assert page.result.headline.text() == "Nothing was sent"
    assert page.offer_text.text() == f"Did you mean CASE-TEST, booked today at {hh_mm(booked_at)}?"
    assert not [b for b in page.findChildren(QMessageBox) if b.isVisible()]
    assert app_sandbox.operations["CancelNotifyByReferenceID"] == 0

    qtbot.mouseClick(page.offer_buttons[0], Qt.MouseButton.LeftButton)
    assert "This desk booked 1 call with reference ID CASE-TEST" in visible_box(qtbot, page).text()
    assert not page.reference_error.isVisible()
    answer(qtbot, page, "Cancel the calls")
    assert page.result.headline.text() == "1 call cancelled"
    assert app_sandbox.state.calls[booked.queue_id].cancelled_utc is not None
    assert [r.count for r in cancel_records(window, "CASE-TEST")] == [1]


def test_spaces_around_are_trimmed_and_other_capitals_still_offered(qtbot, window, app_sandbox):
    booked, booked_at = book(qtbot, window, "CASE-TEST")
    page = window.cancel_page
    page.reference.setText("  Case-Test\t")
    box = open_confirmation(qtbot, page, page.cancel_button)
    assert "reference ID “Case-Test”" in box.text()
    answer(qtbot, page, "Cancel the calls")
    assert page.reference.text() == "Case-Test"
    assert page.offer_text.text() == f"Did you mean CASE-TEST, booked today at {hh_mm(booked_at)}?"
    qtbot.mouseClick(page.offer_buttons[0], Qt.MouseButton.LeftButton)
    answer(qtbot, page, "Cancel the calls")
    assert page.result.headline.text() == "1 call cancelled"
    assert app_sandbox.state.calls[booked.queue_id].cancelled_utc is not None


def test_a_reference_id_this_desk_never_booked_is_sent_as_typed(qtbot, window, app_sandbox):
    """Booked by another program on the same account: this desk does not know it, says so, and sends
    exactly what was typed (capitals kept), which the service cancels."""
    client = window.controller.desk.client
    now = app_sandbox.state.clock.now()
    other = client.schedule_call(
        KEY_A,
        new_call_request(
            phone_number="757-555-1230",
            text_to_say="From another program",
            scheduled=now + TOMORROW,
            reference_id="Other-Program-7",
            now=now,
        ),
    )
    page = window.cancel_page
    page.reference.setText("Other-Program-7")
    box = open_confirmation(qtbot, page, page.cancel_button)
    assert box.text() == (
        "Cancel every scheduled call with reference ID “Other-Program-7” on account “Main office”?\n\n"
        f"{NOT_BOOKED_HERE}\n\n"
        "Calls already in progress or completed are not affected."
    )
    answer(qtbot, page, "Cancel the calls")
    assert page.result.headline.text() == "1 call cancelled"
    assert page.result.body.text().startswith("Reference ID “Other-Program-7”.")
    assert not page.offer_text.isVisible()
    assert app_sandbox.state.calls[other.queue_id].cancelled_utc is not None
    assert [r.inputs["reference_id"] for r in cancel_records(window, "Other-Program-7")] == ["Other-Program-7"]


def test_the_confirmation_states_how_many_calls_this_desk_booked_with_the_reference_id(qtbot, window, app_sandbox):
    book(qtbot, window, "remind-3", "757-555-1230")
    book(qtbot, window, "remind-3", "757-555-1232")
    _booked, last = book(qtbot, window, "remind-3", "757-555-1234")
    book(qtbot, window, "REMIND-3", "757-555-1236")
    page = window.cancel_page
    page.reference.setText("remind-3")
    box = open_confirmation(qtbot, page, page.cancel_button)
    assert (
        f"This desk booked 3 calls with reference ID remind-3 on Main office, the last today at {hh_mm(last)}. "
        "It also booked calls with REMIND-3 (1 call, today at"
    ) in box.text()
    answer(qtbot, page, "Cancel the calls")
    assert page.result.headline.text() == "3 calls cancelled"
    assert not page.offer_text.isVisible()  # something was cancelled: nothing to offer


def test_the_one_call_confirmation_shows_the_number_the_time_and_the_reference_id(qtbot, window, app_sandbox):
    booked, booked_at = book(qtbot, window, "CASE-TEST", "757-555-1230")
    when = app_sandbox.state.calls[booked.queue_id].scheduled_utc
    page = window.cancel_page
    page.queue_id.setText(str(booked.queue_id))
    box = open_confirmation(qtbot, page, page.queue_button)
    assert box.text() == (
        f"Cancel the call to 757-555-1230 at {hh_mm(when)} tomorrow, reference ID CASE-TEST?\n\n"
        f"QueueID {booked.queue_id} on account “Main office”, booked by this desk today at {hh_mm(booked_at)}."
    )
    answer(qtbot, page, "Cancel the call")
    assert page.result.headline.text() == f"Call {booked.queue_id} cancelled"
    assert app_sandbox.state.calls[booked.queue_id].cancelled_utc is not None


def test_the_one_call_confirmation_says_when_this_desk_did_not_book_the_call(qtbot, window, app_sandbox):
    now = app_sandbox.state.clock.now()
    other = window.controller.desk.client.schedule_call(
        KEY_A, new_call_request(phone_number="757-555-1230", text_to_say="Elsewhere", scheduled=now + TOMORROW, now=now)
    )
    page = window.cancel_page
    page.queue_id.setText(str(other.queue_id))
    box = open_confirmation(qtbot, page, page.queue_button)
    assert box.text() == (
        f"Cancel the call with QueueID {other.queue_id} on account “Main office”?\n\n"
        "It is not a call this desk booked, so its number and time are not known here (Find calls shows them)."
    )
    answer(qtbot, page, "Cancel the call")
    assert page.result.headline.text() == f"Call {other.queue_id} cancelled"


def test_a_service_that_ignores_capitals_cancels_at_once_and_nothing_is_offered(
    qtbot, window, app_sandbox, monkeypatch
):
    if not hasattr(sandbox_state, "same_reference_id"):
        pytest.skip("this sandbox has no case-insensitive mode")
    monkeypatch.setattr(sandbox_state, "REFERENCE_IDS_IGNORE_CASE", True)
    booked, _at = book(qtbot, window, "CASE-TEST")
    page = window.cancel_page
    page.reference.setText("case-test")
    open_confirmation(qtbot, page, page.cancel_button)
    answer(qtbot, page, "Cancel the calls")
    assert page.result.headline.text() == "1 call cancelled"
    assert page.result.kind == Tone.SUCCESS
    assert not page.offer_text.isVisible()
    assert app_sandbox.state.calls[booked.queue_id].cancelled_utc is not None


def test_the_offer_says_how_many_calls_the_other_spelling_covers():
    from desktop_app.storage.history import ReferenceBookings
    from desktop_app.ui.pages.cancel import did_you_mean

    now = datetime.now(UTC)
    one, three = ReferenceBookings("CASE-TEST", 1, now), ReferenceBookings("Case-Test", 3, now)
    clock = now.astimezone().strftime("%H:%M")
    assert did_you_mean((one,)) == f"Did you mean CASE-TEST, booked today at {clock}?"
    assert did_you_mean((three, one)) == (
        f"Did you mean Case-Test (3 calls, the last booked today at {clock}) or CASE-TEST, booked today at {clock}?"
    )
