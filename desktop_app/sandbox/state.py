"""The simulated PhoneNotify account and call state.

Every call's status is a pure function of the call and the clock, so tests can move time with
`ManualClock.advance()` and see a call go Queued -> Dialing -> Ringing -> In call -> Answered.

Documented choices where the real service's behaviour is UNVERIFIED (fact sheet section 9):
- Any well-formed GUID is an account of its own; each key sees and cancels only its own calls.
- A malformed key, or one listed in SUSPENDED_KEYS, gets ResponseCode 14 and QueueID 0 from the
  Notify operations, `false`/0 from the cancels and empty lists from the keyed status operations.
- DEMO_KEY (the vendor samples' all-zero key) is a demo account: Demo=true, and the demo limits
  below (codes 10, 11 and 39).
- TryCount is the total number of attempts (0 counts as 1, more than 3 counts as 3).
- A scheduled time in the past means "now"; a time without a UTC designator gets code 16.
- An unknown QueueID (or one of another account) answers ResponseCode 9 "Universal Error".
- CancelNotifyByReferenceID matches reference IDs exactly, capitals and all (REFERENCE_IDS_IGNORE_CASE;
  docs/protocol.md says why), after trimming spaces at either end.

Calls belong to `account_id(key)`, a one-way hash: the state holds no license key. With a
`StateFile` (training mode) the calls, ledgers and the next QueueID are loaded at start and saved
after every booking, cancel and reset, so training survives a restart; without one (tests) the
state lives in memory only.

What happens to a call depends on the number dialled (see `rules.py`): its last digit, or for
the reserved numbers NPA-555-00NN, the status NN that the real service is known to produce.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from .accounts import DEMO_KEY, SUSPENDED_KEYS, Ledger, account_id, key_is_usable, normalise_key, split_number
from .clock import Clock, ManualClock, SystemClock
from .persistence import Snapshot, StateFile
from .rules import (
    BUSY_SECONDS,
    DEMO_DAILY_ALLOWANCE,
    DEMO_DENIED_LINE,
    DIAL_SECONDS,
    OUTCOME_BY_LAST_DIGIT,
    PENDING_CODES,
    PLACEHOLDER_TIME,
    RING_SECONDS,
    Call,
    CallView,
    dial_at,
    line_of,
    talk_seconds,
    view,
)
from .tables import RESPONSE_CODES, VOICE_IDS

__all__ = [
    "BUSY_SECONDS",
    "DEMO_KEY",
    "DIAL_SECONDS",
    "OUTCOME_BY_LAST_DIGIT",
    "PLACEHOLDER_TIME",
    "RING_SECONDS",
    "SUSPENDED_KEYS",
    "Call",
    "CallView",
    "Clock",
    "Ledger",
    "ManualClock",
    "PhoneNotifyState",
    "ScheduleOutcome",
    "StateFile",
    "SystemClock",
    "account_id",
    "key_is_usable",
    "normalise_key",
    "split_number",
    "talk_seconds",
    "view",
]

UNKNOWN_QUEUE_ID_CODE = 9
FIRST_QUEUE_ID = 4093250
LAST_CALLS_PER_NUMBER = 10  # GetQueueIDStatusesByPhoneNumber: "the last 10 calls" (S1)
# CancelNotifyByReferenceID: does "case-test" cancel the calls booked as "CASE-TEST"? Chosen, not
# observed (the fact sheet has no evidence either way; docs/protocol.md): no, the stricter choice.
# An app that is safe against an exact match is safe against a case-insensitive one too.
REFERENCE_IDS_IGNORE_CASE = False


def same_reference_id(booked: str, asked: str) -> bool:
    return booked.casefold() == asked.casefold() if REFERENCE_IDS_IGNORE_CASE else booked == asked


@dataclass
class ScheduleOutcome:
    code: int
    call: Call | None = None

    @property
    def text(self) -> str:
        return RESPONSE_CODES[self.code]


class _Accepted(NamedTuple):
    number: tuple[str, str]  # (10 digits, extension)
    scheduled: datetime


def _caller_id_refusal(caller_id: str | None, number: str) -> int | None:
    """4 for a caller ID that is not a phone number, 13 for the number dialled itself."""
    if not (caller_id and caller_id.strip()):
        return None
    caller = split_number(caller_id)
    if caller is None:
        return 4
    return 13 if caller[0] == number else None


@dataclass
class PhoneNotifyState:
    clock: Clock = field(default_factory=SystemClock)
    store: StateFile | None = None  # where training mode keeps the state; None: memory only

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self.next_queue_id = FIRST_QUEUE_ID
        self.calls: dict[int, Call] = {}
        self.ledgers: dict[str, Ledger] = {}  # by account_id(key)
        self._batch_depth = 0
        self._unsaved = False
        saved = self.store.load() if self.store is not None else None
        if saved is not None:
            self.calls = {call.queue_id: call for call in saved.calls}
            self.ledgers = saved.ledgers
            self.next_queue_id = max(saved.next_queue_id, FIRST_QUEUE_ID, *(q + 1 for q in self.calls))

    def ledger(self, key: str) -> Ledger:
        return self._ledger(account_id(key))

    def _ledger(self, owner: str) -> Ledger:
        with self._lock:
            return self.ledgers.setdefault(owner, Ledger())

    # -- keeping the state ----------------------------------------------------------------------

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Several changes, one write (a multi-number booking): saved when the outermost batch ends."""
        with self._lock:
            self._batch_depth += 1
            try:
                yield
            finally:
                self._batch_depth -= 1
                if self._batch_depth == 0 and self._unsaved:
                    self._save()

    def _changed(self) -> None:
        """Called under the lock after a change worth keeping."""
        self._unsaved = True
        if self._batch_depth == 0:
            self._save()

    def _save(self) -> None:
        self._unsaved = False
        if self.store is not None:
            self.store.save(Snapshot(self.next_queue_id, list(self.calls.values()), dict(self.ledgers)))

    def close(self) -> None:
        """Let go of the state file (another sandbox may keep it now); nothing is written after."""
        with self._lock:
            if self.store is not None:
                self.store.close()

    def reset(self) -> int:
        """Forget every call and ledger, of every account; answers how many calls there were.
        QueueIDs go on from where they were: a desk's history still holds the old ones, and a new
        call must never take one of their numbers."""
        with self._lock:
            forgotten = len(self.calls)
            self.calls.clear()
            self.ledgers.clear()
            self._changed()
            return forgotten

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
            now = self.clock.now()
            accepted = self._accept(account, phone_number, caller_id, voice_id, scheduled, scheduled_is_utc, now)
            if isinstance(accepted, int):
                if key_is_usable(account):
                    self.ledger(account).rejected += 1
                return ScheduleOutcome(accepted)
            (number, extension), when = accepted.number, max(accepted.scheduled, now)
            self.next_queue_id += 1
            call = Call(
                queue_id=self.next_queue_id - 1,
                owner=account_id(account),
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
            self._changed()
            return ScheduleOutcome(view(call, now).code, call)  # 0, or 45/46 for the pending lines

    def reject(self, key: str | None, code: int) -> ScheduleOutcome:
        """A refusal decided by the operation (e.g. code 11 for a demo key), counted like others."""
        account = normalise_key(key)
        if key_is_usable(account):
            self.ledger(account).rejected += 1
        return ScheduleOutcome(code)

    def _accept(
        self,
        account: str,
        phone_number: str | None,
        caller_id: str | None,
        voice_id: int,
        scheduled: datetime | None,
        scheduled_is_utc: bool,
        now: datetime,
    ) -> _Accepted | int:
        """The number and time of a call the service would book, or the ResponseCode refusing it
        (the first that applies, in this order)."""
        if not key_is_usable(account):
            return 14
        number = split_number(phone_number)
        if number is None:
            return 3
        refused = _caller_id_refusal(caller_id, number[0])
        if refused is not None:
            return refused
        if voice_id not in VOICE_IDS:
            return 5
        if scheduled is None or scheduled.year <= 1 or not scheduled_is_utc:
            return 16
        if account == DEMO_KEY and (refused := self._demo_refusal(number[0], now)) is not None:
            return refused
        return _Accepted(number, scheduled)

    def _demo_refusal(self, number: str, now: datetime) -> int | None:
        if line_of(number) == DEMO_DENIED_LINE:
            return 39
        today = [c for c in self.calls.values() if c.demo and c.created_utc.date() == now.date()]
        return 10 if len(today) >= DEMO_DAILY_ALLOWANCE else None

    # -- cancelling ---------------------------------------------------------------------------

    def _cancel(self, call: Call, now: datetime) -> bool:
        if view(call, now).code not in PENDING_CODES or now > dial_at(call):
            return False  # started (or waiting between tries), completed or already cancelled
        call.cancelled_utc = now
        ledger = self._ledger(call.owner)
        ledger.cancelled += 1
        ledger.credited_calls += 1
        return True

    def cancel_by_reference_id(self, key: str | None, reference_id: str | None) -> int:
        account, ref = normalise_key(key), (reference_id or "").strip()
        if not key_is_usable(account) or not ref:
            return 0
        owner = account_id(account)
        with self._lock:
            now = self.clock.now()
            matching = [c for c in self.calls.values() if c.owner == owner and same_reference_id(c.reference_id, ref)]
            cancelled = sum(self._cancel(call, now) for call in matching)
            if cancelled:
                self._changed()
            return cancelled

    def cancel_queue_id(self, key: str | None, queue_id: int) -> bool:
        account = normalise_key(key)
        with self._lock:
            call = self.calls.get(queue_id)
            if call is None or call.owner != account_id(account) or not key_is_usable(account):
                return False
            cancelled = self._cancel(call, self.clock.now())
            if cancelled:
                self._changed()
            return cancelled

    # -- statuses -----------------------------------------------------------------------------

    def find(self, queue_id: int, key: str | None = None) -> Call | None:
        """A call by QueueID; with a key, only that account's calls."""
        with self._lock:
            call = self.calls.get(queue_id)
            if call is None or (key is not None and call.owner != account_id(key)):
                return None
            return call

    def calls_to_number(self, key: str | None, phone_number: str | None) -> list[Call]:
        account, number = normalise_key(key), split_number(phone_number)
        if not key_is_usable(account) or number is None:
            return []
        owner = account_id(account)
        with self._lock:
            mine = [c for c in self.calls.values() if c.owner == owner and c.phone_number == number[0]]
        mine.sort(key=lambda c: (c.created_utc, c.queue_id), reverse=True)
        return mine[:LAST_CALLS_PER_NUMBER]
