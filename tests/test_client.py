"""The typed client against the sandbox over real HTTP: every operation, cancel rules, isolation
between keys, and every error class."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from desktop_app.sandbox.state import RING_SECONDS
from desktop_app.service import (
    CannotReachServer,
    InvalidInput,
    PhoneNotifyClient,
    ServerError,
    SoapFault,
    TimedOut,
    UnexpectedResponse,
    new_call_request,
)
from desktop_app.service.errors import ServiceError
from tests.conftest import KEY_A, KEY_B


def call(clock, ref="appt-1", number="757-555-1230", in_seconds=3600, **kw):
    return new_call_request(
        phone_number=number,
        text_to_say="Your appointment is tomorrow.",
        scheduled=clock.now() + timedelta(seconds=in_seconds),
        reference_id=ref,
        now=clock.now(),
        **kw,
    )


def test_schedule_sends_utc_with_z_from_any_zone(client, sandbox, clock):
    local = (clock.now() + timedelta(days=1)).astimezone(ZoneInfo("America/New_York"))
    request = new_call_request(
        phone_number="(757) 555-1230", text_to_say="Hi", scheduled=local, reference_id="tz", now=clock.now()
    )
    booked = client.schedule_call(KEY_A, request)
    assert booked.booked and booked.queued and booked.response_text == "Queued" and booked.queue_id > 0
    assert booked.problem is None
    stored = sandbox.state.calls[booked.queue_id]
    assert stored.scheduled_utc == local.astimezone(UTC).replace(microsecond=(local.microsecond // 1000) * 1000)
    assert stored.phone_number == "7575551230" and stored.reference_id == "tz"


def test_every_value_type_field_is_sent_explicitly(client, sandbox, clock):
    seen = {}
    original = sandbox.service._schedule

    def spy(anr):
        seen.update(anr)
        return original(anr)

    sandbox.service._schedule = spy
    client.schedule_call(KEY_A, call(clock))
    for name in (
        "VoiceID",
        "TryCount",
        "NextTryInSeconds",
        "UTCScheduledDateTime",
        "TTSrate",
        "TTSvolume",
        "MaxCallLength",
    ):
        assert name in seen, name
    assert seen["TTSrate"] == 10 and seen["TTSvolume"] == 100 and seen["TryCount"] == 1
    assert seen["MaxCallLength"] == 0  # "the service's default", as in the vendor's sample
    assert seen["UTCScheduledDateTime"][1] is True  # said UTC ("Z")


def test_cancel_by_reference_id_counts_and_second_cancel_is_zero(client, clock):
    for number in ("757-555-1230", "757-555-1231", "757-555-1232"):
        client.schedule_call(KEY_A, call(clock, ref="reminders", number=number))
    first = client.cancel_by_reference_id(KEY_A, " reminders ")
    assert first.cancelled == 3 and "credited for the 3 cancelled calls" in first.credit_notice
    second = client.cancel_by_reference_id(KEY_A, "reminders")
    assert second.cancelled == 0 and "no scheduled calls with this reference ID" in second.credit_notice


def test_in_progress_and_completed_calls_are_not_cancelled(client, clock):
    running = client.schedule_call(KEY_A, call(clock, ref="now", in_seconds=5))
    finished = client.schedule_call(KEY_A, call(clock, ref="done", in_seconds=1, number="757-555-1239"))
    clock.advance(6)
    status = client.get_call_status(running.queue_id)
    assert status.in_progress and not status.cancellable and status.response_code == 12
    assert client.cancel_call(KEY_A, running.queue_id).cancelled is False
    assert client.cancel_by_reference_id(KEY_A, "now").cancelled == 0
    clock.advance(RING_SECONDS * 2)
    done = client.get_call_status(finished.queue_id)
    assert done.call_complete and done.response_code == 2 and not done.cancellable
    assert client.cancel_by_reference_id(KEY_A, "done").cancelled == 0


def test_cancel_one_call_by_queue_id(client, clock):
    booked = client.schedule_call(KEY_A, call(clock))
    assert client.get_call_status(booked.queue_id).cancellable
    result = client.cancel_call(KEY_A, str(booked.queue_id))
    assert result.cancelled and "credited" in result.credit_notice
    status = client.get_call_status(booked.queue_id)
    assert status.response_code == 22 and status.plain_text == "Cancelled" and status.call_complete
    assert client.cancel_call(KEY_A, booked.queue_id).cancelled is False


def test_keys_are_isolated_over_the_wire(client, clock):
    mine = client.schedule_call(KEY_A, call(clock, ref="private"))
    assert client.cancel_call(KEY_B, mine.queue_id).cancelled is False
    assert client.cancel_by_reference_id(KEY_B, "private").cancelled == 0
    assert client.get_calls_to_number(KEY_B, "7575551230") == []
    other = client.get_call_status_advanced(KEY_B, mine.queue_id)
    assert other.response_code == 9  # unknown to key B
    assert client.get_call_statuses(KEY_B, [mine.queue_id])[0].response_code == 9
    assert client.cancel_by_reference_id(KEY_A, "private").cancelled == 1


def test_status_operations(client, clock):
    a = client.schedule_call(KEY_A, call(clock, ref="s1", in_seconds=1))
    b = client.schedule_call(KEY_A, call(clock, ref="s2"))
    clock.advance(300)
    statuses = client.get_call_statuses(KEY_A, [a.queue_id, b.queue_id])
    assert [s.queue_id for s in statuses] == [a.queue_id, b.queue_id]
    assert statuses[0].call_complete and statuses[0].answered and statuses[0].machine_detection == "HUMAN"
    assert statuses[0].start_utc is not None and statuses[0].end_utc > statuses[0].start_utc
    assert statuses[1].cancellable and statuses[1].start_utc is None
    by_number = client.get_calls_to_number(KEY_A, "1-757-555-1230")
    assert [s.queue_id for s in by_number] == [b.queue_id, a.queue_id]
    advanced = client.get_call_status_advanced(KEY_A, a.queue_id)
    assert advanced.text_to_say == "Your appointment is tomorrow."
    assert advanced.variables["referenceid"] == "s1" and advanced.variables["phonenumber"] == "7575551230"


def test_schedule_many_and_reference_data(client, clock):
    booked = client.schedule_calls(KEY_A, [call(clock, number="757-555-1230"), call(clock, number="757-555-1231")])
    assert [b.booked for b in booked] == [True, True]
    voices = client.get_voices()
    assert voices[0].name == "Diane" and len(voices) == 18
    codes = {c.code: c.text for c in client.get_response_codes()}
    assert codes[0] == "Queued" and codes[22] == "Cancelled"
    assert "sandbox" in client.get_version()


def test_a_rejected_call_comes_back_with_its_code(client, clock, sandbox):
    suspended = "99999999-9999-9999-9999-999999999999"
    result = client.schedule_call(suspended, call(clock))
    assert not result.booked and result.response_code == 14 and result.queue_id == 0
    assert result.plain_text.startswith("Not placed: Key Invalid")
    assert "did not accept this license key" in result.problem and "Accounts" in result.problem


def test_invalid_input_is_refused_before_anything_is_sent(client, sandbox, clock):
    before = sandbox.requests_served
    with pytest.raises(InvalidInput) as error:
        client.cancel_by_reference_id("not-a-key", "r")
    assert error.value.field == "license_key"
    with pytest.raises(InvalidInput):
        client.cancel_by_reference_id(KEY_A, "two words")
    with pytest.raises(InvalidInput):
        client.cancel_call(KEY_A, "-5")
    with pytest.raises(InvalidInput):
        call(clock, try_count=4)
    assert sandbox.requests_served == before


def _connection_counter(sandbox) -> Callable[[], int]:
    """How many TCP connections the sandbox has accepted since now (its own count, on the server
    side: the same on every operating system)."""
    start = sandbox.connections_accepted
    return lambda: sandbox.connections_accepted - start


def test_each_thread_keeps_one_session_and_connections_are_reused(client, sandbox):
    connections = _connection_counter(sandbox)
    for _ in range(20):
        client.get_version()
    with ThreadPoolExecutor(4) as pool:
        assert all("sandbox" in v for v in pool.map(lambda _i: client.get_version(), range(20)))
    assert client.open_sessions <= 5  # this thread and at most 4 workers
    assert 1 <= connections() <= 5, f"{connections()} connections for 40 calls: keep-alive is not working"


def test_close_closes_every_threads_session_from_any_thread(client):
    sessions, ready, release = [], threading.Barrier(4), threading.Event()

    def work(wait: bool = True):
        client.get_version()
        sessions.append(client._session())
        if wait:  # stay alive: a finished thread's session would be pruned
            ready.wait(5)
            release.wait(5)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    work(wait=False)
    ready.wait(5)
    try:
        assert len({id(s) for s in sessions}) == 4 and client.open_sessions == 4
        pools = [s.get_adapter(client.endpoint).poolmanager for s in sessions]
        assert all(len(p.pools) == 1 for p in pools)
        client.close()
        assert client.open_sessions == 0 and all(len(p.pools) == 0 for p in pools)
    finally:
        release.set()
        for t in threads:
            t.join()
    assert "sandbox" in client.get_version()  # still usable: a new session
    assert client._session() is not sessions[-1] and client.open_sessions == 1


def test_sessions_of_finished_threads_are_closed_when_a_new_one_is_made(client):
    finished = threading.Thread(target=client.get_version)
    finished.start()
    finished.join()
    assert client.open_sessions == 1
    client.get_version()  # this thread's new session prunes the finished thread's one
    assert client.open_sessions == 1


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_server_down(clock):
    service = PhoneNotifyClient(f"http://127.0.0.1:{_closed_port()}/NotifyWS/PhoneNotify.asmx", timeout=2)
    with pytest.raises(CannotReachServer) as error:
        service.cancel_by_reference_id(KEY_A, "r")
    assert "refused the connection" in str(error.value)


def test_dns_failure():
    service = PhoneNotifyClient("https://no-such-host.invalid/NotifyWS/PhoneNotify.asmx", timeout=3)
    with pytest.raises(CannotReachServer) as error:
        service.get_version()
    assert "name could not be found" in str(error.value)


def test_timeouts_say_whether_the_outcome_is_known(sandbox, clock):
    # The namespace is known (as after discovery), so the slow calls reach the operations.
    service = PhoneNotifyClient(sandbox.url, timeout=0.3, namespace=sandbox.target_namespace)
    sandbox.faults.latency_seconds = 1.0
    with pytest.raises(TimedOut) as error:
        service.schedule_call(KEY_A, call(clock, ref="slow"))
    assert error.value.outcome_unknown and "Outcome unknown" in str(error.value)
    assert "Check the call's status before trying again" in str(error.value)
    with pytest.raises(TimedOut) as error:
        service.get_calls_to_number(KEY_A, "757-555-1230")
    assert not error.value.outcome_unknown and "try again" in str(error.value)
    with pytest.raises(TimedOut) as error:
        service.cancel_by_reference_id(KEY_A, "slow")
    assert "safe to try again" in str(error.value)
    sandbox.faults.latency_seconds = 0
    # The slow schedule and the slow cancel both reached the server: the retry finds nothing left.
    assert service.cancel_by_reference_id(KEY_A, "slow").cancelled == 0
    assert sandbox.state.ledger(KEY_A).scheduled == 1 and sandbox.state.ledger(KEY_A).cancelled == 1


@pytest.mark.parametrize(
    ("fault", "error_class", "words"),
    [
        ("html500", ServerError, "HTTP 500"),
        ("soap_fault", SoapFault, "refused the request"),
        ("malformed_xml", UnexpectedResponse, "could not be understood"),
        ("wrong_content_type", UnexpectedResponse, "could not be understood"),
        ("empty_body", UnexpectedResponse, "could not be understood"),
        ("entity_payload", UnexpectedResponse, "unsafe XML"),
        ("oversized", UnexpectedResponse, "far larger than expected"),
        ("drop", CannotReachServer, "connection broke"),
        ("reset", CannotReachServer, "connection broke"),
    ],
)
def test_faults_map_to_plain_errors_and_the_next_call_works(client, sandbox, fault, error_class, words):
    sandbox.faults.inject(fault)
    with pytest.raises(error_class) as error:
        client.cancel_by_reference_id(KEY_A, "r1")
    assert words in str(error.value)
    assert KEY_A not in str(error.value) and KEY_A not in error.value.detail
    assert client.cancel_by_reference_id(KEY_A, "r1").cancelled == 0


def test_errors_share_one_base_class():
    assert all(
        issubclass(c, ServiceError)
        for c in (CannotReachServer, TimedOut, ServerError, SoapFault, UnexpectedResponse, InvalidInput)
    )


def test_endpoint_must_be_https_unless_loopback():
    with pytest.raises(InvalidInput):
        PhoneNotifyClient("http://ws.esendex.us/NotifyWS/PhoneNotify.asmx")
    PhoneNotifyClient("https://ws.esendex.us/NotifyWS/PhoneNotify.asmx")
    PhoneNotifyClient("http://localhost:8080/NotifyWS/PhoneNotify.asmx")


def test_schedule_time_is_formatted_like_the_vendor_samples():
    from desktop_app.service import format_utc

    moment = datetime(2026, 11, 28, 8, 25, 8, 336000, tzinfo=ZoneInfo("Europe/Paris"))
    assert format_utc(moment) == "2026-11-28T07:25:08.336Z"
