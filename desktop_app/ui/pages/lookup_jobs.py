"""The work behind Find calls and the QueueID cancel, run on the executor's workers: look-ups for
one account, the merge of several accounts' rows, cancels that tell an unknown QueueID apart from
a call that has started, and the plain words for an account whose look-up failed.

Every function returns immutable values (tuples, frozen dataclasses).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from ...desk import Desk, describe_error
from ...service import CannotReachServer, TimedOut
from ...service.reference_data import UNKNOWN_QUEUE_ID_CODE
from ...storage.history import HistoryError
from ...storage.secrets import KeyStoreError
from ..models.calls import FoundCall

if TYPE_CHECKING:
    from ...service import CallStatus, QueueCancelResult
    from ...storage.history import Record

ACCOUNTS_AT_ONCE = 3  # "All accounts": at most this many look-ups run at the same time


class LookupMode(StrEnum):
    NUMBER = "number"  # a phone number: its last 10 calls
    QUEUE = "queue"  # one QueueID
    QUEUES = "queues"  # several QueueIDs


@dataclass(frozen=True)
class Query:
    """A look-up as the page sends it (and Refresh repeats it). `text` is checked: the phone number,
    or the QueueIDs separated by ";"."""

    mode: LookupMode
    text: str
    account: str  # the chosen account ("" when one QueueID is looked up without one)
    everywhere: bool  # in all accounts


HISTORY_SEARCHED = 5000  # the newest history records searched for the reference IDs booked here


def find_calls(desk: Desk, account: str, mode: LookupMode, query: str) -> tuple[FoundCall, ...]:
    """The look-up itself, on a worker: statuses from the service, booked times and reference IDs
    from the history."""
    if mode == LookupMode.NUMBER:
        statuses = desk.calls_to_number(account, query)
    else:
        statuses = desk.calls_by_queue_id(account or None, [int(q) for q in query.split(";")])
    queue_ids = {s.queue_id for s in statuses}
    try:
        scheduled = desk.history.scheduled_times(queue_ids)
        references = booked_references(desk.history.records(HISTORY_SEARCHED), queue_ids)
    except HistoryError:  # the history is a bonus here; the statuses matter
        scheduled, references = {}, {}
    return tuple(
        FoundCall(s, scheduled.get(s.queue_id), account, references.get(s.queue_id) or reported_reference(s))
        for s in statuses
    )


def booked_references(records: Iterable[Record], queue_ids: Collection[int]) -> dict[int, str]:
    """QueueID -> the reference ID this desk booked it with, from history records (newest first)."""
    found: dict[int, str] = {}
    for record in records:
        queue_id = record.queue_id
        if record.action == "schedule" and queue_id is not None and queue_id in queue_ids and record.reference_id:
            found.setdefault(queue_id, record.reference_id)
    return found


def reported_reference(status: CallStatus) -> str:
    """The reference ID among the call's variables, when the service lists one (the advanced status
    of the sandbox does; whether the live service does is not known)."""
    return status.variables.get("referenceid", "").strip()


def merge_accounts(results: Iterable[tuple[FoundCall, ...]]) -> tuple[FoundCall, ...]:
    """One list from several accounts' rows, in account order. A QueueID that some account knows
    is listed only under that account; one that no account knows is listed once, without one."""
    rows = [call for found in results for call in found]
    known = {call.queue_id for call in rows if call.found}
    merged: list[FoundCall] = []
    missing: set[int] = set()
    for call in rows:
        if call.found:
            merged.append(call)
        elif call.queue_id not in known and call.queue_id not in missing:
            missing.add(call.queue_id)
            merged.append(FoundCall(call.status, None, ""))
    return tuple(merged)


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() or len(text) < 2 else text


def failure_line(account: str, error: BaseException) -> tuple[str, str]:
    """(the inline line, its tooltip) for an account whose look-up failed, e.g. "Main office:
    could not reach the service" with the whole message in the tooltip."""
    title, message = describe_error(error)
    if isinstance(error, (CannotReachServer, TimedOut)):
        return f"{account}: could not reach the service", message
    if isinstance(error, KeyStoreError):
        return f"{account}: {lower_first(message)}", message
    return f"{account}: {lower_first(title)}", message


@dataclass(frozen=True)
class QueueCancel:
    """A CancelNotify answer and, when nothing was cancelled, the call's status afterwards (None if
    it could not be read). `found` is False when the service does not know the QueueID."""

    result: QueueCancelResult
    status: CallStatus | None

    @property
    def found(self) -> bool:
        return self.status is None or self.status.response_code != UNKNOWN_QUEUE_ID_CODE


def cancel_queue_id(desk: Desk, account: str, queue_id: int) -> QueueCancel:
    """Cancel one call; when the service says "not cancelled", ask why (it answers `false` for an
    unknown QueueID too)."""
    result = desk.cancel_call(account, queue_id)
    if result.cancelled:
        return QueueCancel(result, None)
    try:
        status = desk.calls_by_queue_id(account, [queue_id])[0]
    except Exception:  # the cancel's answer stands; the reason is a bonus
        status = None
    return QueueCancel(result, status)


@dataclass(frozen=True)
class RowCancel:
    """One row of a several-row cancel: the answer (or the error's plain message) and the status
    read afterwards (None when it could not be read)."""

    account: str
    queue_id: int
    cancelled: bool
    problem: tuple[str, str] | None  # (title, message) when the cancel failed
    status: CallStatus | None

    @property
    def found(self) -> bool:
        return self.status is None or self.status.response_code != UNKNOWN_QUEUE_ID_CODE


def cancel_rows(desk: Desk, targets: Sequence[tuple[str, int]]) -> tuple[RowCancel, ...]:
    """Cancel each (account, QueueID) with its own account, then read its status again. One failure
    does not stop the others."""
    done = []
    for account, queue_id in targets:
        try:
            cancelled, problem = desk.cancel_call(account, queue_id).cancelled, None
        except Exception as error:
            cancelled, problem = False, describe_error(error)
        try:
            status: CallStatus | None = desk.calls_by_queue_id(account, [queue_id])[0]
        except Exception:
            status = None
        done.append(RowCancel(account, queue_id, cancelled, problem, status))
    return tuple(done)
