"""Calls found by a look-up: one row per call status, with the time it was booked for (from the
history, when this app booked it) and the account it was found under."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...service import CallStatus
from .table import Column, RowsModel

NOT_CANCELLABLE = "Calls in progress and finished calls cannot be cancelled."
NO_TIME = "—"


@dataclass(frozen=True)
class FoundCall:
    status: CallStatus
    scheduled_utc: datetime | None  # the service's status has no such field: the history's, if known
    account: str  # "" when looked up by one QueueID without an account

    @property
    def queue_id(self) -> int:
        return self.status.queue_id


def local(moment: datetime | None) -> str:
    """In full (the tooltip and exports)."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S") if moment else NO_TIME


def short_local(moment: datetime | None) -> str:
    """In the table: day, month and minute ("05 Mar 14:30"); the year only when it is not this one.
    Three full timestamps would leave the status no room at the default window size."""
    if not moment:
        return NO_TIME
    here = moment.astimezone()
    return here.strftime("%d %b %H:%M" if here.year == datetime.now().year else "%Y-%m-%d %H:%M")


def time_column(title: str, moment: Callable[[FoundCall], datetime | None], tip: str = "") -> Column[FoundCall]:
    return Column[FoundCall](
        title,
        lambda c: short_local(moment(c)),
        sort_key=lambda c: moment_key(moment(c)),
        tooltip=lambda c: local(moment(c)) if moment(c) else "",
        header_tip=tip or "Local time",
    )


def duration(seconds: int) -> str:
    if not seconds:
        return NO_TIME
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def moment_key(moment: datetime | None) -> float:
    """Calls without a time sort before every call with one."""
    return moment.timestamp() if moment else float("-inf")


def answered(status: CallStatus) -> str:
    return "Yes" if status.answered else ("No" if status.call_complete else NO_TIME)


def call_columns(service_text: Callable[[int], str]) -> list[Column[FoundCall]]:
    """`service_text(code)`: the service's own words for a response code (the Status tooltip)."""

    def status_tip(call: FoundCall) -> str:
        code = call.status.response_code
        return f"Code {code}: {call.status.response_text or service_text(code)}"

    return [
        Column[FoundCall]("QueueID", lambda c: str(c.queue_id), sort_key=lambda c: c.queue_id),
        Column[FoundCall](
            "Status",
            lambda c: c.status.plain_text,
            sort_key=lambda c: c.status.plain_text.lower(),
            tooltip=status_tip,
        ),
        Column[FoundCall](
            "Cancel",
            lambda c: "" if c.status.cancellable else "No",  # a cancellable row shows a button instead
            sort_key=lambda c: not c.status.cancellable,
            tooltip=lambda c: "" if c.status.cancellable else NOT_CANCELLABLE,
            header_tip="Only calls that have not started can be cancelled",
        ),
        time_column("Scheduled", lambda c: c.scheduled_utc, "Local time; known for calls booked from this app"),
        time_column("Started", lambda c: c.status.start_utc),
        time_column("Ended", lambda c: c.status.end_utc),
        Column[FoundCall](
            "Duration", lambda c: duration(c.status.duration_seconds), sort_key=lambda c: c.status.duration_seconds
        ),
        Column[FoundCall]("Answered", lambda c: answered(c.status)),
        Column[FoundCall](
            "Detected",
            lambda c: c.status.machine_detection.title() or NO_TIME,
            tooltip=lambda c: c.status.machine_detection_text,
            header_tip="Who answered: a person or a machine",
        ),
        Column[FoundCall]("Account", lambda c: c.account, sort_key=lambda c: c.account.lower()),
    ]


class CallsModel(RowsModel[FoundCall]):
    def __init__(self, service_text: Callable[[int], str], parent: Any = None) -> None:
        super().__init__(call_columns(service_text), parent)

    def position_of(self, queue_id: int) -> int:
        return next((i for i, call in enumerate(self._rows) if call.queue_id == queue_id), -1)

    def accounts(self) -> set[str]:
        return {call.account for call in self._rows}
