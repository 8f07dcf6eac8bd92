"""From the service's answers to the app's dataclasses, value by value (written to kill the mutants
mutmut left alive in desktop_app/service/convert.py; see docs/testing.md). zeep objects are stood in
for by plain namespaces with the same attribute names; no network."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace

import pytest

from desktop_app.service.convert import advanced_request, as_utc, items, scheduled, status
from desktop_app.service.errors import UnexpectedResponse
from desktop_app.service.models import CallRequest, CallStatus

WHEN = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def new_york(monkeypatch):
    """The machine's local time zone is New York, so a time read as local would be 5 hours off.
    Only POSIX can change a running process's zone (TZ and time.tzset); on Windows the machine's own
    zone stays, and the test checks the same answer (a mistake shows only where that zone is not UTC)."""
    if not hasattr(time, "tzset"):
        yield
        return
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_time_without_a_zone_is_read_as_utc_not_as_local_time(new_york):
    assert as_utc(datetime(2030, 1, 1, 12, 0)) == WHEN
    assert as_utc(datetime(2030, 1, 1, 12, 0)).tzinfo is UTC


def test_a_time_with_an_offset_is_converted_to_utc():
    moment = datetime(2030, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert as_utc(moment) == WHEN and as_utc(moment).utcoffset() == timedelta(0)


def test_only_year_one_is_the_not_yet_placeholder():
    assert as_utc(datetime(1, 1, 1, 1, 0)) is None
    assert as_utc(datetime(2, 1, 1)) == datetime(2, 1, 1, tzinfo=UTC)
    assert as_utc(None) is None and as_utc("2030-01-01T12:00:00") is None


def test_items_reads_a_wrapped_array_a_plain_list_or_nothing_and_drops_empty_entries():
    assert items(None, "Variable") == []
    assert items(SimpleNamespace(), "Variable") == []  # an empty array: zeep leaves the attribute out
    assert items(SimpleNamespace(Variable=None), "Variable") == []
    assert items(SimpleNamespace(Variable=[1, None, 2]), "Variable") == [1, 2]
    assert items([None, 3], "Variable") == [3]


def zeep_status(**fields) -> SimpleNamespace:
    values = dict(
        QueueID=None,
        ResponseCode=0,
        ResponseText=None,
        CallComplete=None,
        CallAnswered=None,
        TryCount=None,
        Demo=None,
        Duration=None,
        StartTime=None,
        EndTime=None,
        MinuteRate=None,
        MachineDetection=None,
        DigitsPressed=None,
        Country=None,
        TextToSay=None,
        VariableArray=None,
    )
    values.update(fields)
    return SimpleNamespace(**values)


def test_a_status_with_every_optional_field_missing_reads_as_zeros_and_empty_texts():
    assert status(zeep_status()) == CallStatus(
        queue_id=0,
        response_code=0,
        response_text="",
        call_complete=False,
        answered=False,
        try_count=0,
        demo=False,
        duration_seconds=0,
        start_utc=None,
        end_utc=None,
        minute_rate=0.0,
        machine_detection="",
        digits_pressed="",
        country="",
        text_to_say="",
        variables={},
    )


def test_a_full_status_keeps_every_value():
    variable = SimpleNamespace(VariableName="name", VariableValue="Ann")
    empty = SimpleNamespace(VariableName=None, VariableValue=None)
    item = zeep_status(
        QueueID=4093250,
        ResponseCode=1,
        ResponseText="Call Answered",
        CallComplete=True,
        CallAnswered=True,
        TryCount=2,
        Demo=True,
        Duration=68,
        StartTime=datetime(2030, 1, 1, 12, 0),
        EndTime=datetime(2030, 1, 1, 12, 1, 8),
        MinuteRate=Decimal("0.25"),
        MachineDetection="HUMAN",
        DigitsPressed="12",
        Country="US",
        TextToSay="Hello",
        VariableArray=SimpleNamespace(Variable=[variable, empty]),
    )
    assert status(item) == CallStatus(
        queue_id=4093250,
        response_code=1,
        response_text="Call Answered",
        call_complete=True,
        answered=True,
        try_count=2,
        demo=True,
        duration_seconds=68,
        start_utc=WHEN,
        end_utc=WHEN + timedelta(seconds=68),
        minute_rate=0.25,
        machine_detection="HUMAN",
        digits_pressed="12",
        country="US",
        text_to_say="Hello",
        variables={"name": "Ann", "": ""},
    )


@pytest.mark.parametrize(("rate", "read"), [(Decimal("0.07"), 0.07), (3, 3.0), (0.5, 0.5), ("0.07", 0.0), (None, 0.0)])
def test_a_minute_rate_is_read_only_from_a_number(rate, read):
    assert status(zeep_status(MinuteRate=rate)).minute_rate == read


def call() -> CallRequest:
    return CallRequest("7575551230", "Hello", WHEN, reference_id="appt-1")


def test_a_booking_keeps_the_queue_id_code_text_and_the_calls_reference_and_time():
    answer = SimpleNamespace(QueueID=4093250, ResponseCode=0, ResponseText=None)
    booked = scheduled(answer, call())
    assert (booked.queue_id, booked.response_code, booked.response_text) == (4093250, 0, "")
    assert (booked.reference_id, booked.scheduled_utc) == ("appt-1", WHEN)
    refused = scheduled(SimpleNamespace(QueueID=None, ResponseCode=11, ResponseText="Demo not allowed"), call())
    assert (refused.queue_id, refused.response_code, refused.response_text) == (0, 11, "Demo not allowed")


MESSAGE = (
    "The server's answer did not say which call was booked. Outcome unknown: the call may or may not have been "
    "booked. Check the call's status before trying again."
)


@pytest.mark.parametrize(
    "answer",
    [
        None,
        SimpleNamespace(QueueID=None, ResponseCode=0, ResponseText=""),
        SimpleNamespace(QueueID=0, ResponseCode=18, ResponseText=""),
    ],
)
def test_no_answer_or_a_booking_code_without_a_queue_id_is_an_unknown_outcome(answer):
    with pytest.raises(UnexpectedResponse) as error:
        scheduled(answer, call())
    assert str(error.value) == MESSAGE
    assert error.value.outcome_unknown is True


def test_the_advanced_request_sends_every_field_and_none_for_empty_optional_texts():
    request = CallRequest(
        "7575551230",
        "Hello",
        datetime(2030, 1, 1, 7, 0, 0, 123456, tzinfo=timezone(timedelta(hours=-5))),
        reference_id="appt-1",
        voice_id=3,
        caller_id_number="7575550000",
        caller_id_name="Clinic",
        transfer_number="7575550001",
        try_count=2,
        next_try_seconds=240,
        tts_rate=12,
        tts_volume=80,
        max_call_length=600,
        status_change_post_url="https://example.com/hook",
    )
    assert advanced_request("key", request) == {
        "PhoneNumberToDial": "7575551230",
        "TransferNumber": "7575550001",
        "VoiceID": 3,
        "CallerIDNumber": "7575550000",
        "CallerIDName": "Clinic",
        "TextToSay": "Hello",
        "LicenseKey": "key",
        "TryCount": 2,
        "NextTryInSeconds": 240,
        "UTCScheduledDateTime": "2030-01-01T12:00:00.123Z",
        "TTSrate": 12,
        "TTSvolume": 80,
        "MaxCallLength": 600,
        "StatusChangePostUrl": "https://example.com/hook",
        "ReferenceID": "appt-1",
    }
    bare = advanced_request("key", CallRequest("7575551230", "Hello", WHEN))
    assert [name for name, value in bare.items() if value is None] == [
        "TransferNumber",
        "CallerIDNumber",
        "CallerIDName",
        "StatusChangePostUrl",
        "ReferenceID",
    ]
    assert (bare["TryCount"], bare["NextTryInSeconds"], bare["TTSrate"], bare["TTSvolume"]) == (1, 180, 10, 100)
    assert (bare["VoiceID"], bare["MaxCallLength"]) == (0, 0)
