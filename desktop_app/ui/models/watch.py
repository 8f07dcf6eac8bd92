"""The watch list as a table: one row per `watch.Watched`, with its live status in plain words.

The status words depend on the time ("starts in 12 min"), so the model asks the watcher's clock
when it paints; `refresh_times()` repaints the status column once a minute without a round. The
Scheduled cell's tooltip gives the time it rings for the person called (service/recipient_time.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ...service.validation import phone_text
from ...watch import Watched
from .table import Column, RowsModel

STATUS_TITLE = "Status"
SCHEDULED_TITLE = "Scheduled (local time)"


def scheduled_text(call: Watched) -> str:
    return call.scheduled_utc.astimezone().strftime("%Y-%m-%d %H:%M") if call.scheduled_utc else "not known"


def scheduled_tip(call: Watched) -> str:
    """ "2026-03-05 09:00 your time = 06:00 in Los Angeles (Pacific) for the person called"."""
    if call.scheduled_utc is None:
        return ""
    from ...service.recipient_time import recipient_time  # on first use: not needed for the first paint

    yours = call.scheduled_utc.astimezone()
    there = recipient_time(call.phone_number, call.scheduled_utc).there(yours.replace(tzinfo=None))
    text = f"{yours:%Y-%m-%d %H:%M} your time"
    return f"{text}\n= {there} for the person called" if there else text


def _order(call: Watched) -> tuple:
    """Pending first, soonest first; ended calls after them."""
    return (call.final, call.scheduled_utc.timestamp() if call.scheduled_utc else 0.0, call.queue_id)


class WatchModel(RowsModel[Watched]):
    def __init__(self, now: Callable[[], datetime], parent: Any = None) -> None:
        self.now = now
        columns = [
            Column[Watched]("QueueID", lambda c: str(c.queue_id), sort_key=lambda c: c.queue_id),
            Column[Watched]("Account", lambda c: c.account, sort_key=lambda c: c.account.lower()),
            Column[Watched]("Phone number", lambda c: phone_text(c.phone_number), sort_key=lambda c: c.phone_number),
            Column[Watched]("Reference ID", lambda c: c.reference_id, sort_key=lambda c: c.reference_id.lower()),
            Column[Watched](SCHEDULED_TITLE, scheduled_text, sort_key=_order, tooltip=scheduled_tip),
            Column[Watched](
                STATUS_TITLE,
                lambda c: c.live_words(self.now()),
                sort_key=_order,
                tooltip=lambda c: c.status.plain_text if c.status else "",
                failed=lambda c: c.failed or bool(c.problem),
            ),
        ]
        super().__init__(columns, parent)

    def show_calls(self, calls: tuple[Watched, ...]) -> None:
        """The same calls: each changed row is replaced where it is (a selection stays put);
        calls added or gone: one reset, pending and soonest first."""
        rows = self.rows
        position = {c.queue_id: i for i, c in enumerate(rows)}
        if position.keys() == {c.queue_id for c in calls} and len(position) == len(calls):
            self.replace_rows([(position[c.queue_id], c) for c in calls if c != rows[position[c.queue_id]]])
            return
        self.set_rows(sorted(calls, key=_order))

    def refresh_times(self) -> None:
        if self.rowCount():
            column = self.column_of(STATUS_TITLE)
            self.dataChanged.emit(self.index(0, column), self.index(self.rowCount() - 1, column))

    def position_of(self, queue_id: int) -> int:
        return next((i for i, c in enumerate(self.rows) if c.queue_id == queue_id), -1)
