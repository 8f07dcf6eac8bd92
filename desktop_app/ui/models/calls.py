"""Calls found by a look-up: one row per call status, with the time it was booked for and its
reference ID (from the history, when this app booked it) and the account it was found under.

Every cell is in plain words; the service's own code and text are in the tooltips and, for
assistive technology, in each cell's accessible description. The Scheduled cell's tooltip also
gives the time it rings for the person called, from the number's area code, when the number is
known (the one looked up, or the call's variables). The Cancel column is the row's
action: "Cancel…" (painted as a button by the page's delegate) on a call that can still be
cancelled, marked by ACTION_ROLE, with an accessible name that says which call it cancels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt

from ...service.reference_data import UNKNOWN_QUEUE_ID_CODE, queue_id_not_found
from .table import Column, Index, RowsModel

if TYPE_CHECKING:
    from ...service import CallStatus

NOT_CANCELLABLE = "Calls in progress and finished calls cannot be cancelled."
ACTION_TITLE = "Cancel"  # the column of each row's action
ACTION_TEXT = "Cancel…"
NO_ACTION_NAME = "Cannot be cancelled"
# True on a cell that is its row's action (a call that can still be cancelled): the view paints it
# as a button and activates it on a click, Enter or Space.
ACTION_ROLE = Qt.ItemDataRole.UserRole
NO_TIME = "—"
OUTSIDE_THIS_APP = "booked outside this app"
OUTSIDE_TIP = (
    "This call was not booked from this app, so its scheduled time is not known here: the service does not report it."
)
QUEUE_ID_TIP = "The QueueID: the number Esendex gives each call"
NOT_FOUND = "Not found"
REFERENCE_TITLE = "Reference ID"
REFERENCE_SHOWN = 12  # characters of a reference ID in its cell (up to 50: the tooltip has it all)
# Shorter headers (on two lines, or abbreviated), so that every column fits the default window
# beside a readable Status. The column menu, column_of and what a screen reader says use the titles.
HEADER_TEXT = {"Reference ID": "Ref. ID", "Answered by": "Answered\nby", "Keys pressed": "Keys\npressed"}

# Plain words for the statuses PLAIN_STATUS leaves to the service's text. A look-up shows these;
# the service's code and text stay in the tooltip.
LOOKUP_WORDS: dict[int, str] = {
    2: "Not answered",
    3: "Not placed: the phone number is not valid",
    4: "Not placed: the caller ID is not valid",
    5: "Not placed: the voice is not valid",
    6: "Not placed: the number to transfer to is not valid",
    23: "Not placed: the sound file was not found",
    25: "Answered, but the transfer failed",
    26: "The person hung up during the transfer",
    27: "On hold at Esendex",
    28: "Not placed: calls to this number are not allowed",
    32: "Not placed: the speech engine failed",
    33: "Not placed: outside the allowed calling hours",
    34: "Not placed: the phone network was busy",
    35: "Not placed: the phone network refused the call",
    36: "Not placed: the phone network refused the call",
    37: "Not placed: the phone network did not answer in time",
    38: "Not placed: the phone network refused the call",
}
# Who answered, in a word or two (the tooltip has the sentence).
ANSWERED_BY: dict[str, str] = {"HUMAN": "Person", "MACHINE": "Machine", "FAX": "Fax", "UNKNOWN": "Not sure"}


def calls_text(count: int) -> str:
    return "1 call" if count == 1 else f"{count} calls"


@dataclass(frozen=True)
class FoundCall:
    status: CallStatus
    scheduled_utc: datetime | None  # the service's status has no such field: the history's, if known
    account: str  # "" when looked up by one QueueID without an account
    reference_id: str = ""  # the reference ID it was booked with, when known ("" otherwise)
    phone_number: str = ""  # the number called, when known (the one looked up); else the call's variables

    @property
    def number(self) -> str:
        """The number called: as given, else the "phonenumber" variable the advanced status lists."""
        return self.phone_number or self.status.variables.get("phonenumber", "").strip()

    @property
    def queue_id(self) -> int:
        return self.status.queue_id

    @property
    def found(self) -> bool:
        """False when the service does not know this QueueID for the account (code 9)."""
        return self.status.response_code != UNKNOWN_QUEUE_ID_CODE

    @property
    def cancellable(self) -> bool:
        return self.found and self.status.cancellable


def status_words(call: FoundCall) -> str:
    if not call.found:
        return NOT_FOUND
    code = call.status.response_code
    return LOOKUP_WORDS.get(code) or call.status.plain_text


def local(moment: datetime | None) -> str:
    """In full (the tooltip and exports)."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S") if moment else NO_TIME


def short_local(moment: datetime | None, today: datetime | None = None) -> str:
    """In the table: the time alone today ("14:30"), else day and month ("05 Mar 14:30"), the year
    only when it is not this one. Full timestamps would leave the status no room."""
    if not moment:
        return NO_TIME
    here, now = moment.astimezone(), (today or datetime.now()).astimezone()
    if here.date() == now.date():
        return here.strftime("%H:%M")
    return here.strftime("%d %b %H:%M" if here.year == now.year else "%Y-%m-%d %H:%M")


def recipient_words(number: str, moment: datetime | None) -> str:
    """ "06:00 in Los Angeles (Pacific) for the person called", or "" when not known."""
    if moment is None or not number:
        return ""
    from ...service.recipient_time import recipient_time  # on first use: no tooltip before a look-up

    there = recipient_time(number, moment).there(moment.astimezone().replace(tzinfo=None))
    return f"{there} for the person called" if there else ""


def scheduled_tip(call: FoundCall) -> str:
    """The booked time in full, your time, and beside it the time where the call rings."""
    if call.scheduled_utc is None:
        return OUTSIDE_TIP if call.found else ""
    there = recipient_words(call.number, call.scheduled_utc)
    return f"{local(call.scheduled_utc)} your time\n= {there}" if there else local(call.scheduled_utc)


def scheduled_text(call: FoundCall) -> str:
    if call.scheduled_utc is not None:
        return short_local(call.scheduled_utc)
    return OUTSIDE_THIS_APP.replace("outside ", "outside\n") if call.found else NO_TIME  # two short lines


def time_column(title: str, moment: Callable[[FoundCall], datetime | None], tip: str) -> Column[FoundCall]:
    return Column[FoundCall](
        title,
        lambda c: short_local(moment(c)),
        sort_key=lambda c: moment_key(moment(c)),
        tooltip=lambda c: local(moment(c)) if moment(c) else "",
        header_tip=tip,
    )


def duration(seconds: int) -> str:
    if not seconds:
        return NO_TIME
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def moment_key(moment: datetime | None) -> float:
    """Calls without a time sort before every call with one."""
    return moment.timestamp() if moment else float("-inf")


def answered_by(status: CallStatus) -> str:
    """A word or two: Person, Machine, Fax, Not sure; "No" when it rang and nobody answered; "—"
    before the end and for a call that never rang (cancelled, or not placed: never tried)."""
    if status.answered:
        return ANSWERED_BY.get(status.machine_detection.strip().upper(), "Yes")
    rang = status.try_count > 0 or status.start_utc is not None
    return "No" if status.call_complete and rang else NO_TIME


def reference_text(call: FoundCall) -> str:
    """The reference ID in its cell: "—" when not known, a long one cut short (the tooltip has it)."""
    reference = call.reference_id
    if not reference:
        return NO_TIME
    return reference if len(reference) <= REFERENCE_SHOWN else reference[: REFERENCE_SHOWN - 1] + "…"


def answered_tip(status: CallStatus) -> str:
    parts = []
    if status.answered:
        parts.append(status.machine_detection_text or "Answered")
    if status.digits_pressed:
        parts.append(f"Keys pressed on the phone: {status.digits_pressed}")
    if status.machine_detection:
        parts.append(f"(MachineDetection {status.machine_detection})")
    return "\n".join(parts)


def action_name(call: FoundCall) -> str:
    """The accessible name of a row's action, e.g. "Cancel call 4093251"."""
    return f"Cancel call {call.queue_id}" if call.cancellable else NO_ACTION_NAME


def action_tip(call: FoundCall) -> str:
    if not call.cancellable:
        return NOT_CANCELLABLE
    where = f" on account “{call.account}”" if call.account else ""
    return f"Cancel the call with QueueID {call.queue_id}{where} (click, or select its row and press Enter or Delete)"


def status_tip(call: FoundCall, service_text: Callable[[int], str]) -> str:
    code = call.status.response_code
    technical = f"Code {code}: {call.status.response_text or service_text(code)}"
    if not call.found:
        return f"{queue_id_not_found(call.account)}\n{technical}"
    return technical


def call_columns(service_text: Callable[[int], str]) -> list[Column[FoundCall]]:
    """`service_text(code)`: the service's own words for a response code (the Status tooltip)."""
    return [
        Column[FoundCall]("QueueID", lambda c: str(c.queue_id), sort_key=lambda c: c.queue_id, header_tip=QUEUE_ID_TIP),
        Column[FoundCall](
            "Status",
            status_words,
            sort_key=lambda c: status_words(c).lower(),
            tooltip=lambda c: status_tip(c, service_text),
            header_tip="What happened to the call, in plain words (the service's code is in each cell's tooltip)",
        ),
        Column[FoundCall](
            ACTION_TITLE,
            lambda c: ACTION_TEXT if c.cancellable else NO_TIME,
            sort_key=lambda c: not c.cancellable,
            tooltip=action_tip,
            header_tip="Only calls that have not started can be cancelled",
        ),
        Column[FoundCall](
            "Scheduled",
            scheduled_text,
            sort_key=lambda c: moment_key(c.scheduled_utc),
            tooltip=scheduled_tip,
            header_tip="When the call was booked for, in your local time (known for calls booked from this app)",
        ),
        Column[FoundCall](
            REFERENCE_TITLE,
            reference_text,
            sort_key=lambda c: c.reference_id.lower(),
            tooltip=lambda c: c.reference_id,
            header_tip="The reference ID the call was booked with (known for calls booked from this app)",
        ),
        time_column("Started", lambda c: c.status.start_utc, "When dialling started, in your local time"),
        time_column("Ended", lambda c: c.status.end_utc, "When the call ended, in your local time"),
        Column[FoundCall](
            "Duration",
            lambda c: duration(c.status.duration_seconds),
            sort_key=lambda c: c.status.duration_seconds,
            header_tip="How long the call lasted",
        ),
        Column[FoundCall](
            "Answered by",
            lambda c: answered_by(c.status) if c.found else NO_TIME,
            tooltip=lambda c: answered_tip(c.status),
            header_tip="Who answered: a person, an answering machine or a fax (keys pressed are in the tooltip)",
        ),
        Column[FoundCall](
            "Keys pressed",
            lambda c: c.status.digits_pressed,
            header_tip="Keys the person pressed on their phone during the call",
        ),
        Column[FoundCall](
            "Account",
            lambda c: c.account,
            sort_key=lambda c: c.account.lower(),
            header_tip="The account the call was found in; cancelling uses this account",
        ),
    ]


EXPORT_HEADER = (
    "QueueID",
    "Account",
    "Reference ID",
    "Status",
    "Service code",
    "Service text",
    "Can be cancelled",
    "Scheduled (local time)",
    "Started (local time)",
    "Ended (local time)",
    "Duration (seconds)",
    "Answered by",
    "Keys pressed",
)


def export_row(call: FoundCall, service_text: Callable[[int], str]) -> tuple[object, ...]:
    status = call.status
    scheduled = local(call.scheduled_utc) if call.scheduled_utc else (OUTSIDE_THIS_APP if call.found else "")
    return (
        call.queue_id,
        call.account,
        call.reference_id,
        status_words(call),
        status.response_code,
        status.response_text or service_text(status.response_code),
        "Yes" if call.cancellable else "No",
        scheduled,
        local(status.start_utc) if status.start_utc else "",
        local(status.end_utc) if status.end_utc else "",
        status.duration_seconds,
        answered_by(status).replace(NO_TIME, ""),
        status.digits_pressed,
    )


class CallsModel(RowsModel[FoundCall]):
    def __init__(self, service_text: Callable[[int], str], parent: Any = None) -> None:
        super().__init__(call_columns(service_text), parent)
        self.service_text = service_text
        self.action_column = self.column_of(ACTION_TITLE)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Beyond RowsModel's roles: ACTION_ROLE and the action's accessible name on the Cancel
        column, and on every cell an accessible description with its tooltip's words in plain text
        (the Status cell's is the service's code and text)."""
        if not index.isValid():
            return None
        call = self._rows[index.row()]
        on_action = index.column() == self.action_column
        if role == ACTION_ROLE:
            return on_action and call.cancellable
        if role == Qt.ItemDataRole.AccessibleTextRole and on_action:
            return action_name(call)
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            tip = self.columns[index.column()].tooltip
            return (tip(call) or None) if tip is not None else None
        return super().data(index, role)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.AccessibleTextRole:
            role = Qt.ItemDataRole.DisplayRole  # the whole title
        elif role == Qt.ItemDataRole.DisplayRole:
            title = super().headerData(section, orientation, role)
            return HEADER_TEXT.get(title, title) if isinstance(title, str) else title
        return super().headerData(section, orientation, role)

    def position_of(self, queue_id: int, account: str | None = None) -> int:
        return next(
            (
                i
                for i, call in enumerate(self._rows)
                if call.queue_id == queue_id and (account is None or call.account == account)
            ),
            -1,
        )

    def accounts(self) -> set[str]:
        return {call.account for call in self._rows}

    def export_rows(self) -> list[tuple[object, ...]]:
        return [export_row(call, self.service_text) for call in self._rows]
