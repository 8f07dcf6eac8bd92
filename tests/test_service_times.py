"""Times as real ASMX writes them: dateTime without a zone (read as UTC), placeholders of year 1
(meaning "not yet"), and the zoned forms, end to end over real HTTP."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

import pytest

from desktop_app.sandbox import Sandbox
from desktop_app.service import PhoneNotifyClient
from desktop_app.service.reference_data import NAMESPACE
from tests.conftest import KEY_A
from tests.test_namespaces import static_server

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def notify_return(queue_id: int, start: str, end: str, code: int = 1, complete: str = "true") -> str:
    # The children and order of a real NotifyReturn (fact sheet 5.1; S3 fixture).
    return (
        f"<NotifyReturn><ResponseCode>{code}</ResponseCode><ResponseText>Call Answered</ResponseText>"
        f"<CallAnswered>{complete}</CallAnswered><QueueID>{queue_id}</QueueID><TryCount>1</TryCount>"
        f"<Demo>false</Demo><MachineDetection>HUMAN</MachineDetection><Duration>60</Duration>"
        f"<StartTime>{start}</StartTime><EndTime>{end}</EndTime><MinuteRate>0</MinuteRate>"
        f"<CallComplete>{complete}</CallComplete></NotifyReturn>"
    )


# Recorded-style answer: ASMX writes dateTime without a zone; one item uses the Z form and one an
# offset, as other servers and proxies might.
RECORDED = (
    f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP}" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
    f'<soap:Body><GetMultipleQueueIdStatusResponse xmlns="{NAMESPACE}"><GetMultipleQueueIdStatusResult>'
    + notify_return(1, "2026-11-28T10:00:05", "2026-11-28T10:01:05.5")
    + notify_return(2, "0001-01-01T01:00:00", "0001-01-01T02:00:00", code=0, complete="false")
    + notify_return(3, "2026-11-28T10:00:05Z", "2026-11-28T12:01:05+02:00")
    + "</GetMultipleQueueIdStatusResult></GetMultipleQueueIdStatusResponse></soap:Body></soap:Envelope>"
).encode()


def test_zoneless_times_are_utc_and_placeholders_mean_not_yet():
    with static_server(lambda *_a: (200, "text/xml; charset=utf-8", RECORDED)) as (url, _seen):
        client = PhoneNotifyClient(url, timeout=5)
        answered, queued, zoned = client.get_call_statuses(KEY_A, [1, 2, 3])
        client.close()
    assert answered.start_utc == datetime(2026, 11, 28, 10, 0, 5, tzinfo=UTC)
    assert answered.end_utc == datetime(2026, 11, 28, 10, 1, 5, 500000, tzinfo=UTC)
    assert queued.start_utc is None and queued.end_utc is None and queued.cancellable
    assert zoned.start_utc == answered.start_utc and zoned.end_utc == datetime(2026, 11, 28, 10, 1, 5, tzinfo=UTC)
    assert all(s.start_utc is None or s.start_utc.tzinfo is UTC for s in (answered, queued, zoned))


@pytest.mark.skipif(
    "zoneless_times" not in inspect.signature(Sandbox).parameters,
    reason="Sandbox(zoneless_times=True) is not available yet (the recorded-envelope test covers it)",
)
def test_zoneless_times_from_the_sandbox(clock):
    from datetime import timedelta

    from desktop_app.service import new_call_request

    with Sandbox(clock=clock, zoneless_times=True) as sandbox:
        client = PhoneNotifyClient(sandbox.url, timeout=5)
        call = new_call_request(
            phone_number="757-555-1230", text_to_say="Hi", scheduled=clock.now() + timedelta(seconds=1), now=clock.now()
        )
        booked = client.schedule_call(KEY_A, call)
        assert client.get_call_status(booked.queue_id).start_utc is None
        clock.advance(300)
        done = client.get_call_status(booked.queue_id)
        client.close()
    assert done.start_utc is not None and done.start_utc.tzinfo is UTC
    assert abs(done.start_utc - clock.now()) < timedelta(seconds=300)
