"""What the Schedule page says after a booking, in plain words: one call, or a test broadcast
(several numbers, one reference ID) with a total and a line per number. Also the memory of recent
bookings, so that booking the same call twice within a few minutes asks first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ...service import CallRequest, CallStatus, ScheduledCall
from ..models.broadcast import BroadcastModel, BroadcastRow, total_words
from ..widgets import Tone

# A second booking of the same numbers and text within this time is most likely a second click,
# not a second call: the page asks first.
REBOOK_WINDOW = timedelta(minutes=10)


class Outcome(NamedTuple):
    """What the result panel shows: `panel.show_result(*outcome)`."""

    tone: Tone
    headline: str
    body: str


def when_words(moment: datetime) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M} your time ({moment:%H:%M} UTC)"


def one_result(number: str, result: ScheduledCall) -> Outcome:
    """The answer for one number."""
    reference = result.reference_id or "(none)"
    if result.booked:
        return Outcome(
            Tone.SUCCESS,
            f"Booked — QueueID {result.queue_id}",
            f"The call to {number} is booked for {when_words(result.scheduled_utc)}. "
            f"Reference ID: {reference}. Status: {result.plain_text}.",
        )
    if result.problem:
        return Outcome(Tone.ERROR, "Not booked", result.problem)
    return Outcome(
        Tone.ERROR,
        "Not booked: the service did not accept the call",
        f"{result.plain_text} (code {result.response_code}). Check the details and try again.",
    )


def broadcast_result(rows: Sequence[BroadcastRow], reference_id: str, moment: datetime) -> Outcome:
    """The answer for a test broadcast; the rows are listed under it."""
    booked = sum(row.booked for row in rows)
    tone = Tone.SUCCESS if booked == len(rows) else Tone.WARNING if booked else Tone.ERROR
    body = f"{total_words(rows)}. Reference ID: {reference_id}, for {when_words(moment)}."
    return Outcome(tone, f"{booked} of {len(rows)} numbers booked", body)


def checked_result(rows: Sequence[BroadcastRow]) -> Outcome:
    """The answer after looking up a test broadcast whose answer was lost."""
    booked = sum(row.booked for row in rows)
    body = f"{total_words(rows)}. What was found is recorded in the history. Book again only the numbers not booked."
    return Outcome(
        Tone.SUCCESS if booked else Tone.INFO, f"Looked up: {booked} of {len(rows)} numbers were booked", body
    )


def found_result(found: CallStatus | None) -> Outcome:
    """The answer after looking up one call whose answer was lost: booked after all, or not."""
    if found is None:
        return Outcome(
            Tone.INFO, "It was not booked", "No new call to this number was found. You can schedule it again."
        )
    return Outcome(
        Tone.SUCCESS,
        f"It was booked — QueueID {found.queue_id}",
        f"Status: {found.plain_text}. Do not schedule it again.",
    )


@dataclass(frozen=True)
class Booking:
    when: datetime
    what: str  # "QueueID 4093250" or "reference ID test-…"


class RecentBookings:
    """The calls booked from this page lately, by (numbers, text)."""

    def __init__(self) -> None:
        self._booked: dict[tuple[tuple[str, ...], str], Booking] = {}

    @staticmethod
    def _key(calls: Sequence[CallRequest]) -> tuple[tuple[str, ...], str]:
        return tuple(sorted(c.phone_number for c in calls)), calls[0].text_to_say if calls else ""

    def remember(self, calls: Sequence[CallRequest], when: datetime, what: str) -> None:
        self._booked[self._key(calls)] = Booking(when, what)

    def question(self, calls: Sequence[CallRequest], now: datetime) -> str:
        """ "You booked this call 2 minutes ago (QueueID 4093250). Book it again?", or ""."""
        booking = self._booked.get(self._key(calls))
        if booking is None or now - booking.when > REBOOK_WINDOW:
            return ""
        minutes = int((now - booking.when).total_seconds() // 60)
        ago = "less than a minute ago" if minutes < 1 else f"{minutes} minute{'s' if minutes > 1 else ''} ago"
        if len(calls) == 1:
            return f"You booked this call {ago} ({booking.what}). Book it again?"
        return f"You booked these {len(calls)} calls {ago} ({booking.what}). Book them again?"


def broadcast_table(model: BroadcastModel) -> QTableView:
    """The per-number list under a test broadcast's answer: a few rows high, scrolling inside."""
    table = QTableView()
    table.setModel(model)
    table.setAccessibleName("Each number of the test broadcast")
    table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
    lines = table.fontMetrics().lineSpacing()
    table.setMinimumHeight(lines * 6)  # the header and about four numbers, even when the form is long
    table.setMaximumHeight(lines * 9)
    table.hide()
    return table
