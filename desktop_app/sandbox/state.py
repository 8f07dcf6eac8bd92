"""The simulated PhoneNotify account and call state.

Every call's status is a pure function of the call and the clock, so tests can move time with
`ManualClock.advance()` and see a call go Queued -> Dialing -> Ringing -> In call -> Answered.

Documented choices where the real service's behaviour is UNVERIFIED (fact sheet section 9):
- Any well-formed GUID is an account of its own; each key sees and cancels only its own calls.
- A malformed key, or one listed in SUSPENDED_KEYS, gets ResponseCode 14 ("Key Invalid.  IP
  Address has been suspended.") and QueueID 0 from the Notify operations, `false`/0 from the
  cancels and empty lists from the keyed status operations.
- The all-zero key from the vendor's samples is a demo account: its calls carry Demo=true.
- TryCount is the total number of attempts (0 counts as 1); the outcome of a call depends on the
  last digit of the number dialled (see OUTCOME_BY_LAST_DIGIT).
- A scheduled time in the past means "now"; a time without a UTC designator gets code 16.
- An unknown QueueID (or one of another account) answers ResponseCode 9 "Universal Error".
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from ..service.reference_data import RESPONSE_CODES, VOICES

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SUSPENDED_KEYS = frozenset({"99999999-9999-9999-9999-999999999999"})
DEMO_KEY = "00000000-0000-0000-0000-000000000000"
UNKNOWN_QUEUE_ID_CODE = 9
FIRST_QUEUE_ID = 4093250
LAST_CALLS_PER_NUMBER = 10
SERVICE_VERSION = "PhoneNotify sandbox 1.0 (Voice Broadcast Desk)"
PLACEHOLDER_TIME = datetime(1, 1, 1)  # what the service shows for "not yet" (fact sheet 5.1)

# Timing of one attempt, in seconds.
DIAL_SECONDS = 3
RING_SECONDS = 12
BUSY_SECONDS = 5
# Last digit of the dialled number -> (final code, answered, machine detection).
OUTCOME_BY_LAST_DIGIT = {
    **{d: (1, True, "HUMAN") for d in "0123456"},
    "7": (1, True, "MACHINE"),
    "8": (8, False, ""),
    "9": (2, False, ""),
}
VOICE_IDS = frozenset(v.voice_id for v in VOICES)


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told: for tests."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)


@dataclass
class Call:
    queue_id: int
    account: str
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


@dataclass
class Ledger:
    """What the sandbox did, per account: for tests and soak checks."""

    scheduled: int = 0
    rejected: int = 0
    cancelled: int = 0
    credited_calls: int = 0


def normalise_key(key: str | None) -> str:
    return (key or "").strip().lower()


def key_is_usable(key: str) -> bool:
    return bool(GUID.match(key)) and key not in SUSPENDED_KEYS


def split_number(raw: str | None) -> tuple[str, str] | None:
    """(10 digits, extension) or None. Any punctuation, an optional leading 1 and `x` + digits."""
    text = (raw or "").strip().lower()
    number, _, extension = text.partition("x")
    if extension and not extension.strip().isdigit():
        return None
    digits = "".join(ch for ch in number if ch.isdigit())
    if any(ch.isalpha() for ch in number):
        return None
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return (digits, extension.strip()) if len(digits) == 10 else None


def talk_seconds(call: Call) -> int:
    seconds = 5 + len(call.text_to_say) // 12
    return min(seconds, call.max_call_length) if call.max_call_length > 0 else seconds


def view(call: Call, now: datetime) -> CallView:
    if call.cancelled_utc is not None:
        return CallView(code=22, complete=True)
    if now <= call.scheduled_utc:  # at its very time a call is still queued: dialling starts after
        return CallView(code=0, complete=False)
    final_code, answered, machine = OUTCOME_BY_LAST_DIGIT[call.phone_number[-1]]
    attempt_length = RING_SECONDS if final_code != 8 else BUSY_SECONDS
    start = call.scheduled_utc
    for attempt in range(1, call.attempts + 1):
        begin = start + timedelta(seconds=(attempt - 1) * (attempt_length + call.next_try_seconds))
        if now < begin:  # waiting for the next try
            return CallView(code=0, complete=False, tries=attempt - 1, start=start)
        elapsed = (now - begin).total_seconds()
        if elapsed < DIAL_SECONDS:
            return CallView(code=12, complete=False, tries=attempt, start=start)
        if answered:
            talk = talk_seconds(call)
            if elapsed < RING_SECONDS:
                return CallView(code=18, complete=False, tries=attempt, start=start)
            if elapsed < RING_SECONDS + talk:
                return CallView(code=21, complete=False, tries=attempt, start=start)
            end = begin + timedelta(seconds=RING_SECONDS + talk)
            return CallView(1, True, True, attempt, talk, start, end, machine)
        if elapsed < attempt_length:
            return CallView(code=18, complete=False, tries=attempt, start=start)
        if attempt == call.attempts:
            end = begin + timedelta(seconds=attempt_length)
            return CallView(final_code, True, False, attempt, 0, start, end)
    raise AssertionError("unreachable")


@dataclass
class ScheduleOutcome:
    code: int
    call: Call | None = None

    @property
    def text(self) -> str:
        return RESPONSE_CODES[self.code]


@dataclass
class PhoneNotifyState:
    clock: Clock = field(default_factory=SystemClock)

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._ids = itertools.count(FIRST_QUEUE_ID)
        self.calls: dict[int, Call] = {}
        self.ledgers: dict[str, Ledger] = {}

    def ledger(self, key: str) -> Ledger:
        with self._lock:
            return self.ledgers.setdefault(normalise_key(key), Ledger())

    # -- scheduling ---------------------------------------------------------------------------

    def schedule(
        self,
        *,
        key: str | None,
        phone_number: str | None,
        text_to_say: str | None,
        voice_id: int,
        caller_id: str | None,
        caller_id_name: str | None,
        try_count: int,
        next_try_seconds: int,
        scheduled: datetime | None,
        scheduled_is_utc: bool,
        max_call_length: int,
        reference_id: str | None,
    ) -> ScheduleOutcome:
        account = normalise_key(key)
        with self._lock:
            outcome = self._check(account, phone_number, caller_id, voice_id, scheduled, scheduled_is_utc)
            if outcome is not None:
                if key_is_usable(account):
                    self.ledger(account).rejected += 1
                return outcome
            number, extension = split_number(phone_number)  # type: ignore[misc]
            now = self.clock.now()
            when = max(scheduled, now) if scheduled else now  # type: ignore[type-var]
            call = Call(
                queue_id=next(self._ids),
                account=account,
                phone_number=number,
                extension=extension,
                reference_id=(reference_id or "").strip(),
                text_to_say=text_to_say or "",
                voice_id=voice_id,
                caller_id=caller_id or "",
                caller_id_name=caller_id_name or "",
                attempts=min(max(try_count, 1), 3),
                next_try_seconds=max(next_try_seconds, 0),
                scheduled_utc=when,
                max_call_length=max(max_call_length, 0),
                created_utc=now,
                demo=account == DEMO_KEY,
            )
            self.calls[call.queue_id] = call
            self.ledger(account).scheduled += 1
            return ScheduleOutcome(0, call)

    @staticmethod
    def _check(account, phone_number, caller_id, voice_id, scheduled, scheduled_is_utc) -> ScheduleOutcome | None:
        if not key_is_usable(account):
            return ScheduleOutcome(14)
        number = split_number(phone_number)
        if number is None:
            return ScheduleOutcome(3)
        if caller_id and caller_id.strip():
            caller = split_number(caller_id)
            if caller is None:
                return ScheduleOutcome(4)
            if caller[0] == number[0]:
                return ScheduleOutcome(13)
        if voice_id not in VOICE_IDS:
            return ScheduleOutcome(5)
        if scheduled is None or scheduled.year <= 1 or not scheduled_is_utc:
            return ScheduleOutcome(16)
        return None

    # -- cancelling ---------------------------------------------------------------------------

    def _cancel(self, call: Call, now: datetime) -> bool:
        if view(call, now).code != 0 or now > call.scheduled_utc:
            return False  # started (or waiting between tries), completed or already cancelled
        call.cancelled_utc = now
        ledger = self.ledger(call.account)
        ledger.cancelled += 1
        ledger.credited_calls += 1
        return True

    def cancel_by_reference_id(self, key: str | None, reference_id: str | None) -> int:
        account, ref = normalise_key(key), (reference_id or "").strip()
        if not key_is_usable(account) or not ref:
            return 0
        with self._lock:
            now = self.clock.now()
            matching = [c for c in self.calls.values() if c.account == account and c.reference_id == ref]
            return sum(self._cancel(call, now) for call in matching)

    def cancel_queue_id(self, key: str | None, queue_id: int) -> bool:
        account = normalise_key(key)
        with self._lock:
            call = self.calls.get(queue_id)
            if call is None or call.account != account or not key_is_usable(account):
                return False
            return self._cancel(call, self.clock.now())

    # -- statuses -----------------------------------------------------------------------------

    def find(self, queue_id: int, key: str | None = None) -> Call | None:
        """A call by QueueID; with a key, only that account's calls."""
        with self._lock:
            call = self.calls.get(queue_id)
            if call is None or (key is not None and call.account != normalise_key(key)):
                return None
            return call

    def calls_to_number(self, key: str | None, phone_number: str | None) -> list[Call]:
        account, number = normalise_key(key), split_number(phone_number)
        if not key_is_usable(account) or number is None:
            return []
        with self._lock:
            mine = [c for c in self.calls.values() if c.account == account and c.phone_number == number[0]]
        mine.sort(key=lambda c: (c.created_utc, c.queue_id), reverse=True)
        return mine[:LAST_CALLS_PER_NUMBER]
