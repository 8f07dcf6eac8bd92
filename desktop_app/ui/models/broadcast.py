"""A test broadcast's answer as a table: one row per number, with its QueueID and status in plain
words (booked, refused and why, or what a look-up found after a lost answer)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...service import CallStatus, ScheduledCall
from ...service.reference_data import NOT_STARTED_CODES
from .table import Column, RowsModel


@dataclass(frozen=True)
class BroadcastRow:
    number: str  # as the user typed it
    queue_id: int  # 0: none
    words: str  # the status in plain words
    booked: bool
    cancellable: bool = False


def booking_words(result: ScheduledCall) -> str:
    if result.booked:
        return f"Booked — {result.plain_text}"
    return f"Not booked: {result.problem or result.plain_text}"


def booked_rows(shown: Sequence[str], results: Sequence[ScheduledCall]) -> tuple[BroadcastRow, ...]:
    return tuple(
        BroadcastRow(number, r.queue_id, booking_words(r), r.booked, r.booked and r.response_code in NOT_STARTED_CODES)
        for number, r in zip(shown, results, strict=True)
    )


def checked_rows(shown: Sequence[str], found: Sequence[CallStatus | None]) -> tuple[BroadcastRow, ...]:
    """After "Check whether it was booked": the truth per number."""
    return tuple(
        BroadcastRow(number, 0, "Not booked (looked up)", False)
        if status is None
        else BroadcastRow(
            number, status.queue_id, f"Booked (looked up) — {status.plain_text}", True, status.cancellable
        )
        for number, status in zip(shown, found, strict=True)
    )


def total_words(rows: Sequence[BroadcastRow]) -> str:
    """ "4 of 5 booked; 1 refused: the number is not 10 digits"."""
    booked = sum(row.booked for row in rows)
    text = f"{booked} of {len(rows)} booked"
    reasons = Counter(row.words.removeprefix("Not booked: ").rstrip(".") for row in rows if not row.booked)
    if reasons:
        refused = len(rows) - booked
        listed = "; ".join(reason if len(reasons) == 1 else f"{reason} ({n})" for reason, n in reasons.items())
        text += f"; {refused} not booked: {listed}"
    return text


class BroadcastModel(RowsModel[BroadcastRow]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            [
                Column[BroadcastRow]("Phone number", lambda r: r.number),
                Column[BroadcastRow]("QueueID", lambda r: str(r.queue_id) if r.queue_id else "—"),
                Column[BroadcastRow](
                    "Status", lambda r: r.words, tooltip=lambda r: r.words, failed=lambda r: not r.booked
                ),
            ],
            parent,
        )
