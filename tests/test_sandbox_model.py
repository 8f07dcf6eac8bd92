"""The sandbox's call model: a call's life on a manual clock, cancel rules, credits, key isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop_app.sandbox import ManualClock, PhoneNotifyState
from desktop_app.sandbox.state import RING_SECONDS, SUSPENDED_KEYS, account_id, talk_seconds, view
from tests.conftest import KEY_A, KEY_B


def book(state: PhoneNotifyState, number="7575551230", ref="r1", key=KEY_A, in_seconds=60, tries=1, gap=60):
    outcome = state.schedule(
        key=key,
        phone_number=number,
        text_to_say="Hello there",
        voice_id=0,
        caller_id="7575550000",
        caller_id_name="Clinic",
        try_count=tries,
        next_try_seconds=gap,
        scheduled=state.clock.now() + timedelta(seconds=in_seconds),
        scheduled_is_utc=True,
        max_call_length=0,
        reference_id=ref,
    )
    return outcome


def raw(state, clock, **overrides):
    """A schedule request with every field given, as the service receives it."""
    fields = {
        "key": KEY_A,
        "phone_number": "7575551230",
        "text_to_say": "x",
        "voice_id": 0,
        "caller_id": "",
        "caller_id_name": "",
        "try_count": 1,
        "next_try_seconds": 0,
        "scheduled": clock.now(),
        "scheduled_is_utc": True,
        "max_call_length": 0,
        "reference_id": "",
    }
    return state.schedule(**{**fields, **overrides})


@pytest.fixture
def state(clock: ManualClock) -> PhoneNotifyState:
    return PhoneNotifyState(clock)


def test_answered_call_goes_queued_dialing_ringing_in_call_answered(state, clock):
    call = book(state).call
    codes = []
    for _ in range(60):
        codes.append(view(call, clock.now()).code)
        clock.advance(2)
    assert codes[0] == 0
    seen = [c for i, c in enumerate(codes) if i == 0 or codes[i - 1] != c]
    assert seen == [0, 12, 18, 21, 1]
    final = view(call, clock.now())
    assert final.complete and final.answered and final.machine == "HUMAN"
    assert final.duration == talk_seconds(call) and final.tries == 1
    assert (final.end - final.start).total_seconds() == RING_SECONDS + talk_seconds(call)


def test_unanswered_call_retries_then_completes_unanswered(state, clock):
    call = book(state, number="7575551239", tries=3, gap=100).call  # last digit 9: no answer
    clock.advance(60 + 1)
    assert view(call, clock.now()).code == 12
    clock.advance(RING_SECONDS + 5)
    between = view(call, clock.now())
    assert between.code == 0 and between.tries == 1 and not between.complete
    assert state.cancel_queue_id(KEY_A, call.queue_id) is False  # a started call is never cancelled
    clock.advance(1000)
    final = view(call, clock.now())
    assert (final.code, final.complete, final.answered, final.tries) == (2, True, False, 3)


def test_cancel_only_touches_calls_that_have_not_started(state, clock):
    soon = book(state, ref="batch", in_seconds=10).call
    later = book(state, ref="batch", in_seconds=3600).call
    done = book(state, ref="batch", in_seconds=1).call
    clock.advance(12)  # `soon` is dialling, `done` is ringing
    assert state.cancel_by_reference_id(KEY_A, "batch") == 1
    assert view(later, clock.now()).code == 22
    assert view(soon, clock.now()).code in (12, 18)
    assert state.cancel_by_reference_id(KEY_A, "batch") == 0
    ledger = state.ledger(KEY_A)
    assert (ledger.scheduled, ledger.cancelled, ledger.credited_calls) == (3, 1, 1)
    clock.advance(3600)
    assert view(done, clock.now()).code == 1


def test_keys_are_isolated(state):
    mine = book(state, ref="shared", key=KEY_A).call
    book(state, ref="shared", key=KEY_B)
    assert state.cancel_queue_id(KEY_B, mine.queue_id) is False
    assert state.find(mine.queue_id, KEY_B) is None
    assert state.calls_to_number(KEY_B, "757-555-1230") != []  # B sees only its own call
    assert all(c.owner == account_id(KEY_B) for c in state.calls_to_number(KEY_B, "757-555-1230"))
    assert state.cancel_by_reference_id(KEY_A, "shared") == 1
    assert state.cancel_by_reference_id(KEY_B, "shared") == 1


def test_rejections_follow_the_response_codes(state, clock):
    assert book(state, key="not-a-guid").code == 14
    assert book(state, key=next(iter(SUSPENDED_KEYS))).code == 14
    assert book(state, number="12345").code == 3
    assert raw(state, clock, voice_id=99).code == 5
    assert raw(state, clock, caller_id="757.555.1230").code == 13
    assert raw(state, clock, scheduled_is_utc=False).code == 16
    assert state.ledger(KEY_A).rejected == 4 and state.ledger(KEY_A).scheduled == 0


def test_last_ten_calls_per_number_newest_first(state, clock):
    ids = []
    for i in range(12):
        ids.append(book(state, ref=f"r{i}").call.queue_id)
        clock.advance(1)
    found = [c.queue_id for c in state.calls_to_number(KEY_A, "+1 (757) 555-1230")]
    assert found == list(reversed(ids))[:10]
