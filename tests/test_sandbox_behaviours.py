"""What the real service is known to produce (fact sheet 7.2 and 11), on the reserved numbers
NPA-555-00NN: Trying, Forwarded, TTS busy, vacant and disconnected numbers, pending bookings
(45/46), FAX and UNKNOWN detection, DigitsPressed, MinuteRate, demo limits and zoneless times."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from lxml import etree

from desktop_app.sandbox import DEMO_KEY, ManualClock, PhoneNotifyState, Sandbox
from desktop_app.sandbox.rules import DEMO_DAILY_ALLOWANCE, SOUND_FILE_SECONDS, TTS_BUSY_SECONDS
from desktop_app.sandbox.state import account_id, view
from tests.conftest import KEY_A
from tests.test_sandbox_model import book
from tests.test_sandbox_wire import NS, SOAP11, notify_body, post11, result_element, soap11


@pytest.fixture
def sandbox(clock):
    """These tests write Esendex-namespace requests by hand: always an Esendex sandbox, whatever
    namespace the rest of the suite runs against (VBD_SANDBOX_NAMESPACE)."""
    with Sandbox(clock=clock, namespace="esendex") as server:
        yield server


@pytest.fixture
def state(clock: ManualClock) -> PhoneNotifyState:
    return PhoneNotifyState(clock)


def life(state, clock, number, tries=1, seconds=200, step=1):
    """Booking code, the distinct codes a call shows second by second, and its final view."""
    outcome = book(state, number=number, in_seconds=5, tries=tries)
    codes = []
    for _ in range(seconds // step):
        code = view(outcome.call, clock.now()).code
        if not codes or codes[-1] != code:
            codes.append(code)
        clock.advance(step)
    return outcome.code, codes, view(outcome.call, clock.now())


@pytest.mark.parametrize(
    "number, codes",
    [
        ("757-555-0019", [0, 12, 19, 18, 21, 1]),  # Trying
        ("757-555-0020", [0, 12, 18, 20, 21, 1]),  # Call is being Forwarded
        ("757-555-0040", [0, 40, 12, 18, 21, 1]),  # TTS Busy - Will Try Again
        ("757-555-1230", [0, 12, 18, 21, 1]),  # an ordinary number is unchanged
    ],
)
def test_in_progress_statuses_on_reserved_numbers(state, clock, number, codes):
    booked, seen, final = life(state, clock, number)
    assert booked == 0 and seen == codes
    assert final.complete and final.answered and final.machine == "HUMAN"


def test_tts_busy_holds_the_call_then_tries_it(state, clock):
    call = book(state, number="757-555-0040", in_seconds=0).call
    clock.advance(1)
    busy = view(call, clock.now())
    assert (busy.code, busy.tries, busy.complete) == (40, 0, False)
    assert state.cancel_queue_id(KEY_A, call.queue_id) is False  # in progress: never cancelled
    clock.advance(TTS_BUSY_SECONDS)
    assert view(call, clock.now()).code == 12


@pytest.mark.parametrize("number, final_code", [("757-555-0043", 43), ("(757) 555-0044", 44)])
def test_vacant_and_disconnected_numbers_end_after_one_attempt(state, clock, number, final_code):
    booked, seen, final = life(state, clock, number, tries=3)
    assert booked == 0 and seen == [0, 12, final_code]
    assert (final.complete, final.answered, final.tries, final.duration) == (True, False, 1, 0)


def test_pending_bookings_answer_45_then_46_and_can_be_cancelled(state, clock):
    processing = book(state, number="757-555-0045", in_seconds=0)
    ready = book(state, number="757-555-0046", in_seconds=60, ref="r2")
    assert processing.code == 45 and processing.call.queue_id > 0
    assert ready.code == 46 and ready.call.queue_id > 0
    clock.advance(SOUND_FILE_SECONDS - 1)
    assert view(processing.call, clock.now()).code == 45
    clock.advance(1)
    assert view(processing.call, clock.now()).code == 46  # processed; dialled just after
    clock.advance(1)
    assert view(processing.call, clock.now()).code == 12
    assert state.cancel_by_reference_id(KEY_A, "r2") == 1
    assert view(ready.call, clock.now()).code == 22


@pytest.mark.parametrize("number, machine", [("757-555-0065", "UNKNOWN"), ("757-555-0066", "FAX")])
def test_machine_detection_unknown_and_fax(state, clock, number, machine):
    _, _, final = life(state, clock, number)
    assert final.code == 1 and final.answered and final.machine == machine


def notify_return(sandbox, number, key=KEY_A, when=None):
    when = when or (sandbox.state.clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = post11(sandbox, soap11(notify_body("b", when, number=number, key=key)), f'"{NS}NotifyPhoneAdvanced"')
    return result_element(response, SOAP11, "NotifyPhoneAdvanced")


def status(sandbox, queue_id):
    response = requests.get(f"{sandbox.url}/GetQueueIDStatus", params={"QueueID": queue_id}, timeout=5)
    root = etree.fromstring(response.content)
    return {etree.QName(c).localname: c.text for c in root}


def test_booking_that_answers_46_carries_a_queue_id(sandbox):
    result = notify_return(sandbox, "757-555-0046")
    assert result.findtext(f"{{{NS}}}ResponseCode") == "46"
    assert result.findtext(f"{{{NS}}}ResponseText") == "Ready for Dialer"
    assert int(result.findtext(f"{{{NS}}}QueueID")) > 0
    assert result.findtext(f"{{{NS}}}CallComplete") == "false"


def test_digits_pressed_and_minute_rate_on_the_wire(sandbox, clock):
    now = clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    queue_id = notify_return(sandbox, "757-555-0081", when=now).findtext(f"{{{NS}}}QueueID")
    queued = status(sandbox, queue_id)
    assert queued["MinuteRate"] == "0" and "DigitsPressed" not in queued  # S3: MinuteRate 0 while queued
    clock.advance(120)
    done = status(sandbox, queue_id)
    assert done["ResponseCode"] == "1" and done["DigitsPressed"] == "1" and done["MachineDetection"] == "HUMAN"
    assert done["MinuteRate"] == "0.0600"
    assert list(done).index("DigitsPressed") == list(done).index("Demo") + 1  # schema order


def test_demo_limits(state, clock):
    denied = book(state, key=DEMO_KEY, number="757-555-0039")
    assert denied.code == 39 and denied.call is None
    assert book(state, key=KEY_A, number="757-555-0039").code == 0  # only the demo is refused
    codes = [book(state, key=DEMO_KEY, ref=f"d{i}").code for i in range(DEMO_DAILY_ALLOWANCE + 1)]
    assert codes == [0] * DEMO_DAILY_ALLOWANCE + [10]
    clock.advance(24 * 3600)  # a new UTC day: a new allowance
    assert book(state, key=DEMO_KEY).code == 0
    assert all(c.demo == (c.owner == account_id(DEMO_KEY)) for c in state.calls.values())


def test_demo_key_is_not_allowed_the_multi_number_basic_operation(sandbox):
    params = {
        "PhoneNumbersToDial": "757-555-1230;757-555-1231",
        "TextToSay": "Hi",
        "CallerID": "7575550000",
        "CallerIDname": "Clinic",
        "VoiceID": "0",
        "CallsPerMinute": "60",
        "ReferenceID": "demo",
        "LicenseKey": DEMO_KEY,
    }
    response = requests.get(f"{sandbox.url}/NotifyMultiplePhoneBasicWithCPMandReferenceID", params=params, timeout=5)
    root = etree.fromstring(response.content)
    assert [(r.findtext(f"{{{NS}}}ResponseCode"), r.findtext(f"{{{NS}}}QueueID")) for r in root] == [("11", "0")] * 2
    assert sandbox.state.calls == {}


def test_zoneless_times_as_asmx_writes_them(clock):
    with Sandbox(clock=clock, zoneless_times=True) as sandbox:
        start = clock.now()
        now = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        queue_id = notify_return(sandbox, "757-555-1230", when=now).findtext(f"{{{NS}}}QueueID")
        queued = status(sandbox, queue_id)
        assert (queued["StartTime"], queued["EndTime"]) == ("0001-01-01T01:00:00", "0001-01-01T02:00:00")
        clock.advance(120)
        done = status(sandbox, queue_id)
        assert done["StartTime"] == start.strftime("%Y-%m-%dT%H:%M:%S")  # 2030-01-01T12:00:00
        assert not done["EndTime"].endswith("Z") and "+" not in done["EndTime"]
    with Sandbox(clock=clock) as sandbox:  # the default keeps the UTC designator
        queue_id = notify_return(sandbox, "757-555-1230", when=now).findtext(f"{{{NS}}}QueueID")
        clock.advance(120)
        assert status(sandbox, queue_id)["StartTime"].endswith("Z")
