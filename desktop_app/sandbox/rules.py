"""A call's life as a pure function of the call and the clock, and which numbers do what.

Ordinary numbers follow their last digit (OUTCOME_BY_LAST_DIGIT). The reserved numbers
NPA-555-00NN (any area code, e.g. 757-555-0043) produce the statuses the real service is known to
produce (fact sheet 7.2 and 11) but that an ordinary call never shows; see SPECIAL_LINES. No other
number changes behaviour, so the numbers the project's tests and tools use keep theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

PLACEHOLDER_TIME = datetime(1, 1, 1)  # what the service shows for "not yet" (fact sheet 5.1)
PENDING_CODES = frozenset({0, 45, 46})  # booked, not started: the only cancellable codes

# Timing of one attempt, in seconds.
DIAL_SECONDS = 3
RING_SECONDS = 12
BUSY_SECONDS = 5
TRYING_SECONDS = 3  # the Trying (19) phase after Dialing, on TRYING_LINE
FORWARD_SECONDS = 4  # the last seconds of ringing become "Call is being Forwarded" (20)
INTERCEPT_SECONDS = 4  # a vacant/disconnected number's intercept message before the call ends
TTS_BUSY_SECONDS = 30  # how long TTS stays busy (40) before the call is tried after all
SOUND_FILE_SECONDS = 10  # how long a booking on SOUND_FILE_LINE stays "Sound File Processing"

# Last digit of the dialled number -> (final code, answered, machine detection).
OUTCOME_BY_LAST_DIGIT = {
    **{d: (1, True, "HUMAN") for d in "0123456"},
    "7": (1, True, "MACHINE"),
    "8": (8, False, ""),
    "9": (2, False, ""),
}

# Reserved numbers: NPA-555-00NN. The exchange and line are the last 7 digits.
SPECIAL_EXCHANGE = "555"
TRYING_LINE = "0019"  # Dialing -> Trying (19) -> Ringing -> In call -> Answered
FORWARDED_LINE = "0020"  # Ringing ends as "Call is being Forwarded" (20), then answered
TTS_BUSY_LINE = "0040"  # "TTS Busy - Will Try Again" (40) for TTS_BUSY_SECONDS, then as usual
VACANT_LINE = "0043"  # Dialing -> ends 43 "Telco Reported Vacant Number", never retried
DISCONNECTED_LINE = "0044"  # Dialing -> ends 44 "Number Changed or Disconnected", never retried
SOUND_FILE_LINE = "0045"  # booked as 45 for SOUND_FILE_SECONDS, then 46 until dialled
READY_LINE = "0046"  # booked as 46 "Ready for Dialer" until its time
DEMO_DENIED_LINE = "0039"  # the demo key may not call it: 39 (a number the demo has not verified)
UNKNOWN_DETECTION_LINE = "0065"  # answered; MachineDetection UNKNOWN
FAX_LINE = "0066"  # answered by a fax machine; MachineDetection FAX
DIGITS_LINE = "0081"  # answered by a person who pressed DIGITS_PRESSED
DIGITS_PRESSED = "1"  # "press 1 to repeat" (fact sheet 8.9)
SPECIAL_LINES = frozenset(
    {
        TRYING_LINE,
        FORWARDED_LINE,
        TTS_BUSY_LINE,
        VACANT_LINE,
        DISCONNECTED_LINE,
        SOUND_FILE_LINE,
        READY_LINE,
        DEMO_DENIED_LINE,
        UNKNOWN_DETECTION_LINE,
        FAX_LINE,
        DIGITS_LINE,
    }
)
MACHINE_BY_LINE = {UNKNOWN_DETECTION_LINE: "UNKNOWN", FAX_LINE: "FAX"}
DEAD_NUMBER_CODE = {VACANT_LINE: 43, DISCONNECTED_LINE: 44}

# Demo account limits (fact sheet 8.1: codes 10, 11, 39 exist; their triggers are our choice).
DEMO_DAILY_ALLOWANCE = 20  # calls booked per UTC day; the next one gets 10
# 11 "Demo not allowed": the multi-number basic operation (S1: multi-number methods need a real key).
DEMO_NOT_ALLOWED_OPERATIONS = frozenset({"NotifyMultiplePhoneBasicWithCPMandReferenceID"})


@dataclass
class Call:
    queue_id: int
    owner: str  # the account: SHA-256 of the normalised license key (accounts.account_id), never the key
    phone_number: str  # 10 digits (an extension is kept apart)
    extension: str
    reference_id: str
    text_to_say: str
    voice_id: int
    caller_id: str
    caller_id_name: str
    attempts: int
    next_try_seconds: int
    scheduled_utc: datetime
    max_call_length: int
    created_utc: datetime
    demo: bool
    cancelled_utc: datetime | None = None


@dataclass
class CallView:
    """A call's NotifyReturn at one moment."""

    code: int
    complete: bool
    answered: bool = False
    tries: int = 0
    duration: int = 0
    start: datetime = PLACEHOLDER_TIME
    end: datetime = PLACEHOLDER_TIME
    machine: str | None = None
    digits: str | None = None


def line_of(number: str) -> str:
    """The reserved line ("0043") of a 10-digit number, or "" for an ordinary number."""
    line = number[-4:]
    return line if number[3:6] == SPECIAL_EXCHANGE and line in SPECIAL_LINES else ""


def talk_seconds(call: Call) -> int:
    seconds = 5 + len(call.text_to_say) // 12
    return min(seconds, call.max_call_length) if call.max_call_length > 0 else seconds


def dial_at(call: Call) -> datetime:
    """When dialling may begin: the scheduled time, later while a sound file is processed."""
    if line_of(call.phone_number) == SOUND_FILE_LINE:
        return max(call.scheduled_utc, call.created_utc + timedelta(seconds=SOUND_FILE_SECONDS))
    return call.scheduled_utc


def _pending(call: Call, line: str, now: datetime) -> CallView:
    if line == SOUND_FILE_LINE and now < call.created_utc + timedelta(seconds=SOUND_FILE_SECONDS):
        return CallView(code=45, complete=False)
    return CallView(code=46 if line in (SOUND_FILE_LINE, READY_LINE) else 0, complete=False)


def _ringing_code(line: str, elapsed: float) -> int:
    if line == TRYING_LINE and elapsed < DIAL_SECONDS + TRYING_SECONDS:
        return 19
    if line == FORWARDED_LINE and elapsed >= RING_SECONDS - FORWARD_SECONDS:
        return 20
    return 18


def view(call: Call, now: datetime) -> CallView:
    if call.cancelled_utc is not None:
        return CallView(code=22, complete=True)
    line = line_of(call.phone_number)
    start = dial_at(call)
    if now <= start:  # at its very time a call is still pending: dialling starts after
        return _pending(call, line, now)
    if line == TTS_BUSY_LINE:
        free = start + timedelta(seconds=TTS_BUSY_SECONDS)
        if now < free:
            return CallView(code=40, complete=False, start=start)
        start = free
    plan = _plan(call, line, start)
    for attempt in range(1, plan.attempts + 1):
        begin = start + timedelta(seconds=(attempt - 1) * (plan.attempt_length + call.next_try_seconds))
        if now < begin:  # waiting for the next try
            return CallView(code=0, complete=False, tries=attempt - 1, start=start)
        seen = _during(call, plan, attempt, begin, now)
        if seen is not None:
            return seen
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class _Plan:
    """How the attempts of a call that has begun go: from `start`, up to `attempts` of
    `attempt_length` seconds each, ending in `final_code` (answered by `machine`, or not)."""

    line: str
    start: datetime
    final_code: int
    answered: bool
    machine: str | None
    digits: str | None
    attempts: int
    attempt_length: int


def _plan(call: Call, line: str, start: datetime) -> _Plan:
    final_code, answered, machine = OUTCOME_BY_LAST_DIGIT[call.phone_number[-1]]
    if line in (TRYING_LINE, FORWARDED_LINE, TTS_BUSY_LINE):  # whatever the last digit: answered
        final_code, answered, machine = 1, True, "HUMAN"
    machine = MACHINE_BY_LINE.get(line, machine)
    digits = DIGITS_PRESSED if line == DIGITS_LINE else None
    if line in DEAD_NUMBER_CODE:
        length = DIAL_SECONDS + INTERCEPT_SECONDS
        return _Plan(line, start, DEAD_NUMBER_CODE[line], False, machine, digits, 1, length)
    length = RING_SECONDS if final_code != 8 else BUSY_SECONDS
    return _Plan(line, start, final_code, answered, machine, digits, call.attempts, length)


def _during(call: Call, plan: _Plan, attempt: int, begin: datetime, now: datetime) -> CallView | None:
    """The call at `now`, during or after `attempt` (begun at `begin`); None once that attempt
    has failed and another follows."""
    elapsed = (now - begin).total_seconds()
    if elapsed < DIAL_SECONDS:
        return CallView(code=12, complete=False, tries=attempt, start=plan.start)
    if plan.answered:
        return _answered(call, plan, attempt, begin, elapsed)
    if elapsed < plan.attempt_length:
        code = 12 if plan.line in DEAD_NUMBER_CODE else 18  # a dead number never rings
        return CallView(code=code, complete=False, tries=attempt, start=plan.start)
    if attempt == plan.attempts:
        end = begin + timedelta(seconds=plan.attempt_length)
        return CallView(plan.final_code, True, False, attempt, 0, plan.start, end)
    return None


def _answered(call: Call, plan: _Plan, attempt: int, begin: datetime, elapsed: float) -> CallView:
    talk = talk_seconds(call)
    if elapsed < RING_SECONDS:
        return CallView(code=_ringing_code(plan.line, elapsed), complete=False, tries=attempt, start=plan.start)
    if elapsed < RING_SECONDS + talk:
        return CallView(code=21, complete=False, tries=attempt, start=plan.start)
    end = begin + timedelta(seconds=RING_SECONDS + talk)
    return CallView(1, True, True, attempt, talk, plan.start, end, plan.machine, plan.digits)
