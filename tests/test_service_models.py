"""What a booking, a status and a phone number mean: booked codes, account problems, plain words,
MaxCallLength and North American number checks (no network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desktop_app.service import BOOKED_CODES, InvalidInput, ScheduledCall, booking_problem, new_call_request
from desktop_app.service import validation as check
from desktop_app.service.models import CallRequest, CallStatus
from desktop_app.service.reference_data import plain_machine_detection, plain_status

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def booking(code: int, queue_id: int = 4093250) -> ScheduledCall:
    return ScheduledCall(queue_id, code, "", "ref", NOW)


def status(code: int, complete: bool = False) -> CallStatus:
    return CallStatus(1, code, "", complete, False, 0, False, 0, None, None)


@pytest.mark.parametrize("code", [0, 45, 46, 12, 18, 19, 20, 21])
def test_pending_and_in_progress_codes_with_a_queue_id_are_bookings(code):
    assert code in BOOKED_CODES
    assert booking(code).booked and booking(code).queued and booking(code).problem is None
    assert not booking(code, queue_id=0).booked


@pytest.mark.parametrize("code", [1, 2, 3, 9, 10, 11, 13, 14, 16, 22, 39])
def test_other_codes_are_not_bookings(code):
    assert not booking(code).booked


@pytest.mark.parametrize(
    ("code", "words"),
    [(10, "used up its free calls"), (11, "demo key"), (39, "FTC"), (14, "did not accept this license key")],
)
def test_account_problems_say_what_to_do(code, words):
    problem = booking(code, queue_id=0).problem
    assert problem == booking_problem(code) and words in problem
    assert "license key" in problem.lower()
    assert booking_problem(3) is None and booking(3, queue_id=0).problem is None


@pytest.mark.parametrize("code", [0, 45, 46])
def test_calls_that_have_not_started_can_be_cancelled(code):
    assert status(code).cancellable and not status(code).in_progress
    assert not status(code, complete=True).cancellable


@pytest.mark.parametrize("code", [12, 18, 19, 20, 21])
def test_calls_being_placed_are_in_progress_and_not_cancellable(code):
    assert status(code).in_progress and not status(code).cancellable


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (19, "Connecting"),
        (20, "forwarded"),
        (40, "will try again"),
        (43, "not in service"),
        (44, "changed or been disconnected"),
        (45, "sound file"),
        (46, "About to be dialled"),
    ],
)
def test_plain_words_for_statuses(code, words):
    assert words in plain_status(code)


def test_plain_words_for_machine_detection():
    assert plain_machine_detection("FAX") == "A fax machine"
    assert plain_machine_detection("unknown") == "Could not tell who answered"
    assert plain_machine_detection("HUMAN") == "A person" and plain_machine_detection(None) == ""
    assert plain_machine_detection("SOMETHING_NEW") == "SOMETHING_NEW"
    with_fax = CallStatus(1, 1, "", True, True, 1, False, 5, None, None, machine_detection="FAX")
    assert with_fax.machine_detection_text == "A fax machine"


def _request(**kw) -> CallRequest:
    return new_call_request(
        phone_number="757-555-1230", text_to_say="Hi", scheduled=NOW + timedelta(hours=1), now=NOW, **kw
    )


def test_max_call_length_defaults_to_the_services_default_and_stays_settable():
    assert CallRequest("7575551230", "Hi", NOW).max_call_length == 0
    assert _request().max_call_length == 0
    assert _request(max_call_length=600).max_call_length == 600
    with pytest.raises(InvalidInput):
        _request(max_call_length=-1)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("757-555-1230", "7575551230"),
        ("757-555-0100", "7575550100"),
        ("(757) 555-0123", "7575550123"),
        ("+1 757 555 0123", "7575550123"),
        ("1-757-555-1230", "7575551230"),
        ("757.555.1230 x123", "7575551230x123"),
        ("757-555-1230 ext. 9", "7575551230x9"),
        ("613-555-0123", "6135550123"),  # Canada
    ],
)
def test_north_american_numbers_are_accepted_and_normalised(raw, normal):
    assert check.phone_number(raw) == normal
    assert check.phone_number(normal) == normal


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("000-000-0000", "The area code 000 does not exist."),
        ("123-456-7890", "The area code 123 does not exist."),
        ("911-555-1234", "The area code 911 does not exist."),
        ("757-055-1230", "The exchange 055"),
        ("757-555-123", "needs 10 digits"),
    ],
)
def test_impossible_numbers_are_refused_with_what_is_wrong(raw, words):
    with pytest.raises(InvalidInput) as error:
        check.phone_number(raw)
    assert words in str(error.value) and error.value.field == "phone_number"
