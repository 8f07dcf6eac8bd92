"""The watch list, without Qt: which calls this desk follows, how often it asks, and the words.

A watched call is a call this desk booked (a schedule record with a QueueID in the history) that
has not ended, or that ended in the last 24 hours. `History.watch_list` rebuilds the list after a
restart; `poll_account` asks the service about one account's calls in one request and records
each call that has just ended as an "outcome" history record.

The polling budget (docs/watch.md), per account, whatever the number of calls:
- nothing waiting or in progress: no requests at all;
- the nearest call more than 10 minutes away: one request a minute (at most 61 an hour);
- the nearest call 1 to 10 minutes away: one every 15 seconds (at most 4 a minute);
- from a minute before a call's time until it ends: one every 5 seconds (at most 12 a minute);
- after a failed round: 10, 20, 40 ... seconds, at most 5 minutes, until a round succeeds.
An account whose key is gone or locked is never asked; its calls say so instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .service import CallStatus
from .service.reference_data import IN_PROGRESS_CODES, NOT_STARTED_CODES, plain_status
from .service.validation import phone_text
from .storage.history import History, HistoryError, Record
from .storage.secrets import KeyStoreError

if TYPE_CHECKING:
    from .desk import Desk

FAST_SECONDS = 5.0  # from a minute before a call's time until it ends
MID_SECONDS = 15.0  # the nearest call is 1 to 10 minutes away
SLOW_SECONDS = 60.0  # the nearest call is more than 10 minutes away
SOON = timedelta(minutes=1)
NEAR = timedelta(minutes=10)
ERROR_SECONDS = 10.0  # the first wait after a failed round; doubled each time
MAX_BACKOFF_SECONDS = 300.0
KEY_PROBLEM = "not checked: the license key is missing or locked"

WHO = {"HUMAN": "a person", "MACHINE": "a machine", "FAX": "a fax machine", "UNKNOWN": "someone (could not tell who)"}
FAILED = {43: "Failed: number not in service", 44: "Failed: number disconnected"}
LIVE = {12: "dialling", 18: "ringing", 19: "connecting", 20: "being forwarded", 21: "in call"}
LIVE[45] = "preparing the sound file"


def clock_text(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


def duration_text(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def starts_in(scheduled: datetime, now: datetime) -> str:
    seconds = (scheduled - now).total_seconds()
    if seconds < 60:
        return "starts in under a minute"
    if seconds < 3600:
        return f"starts in {round(seconds / 60)} min"
    local = scheduled.astimezone()
    if local.date() == now.astimezone().date():
        return f"starts at {clock_text(scheduled)}"
    return f"starts on {local.strftime('%d %b')} at {clock_text(scheduled)}"


@dataclass(frozen=True)
class Ending:
    """How a call ended: the history's outcome record (see `History.record_outcome`)."""

    final: str  # "answered", "not_answered", "busy", "cancelled" or "failed"
    message: str  # plain words, capitalised: "Answered by a machine, 0:08"
    ok: bool  # answered or cancelled; False when nobody was reached
    inputs: dict


def ending(status: CallStatus) -> Ending | None:
    """The final outcome of a status, or None while the call has not ended."""
    if not status.call_complete:
        return None
    code = status.response_code
    detection = (status.machine_detection or "").upper()
    if status.answered or code in (1, 24):
        final, ok = "answered", True
        who = f" by {WHO.get(detection, detection.lower())}" if detection else ""
        message = f"Answered{who}, {duration_text(status.duration_seconds)}"
        if status.digits_pressed:
            message += f", pressed {status.digits_pressed}"
    elif code == 22:
        final, ok, message = "cancelled", True, "Cancelled"
    elif code == 2:
        final, ok, message = "not_answered", False, "Not answered"
    elif code == 8:
        final, ok, message = "busy", False, "Busy"
    else:
        final, ok = "failed", False
        message = FAILED.get(code) or f"Failed: {plain_status(code, status.response_text).removeprefix('Not placed: ')}"
    if status.try_count > 1 and not ok:
        message += f" ({status.try_count} tries)"
    inputs = {
        "final": final,
        "code": code,
        "answered_by": detection,
        "duration_seconds": status.duration_seconds,
        "digits": status.digits_pressed,
        "tries": status.try_count,
        "ended_utc": status.end_utc.astimezone(UTC).isoformat() if status.end_utc else "",
    }
    return Ending(final, message, ok, inputs)


@dataclass(frozen=True)
class Watched:
    """One call on the watch list, at one moment (immutable: a change makes a new one)."""

    queue_id: int
    account: str
    reference_id: str
    phone_number: str
    scheduled_utc: datetime | None
    next_try_seconds: int = 0
    status: CallStatus | None = None
    outcome: str = ""  # the ending's message once it ended ("" while it has not)
    failed: bool = False  # it ended without reaching anyone
    retry_at: datetime | None = None  # when the next try is expected
    problem: str = ""  # why it is not checked ("" when it is)

    @property
    def final(self) -> bool:
        return bool(self.outcome)

    @property
    def pending(self) -> bool:
        """Still to be followed: not ended and its account can be asked."""
        return not self.outcome and not self.problem

    @property
    def cancellable(self) -> bool:
        return not self.outcome and (self.status is None or self.status.response_code in NOT_STARTED_CODES)

    @property
    def due(self) -> datetime | None:
        return self.retry_at or self.scheduled_utc

    def live_words(self, now: datetime) -> str:
        if self.outcome:
            return self.outcome[0].lower() + self.outcome[1:]
        if self.problem:
            return self.problem
        status = self.status
        code = status.response_code if status else 0
        if status is not None and status.try_count and code in NOT_STARTED_CODES | {2, 8} and self.retry_at:
            what = {8: "busy", 2: "not answered"}.get(code, "no answer yet")
            return f"{what}, will retry at {clock_text(self.retry_at)}"
        if code in LIVE:
            return LIVE[code]
        if code == 40:
            return "speech engine busy, will try again"
        if status is not None and code not in NOT_STARTED_CODES:
            return plain_status(code, status.response_text).lower()
        if self.scheduled_utc is not None and self.scheduled_utc > now:
            return starts_in(self.scheduled_utc, now)
        return "about to be dialled" if status is not None else "waiting for the first check"

    def ended_text(self) -> str:
        """For the notification: "Call 4093250 to 757-555-1237 ended: answered by a machine, 0:08"."""
        return f"Call {self.queue_id} to {phone_text(self.phone_number)} ended: {self.live_words(datetime.now(UTC))}"


def _parse_time(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def from_history(booking: Record, outcome: Record | None) -> Watched:
    """A watched call rebuilt from its booking record and its latest outcome record."""
    inputs = booking.inputs
    assert booking.queue_id is not None
    return Watched(
        queue_id=booking.queue_id,
        account=booking.account,
        reference_id=booking.reference_id,
        phone_number=str(inputs.get("phone_number", "")),
        scheduled_utc=_parse_time(inputs.get("scheduled_utc", "")),
        next_try_seconds=int(inputs.get("next_try_seconds") or 0),
        outcome=outcome.message if outcome else "",
        failed=outcome is not None and outcome.outcome != "ok",
    )


def apply_status(call: Watched, status: CallStatus, now: datetime) -> Watched:
    """The call after this status: its ending once it ended, the next try's time between tries."""
    end = ending(status)
    if end is not None:
        return replace(call, status=status, outcome=end.message, failed=not end.ok, retry_at=None, problem="")
    retry_at = call.retry_at
    waiting = status.response_code not in IN_PROGRESS_CODES
    if waiting and status.try_count:
        before = call.status.try_count if call.status else 0
        if retry_at is None or before < status.try_count:
            retry_at = now + timedelta(seconds=call.next_try_seconds)
    elif not waiting:
        retry_at = None
    return replace(call, status=status, retry_at=retry_at, problem="")


def _delay_after(nearest: datetime | None, now: datetime) -> float:
    """The wait set by the nearest call's time; it lands on the 10- and 1-minute marks."""
    if nearest is None:
        return SLOW_SECONDS
    until = nearest - now
    if until <= SOON:
        return FAST_SECONDS
    if until <= NEAR:
        return max(FAST_SECONDS, min(MID_SECONDS, (until - SOON).total_seconds()))
    return max(FAST_SECONDS, min(SLOW_SECONDS, (until - NEAR).total_seconds()))


def next_delay(calls: Iterable[Watched], now: datetime, errors: int = 0) -> float | None:
    """Seconds until the next round, or None when nothing is pending (no polling at all). Only
    the nearest call counts (a call in progress is the nearest), so the budget holds for any
    number of calls."""
    pending = [c for c in calls if c.pending]
    if not pending:
        return None
    if any(c.status is not None and c.status.response_code in IN_PROGRESS_CODES for c in pending):
        delay = FAST_SECONDS
    else:
        delay = _delay_after(min((c.due for c in pending if c.due is not None), default=None), now)
    if errors:
        delay = max(delay, min(MAX_BACKOFF_SECONDS, ERROR_SECONDS * 2 ** (errors - 1)))
    return delay


@dataclass(frozen=True)
class AccountRound:
    """What one account's round brought back (immutable: handed to the GUI thread)."""

    account: str
    calls: tuple[Watched, ...]  # the account's calls afterwards
    ended: tuple[Watched, ...] = ()  # the calls that ended in this round
    key_problem: str = ""  # the key is gone or locked: nothing was sent
    error: str = ""  # the request failed (plain words): the calls are unchanged
    history_problem: str = ""


def poll_account(desk: Desk, account: str, calls: Sequence[Watched], now: datetime) -> AccountRound:
    """One round for one account, on a worker: one GetMultipleQueueIdStatus for all its calls,
    then an outcome record for each call that has just ended."""
    try:
        statuses = desk.watch_statuses(account, [c.queue_id for c in calls])
    except KeyStoreError as error:
        return AccountRound(account, tuple(replace(c, problem=KEY_PROBLEM) for c in calls), key_problem=str(error))
    except Exception as error:
        if not isinstance(getattr(error, "title", None), str):
            raise
        return AccountRound(account, tuple(calls), error=str(error))
    by_id = {s.queue_id: s for s in statuses}
    updated, ended, problem = [], [], ""
    for call in calls:
        status = by_id.get(call.queue_id)
        new = call if status is None else apply_status(call, status, now)
        end = ending(status) if status is not None and not call.final else None
        if end is not None:
            ended.append(new)
            try:
                desk.history.record_outcome(
                    account=account,
                    queue_id=call.queue_id,
                    outcome="ok" if end.ok else "error",
                    message=end.message,
                    inputs=end.inputs,
                    reference_id=call.reference_id,
                )
            except HistoryError as error:
                problem = str(error)
        updated.append(new)
    return AccountRound(account, tuple(updated), tuple(ended), history_problem=problem)


TRAINING_RESET = "Deleted when the training data was reset"


def forget_after_training_reset(history: History, now: datetime) -> int:
    """After "Reset the training data": the calls still followed no longer exist in the sandbox, so
    each gets an outcome saying so (instead of a failed status look-up). How many were closed."""
    closed = 0
    for booking, outcome in history.watch_list(now):
        if outcome is None and booking.queue_id is not None:
            history.record_outcome(
                account=booking.account,
                queue_id=booking.queue_id,
                outcome="ok",
                message=TRAINING_RESET,
                inputs={"final": "deleted"},
                reference_id=booking.reference_id,
            )
            closed += 1
    return closed
