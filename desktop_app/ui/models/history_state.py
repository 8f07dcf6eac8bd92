"""What the history journal says about each record beyond its own row, worked out from the rows
around it (the journal stays append-only; nothing here writes to it). No Qt.

- The phone number: a schedule's own input, else the number of the booking with the same QueueID.
- A booking's latest known state, from the later rows about the same call (in journal order, so a
  later row wins):
  - a call outcome (the watch list's "outcome" record for the QueueID): "Scheduled, then answered
    by a machine, 0:08" or "Scheduled, cancelled later" — the call's end, as the service told it;
  - a cancel of that QueueID (or a settled cancel that names it) that cancelled something:
    "Scheduled, cancelled later";
  - a cancel of its reference ID on the same account that cancelled calls: "Scheduled, cancelled
    later" when the call was due after that cancel (so it was still waiting, and a cancel by
    reference ID cancels every waiting call with that ID); when it was due before, it may already
    have been placed, so "Scheduled, maybe cancelled later". A call whose end is already known is
    not changed by a later cancel by reference ID.
- The bulk run a cancel belongs to (its inputs' "bulk_run"), and how many rows that run has here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ...service.validation import phone_text
from ...storage.history import Record

CANCELLED_LATER = "Scheduled, cancelled later"
MAYBE_CANCELLED = "Scheduled, maybe cancelled later"


@dataclass(frozen=True)
class RecordInfo:
    number: str = ""  # shown: 757-555-0123
    digits: str = ""  # searched and sorted: 7575550123
    state: str = ""  # a booking's latest known state ("" = as its row says)
    state_tip: str = ""  # why
    bulk_run: str = ""
    bulk_tip: str = ""


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _due(booking: Record) -> datetime | None:
    text = str(booking.inputs.get("scheduled_utc", ""))
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _states(ordered: Sequence[Record]) -> dict[int, tuple[str, str, bool]]:
    """Booking record id -> (state, why, its end is known), from the rows in journal order."""
    booking_of: dict[int, Record] = {}
    by_reference: dict[tuple[str, str], list[Record]] = {}
    states: dict[int, tuple[str, str, bool]] = {}
    for r in ordered:
        if r.action == "schedule" and r.outcome == "ok" and r.queue_id is not None:
            booking_of[r.queue_id] = r
            by_reference.setdefault((r.account, r.reference_id), []).append(r)
        elif r.action == "outcome" and r.queue_id in booking_of:
            booking = booking_of[r.queue_id]
            if r.inputs.get("final") == "cancelled":
                why = f"The service reported it cancelled ({_local(r.when_utc)})."
                states[booking.id] = (CANCELLED_LATER, why, True)
            else:
                ended = r.message[:1].lower() + r.message[1:] if r.message else "ended"
                states[booking.id] = (f"Scheduled, then {ended}", f"Call outcome recorded {_local(r.when_utc)}.", True)
        elif r.action in ("cancel_queue", "cancel_reference") and r.outcome == "ok" and (r.count or 0) > 0:
            queue_id = r.queue_id if r.action == "cancel_queue" else r.inputs.get("queue_id")
            cancelled = booking_of.get(queue_id) if isinstance(queue_id, int) else None
            if cancelled is not None and cancelled.account == r.account:
                states[cancelled.id] = (CANCELLED_LATER, f"Cancelled {_local(r.when_utc)} (QueueID {queue_id}).", True)
            elif r.action == "cancel_reference" and queue_id is None:
                _cancelled_by_reference(r, by_reference.get((r.account, r.reference_id), []), states)
    return states


def _cancelled_by_reference(cancel: Record, bookings: list[Record], states: dict) -> None:
    for booking in bookings:
        if states.get(booking.id, ("", "", False))[2]:
            continue  # its end is known: this cancel was about other calls
        due = _due(booking)
        when = _local(cancel.when_utc)
        if due is not None and due > cancel.when_utc:
            why = f"Reference ID “{cancel.reference_id}” was cancelled {when}, before this call was due."
            states[booking.id] = (CANCELLED_LATER, why, True)
        else:
            why = (
                f"Reference ID “{cancel.reference_id}” was cancelled {when} ({cancel.count} calls), but this call "
                "was due before that and may already have been placed. Find calls shows its status."
            )
            states[booking.id] = (MAYBE_CANCELLED, why, False)


def record_infos(records: Sequence[Record]) -> dict[int, RecordInfo]:
    """RecordInfo for every record (by id). O(n): one pass in journal order, one to assemble."""
    ordered = sorted(records, key=lambda r: r.id)
    numbers = {
        r.queue_id: str(r.inputs.get("phone_number", ""))
        for r in ordered
        if r.action == "schedule" and r.queue_id is not None and r.inputs.get("phone_number")
    }
    states = _states(ordered)
    runs = Counter(str(r.inputs.get("bulk_run")) for r in records if r.inputs.get("bulk_run"))
    infos = {}
    for r in records:
        digits = str(r.inputs.get("phone_number", "") or "")
        if not digits and r.queue_id is not None:
            digits = numbers.get(r.queue_id, "")
        state, why, _ = states.get(r.id, ("", "", False))
        run = str(r.inputs.get("bulk_run", "") or "")
        tip = f"Part of a bulk cancel (run {run}: {runs[run]} rows in this history)." if run else ""
        infos[r.id] = RecordInfo(phone_text(digits), digits, state, why, run, tip)
    return infos
