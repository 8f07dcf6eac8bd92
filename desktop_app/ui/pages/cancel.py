"""Cancel calls: by reference ID (the main task for agents), or one call by QueueID.

Before a cancel is sent, the confirmation says what this desk's history knows: how many calls it
booked with the reference ID on the account (or that it booked none), or the number, time and
reference ID of the one call. A cancel by reference ID that cancels nothing offers the spellings
this desk booked that differ only in capitals or spaces ("Did you mean CASE-TEST, …?"): whether the
service tells capitals apart is not known, so the app never assumes either way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...service import InvalidInput
from ...service.reference_data import after_queue_id_not_found
from ...service.validation import phone_text
from ..widgets import BusyRow, FieldError, ResultPanel, Tone, buddy_label, confirm, plain_label
from ..widgets.busy import STOPPED_WAITING, STOPPED_WAITING_CANCEL

if TYPE_CHECKING:
    from ...desk import BookedCall, Desk, ReferenceKnowledge
    from ...service import CancelCount
    from ...storage.history import ReferenceBookings
    from ..controller import AppController, Waiting
    from .lookup_jobs import QueueCancel

log = logging.getLogger(__name__)
QUEUE_ID_TIP = "QueueID: the number Esendex gives each call (shown in the Esendex portal and on the Find calls page)"
REFERENCE_TIP = "The tag given to calls when they were booked; every scheduled call with it is cancelled"
NEAR_OFFERS = 3  # at most this many "Cancel CASE-TEST…" buttons after a cancel that found nothing
NAMED_DAYS = {-1: "yesterday", 0: "today", 1: "tomorrow"}
NOT_BOOKED_HERE = "This desk has not booked calls with this reference ID; other desks or programs may have."
HISTORY_UNREAD = (
    "This desk's history could not be read, so it cannot say whether it booked calls with this reference ID."
)


def cancel_headline(count: int) -> str:
    if count == 0:
        return "No calls were cancelled"
    return f"{count} call cancelled" if count == 1 else f"{count} calls cancelled"


def calls_words(count: int) -> str:
    return "1 call" if count == 1 else f"{count} calls"


def day_words(moment: datetime, now: datetime | None = None) -> str:
    """The day of `moment` in local time: "today", "yesterday", "tomorrow", "on 05 Mar" (the year
    when it is not this one)."""
    here, today = moment.astimezone(), (now or datetime.now(UTC)).astimezone()
    named = NAMED_DAYS.get((here.date() - today.date()).days)
    if named is not None:
        return named
    return f"on {here:%d %b}" if here.year == today.year else f"on {here:%Y-%m-%d}"


def booked_words(moment: datetime, now: datetime | None = None) -> str:
    """When something was booked: "today at 10:42" (local time)."""
    return f"{day_words(moment, now)} at {moment.astimezone():%H:%M}"


def call_time_words(moment: datetime, now: datetime | None = None) -> str:
    """When a call is to be placed: "at 14:05 today" (local time)."""
    return f"at {moment.astimezone():%H:%M} {day_words(moment, now)}"


def _last_booked(count: int, last: datetime) -> str:
    return booked_words(last) if count == 1 else f"the last {booked_words(last)}"


def knowledge_words(knowledge: ReferenceKnowledge | None) -> str:
    """What the reference ID confirmation says about this desk's own bookings."""
    if knowledge is None or knowledge.problem:
        return HISTORY_UNREAD
    if knowledge.last_booked is not None and knowledge.exact_count:
        text = (
            f"This desk booked {calls_words(knowledge.exact_count)} with reference ID {knowledge.reference_id} "
            f"on {knowledge.account}, {_last_booked(knowledge.exact_count, knowledge.last_booked)}."
        )
    else:
        text = NOT_BOOKED_HERE
    if knowledge.near:
        spellings = " and ".join(
            f"{b.reference_id} ({calls_words(b.count)}, {_last_booked(b.count, b.last_booked)})" for b in knowledge.near
        )
        also = "also booked" if knowledge.exact_count else "booked"
        differs = "differs" if len(knowledge.near) == 1 else "differ"
        text += f" It {also} calls with {spellings}, which {differs} only in capitals or spaces."
    return text


def did_you_mean(near: tuple[ReferenceBookings, ...]) -> str:
    """ "Did you mean CASE-TEST, booked today at 10:42?", with the count when this desk booked more
    than one call under it (the most recently booked first)."""
    offers = " or ".join(_offer_words(booking) for booking in near[:NEAR_OFFERS])
    return f"Did you mean {offers}?"


def _offer_words(booking: ReferenceBookings) -> str:
    if booking.count == 1:
        return f"{booking.reference_id}, booked {booked_words(booking.last_booked)}"
    return f"{booking.reference_id} ({calls_words(booking.count)}, the last booked {booked_words(booking.last_booked)})"


def booked_call_words(account: str, queue_id: int, call: BookedCall | None) -> str:
    """The one-call confirmation: the number, time and reference ID when this desk booked it."""
    if call is None:
        return (
            f"Cancel the call with QueueID {queue_id} on account “{account}”?\n\n"
            "It is not a call this desk booked, so its number and time are not known here "
            "(Find calls shows them)."
        )
    when = f" {call_time_words(call.scheduled_utc)}" if call.scheduled_utc is not None else ""
    reference = f", reference ID {call.reference_id}" if call.reference_id else " (no reference ID)"
    text = (
        f"Cancel the call to {phone_text(call.phone_number)}{when}{reference}?\n\n"
        f"QueueID {queue_id} on account “{account}”, booked by this desk {booked_words(call.booked_utc)}."
    )
    if call.account != account:
        text += (
            f"\n\nThis desk booked it on account “{call.account}”, not “{account}”: on “{account}” it will "
            f"not be found. Choose “{call.account}” first to cancel it."
        )
    return text


class CancelPage(QWidget):
    cancelled = Signal(object)  # CancelCount or QueueCancelResult
    failed = Signal(str)

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.in_flight = False
        self.asking = False  # the history is being asked what it knows, before the confirmation
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_reference_box())
        layout.addWidget(self._build_queue_box())
        self.busy = BusyRow(stoppable=True)
        self.busy.stopWaiting.connect(self.stop_waiting)
        self.waiting: Waiting | None = None  # the cancel in flight
        layout.addWidget(self.busy)
        self.result = ResultPanel()
        self.result.add_detail(self._build_offers())
        layout.addWidget(self.result)
        layout.addStretch(1)
        self.setFocusProxy(self.reference)  # where Ctrl+1 lands
        self._connect_signals()

    def _build_reference_box(self) -> QGroupBox:
        """What cancelling by reference ID does, the reference ID, "Cancel these calls…", its error."""
        by_reference = QGroupBox("Cancel scheduled calls by reference ID")
        form = QVBoxLayout(by_reference)
        intro = plain_label(
            "Cancels every call with this reference ID that has not started yet. Calls in progress and "
            "completed calls are not affected. Your account is credited for each cancelled call.",
            word_wrap=True,
        )
        form.addWidget(intro)
        row = QHBoxLayout()
        label = QLabel("&Reference ID:")
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("for example notify1")
        self.reference.setAccessibleName("Reference ID to cancel")
        self.reference.setToolTip(REFERENCE_TIP)  # no length limit: a long paste is refused with a reason, never cut
        label.setBuddy(self.reference)
        self.cancel_button = QPushButton("Cancel these calls…")
        self.cancel_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.cancel_button.setToolTip("Cancel every scheduled call with this reference ID (Ctrl+Enter)")
        self.cancel_button.setAccessibleName("Cancel calls with this reference ID")
        row.addWidget(label)
        row.addWidget(self.reference, 1)
        row.addWidget(self.cancel_button)
        form.addLayout(row)
        self.reference_error = FieldError(self.reference)
        form.addWidget(self.reference_error)
        return by_reference

    def _build_queue_box(self) -> QGroupBox:
        """The QueueID, "Cancel this call…", its error."""
        by_queue = QGroupBox("Cancel one call by QueueID")
        queue_form = QFormLayout(by_queue)
        queue_row = QHBoxLayout()
        self.queue_id = QLineEdit()
        self.queue_id.setPlaceholderText("for example 4093250")
        self.queue_id.setAccessibleName("QueueID to cancel")
        self.queue_id.setToolTip(QUEUE_ID_TIP)
        self.queue_button = QPushButton("Cancel this call…")
        self.queue_button.setAccessibleName("Cancel the call with this QueueID")
        self.queue_button.setToolTip("Cancel this one call if it has not started yet")
        queue_row.addWidget(self.queue_id, 1)
        queue_row.addWidget(self.queue_button)
        queue_form.addRow(buddy_label("&QueueID:", self.queue_id), queue_row)
        self.queue_error = FieldError(self.queue_id)
        queue_form.addRow("", self.queue_error)
        return by_queue

    def _build_offers(self) -> QWidget:
        """Under a result: "Did you mean CASE-TEST, booked today at 10:42?" and a "Cancel CASE-TEST…"
        button per spelling offered (hidden until a cancel finds nothing)."""
        self.offers = QWidget()
        column = QVBoxLayout(self.offers)
        column.setContentsMargins(0, 0, 0, 0)
        self.offer_text = plain_label(word_wrap=True)
        self.offer_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.offer_text.font()
        font.setBold(True)
        self.offer_text.setFont(font)
        column.addWidget(self.offer_text)
        row = QHBoxLayout()
        self.offer_buttons: list[QPushButton] = []
        self.offered: tuple[str, ...] = ()  # the reference IDs the buttons offer, in order
        for index in range(NEAR_OFFERS):
            button = QPushButton()
            button.setAccessibleName("Cancel the calls with the reference ID offered")
            button.clicked.connect(lambda _checked=False, i=index: self.ask_cancel_reference_id(self.offered[i]))
            row.addWidget(button)
            self.offer_buttons.append(button)
        row.addStretch(1)
        column.addLayout(row)
        self.offers.hide()
        return self.offers

    def _show_offers(self, near: tuple[ReferenceBookings, ...]) -> None:
        """Offer these spellings (none: hide the offer)."""
        self.offered = tuple(b.reference_id for b in near[:NEAR_OFFERS])
        self.offer_text.setText(did_you_mean(near) if near else "")
        for index, button in enumerate(self.offer_buttons):
            booked = near[index] if index < len(near) else None
            button.setVisible(booked is not None)
            if booked is not None:
                button.setText(f"Cancel {booked.reference_id}…".replace("&", "&&"))
                button.setAccessibleName(f"Cancel the calls with reference ID {booked.reference_id}")
                button.setToolTip(
                    f"Cancel every scheduled call with reference ID {booked.reference_id}, after a confirmation"
                )
        self.offers.setVisible(bool(near))

    def _connect_signals(self) -> None:
        self.reference.returnPressed.connect(self.ask_cancel_reference)
        self.cancel_button.clicked.connect(self.ask_cancel_reference)
        self.queue_id.returnPressed.connect(self.ask_cancel_queue)
        self.queue_button.clicked.connect(self.ask_cancel_queue)
        # Each section's error belongs to it: working in one section clears the other's.
        self.reference.textEdited.connect(lambda _t: self._clear_errors())
        self.queue_id.textEdited.connect(lambda _t: self._clear_errors())
        for field in (self.reference, self.cancel_button, self.queue_id, self.queue_button):
            field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn:
            if watched in (self.queue_id, self.queue_button):
                self.reference_error.show_message("")
            elif watched in (self.reference, self.cancel_button):
                self.queue_error.show_message("")
        return super().eventFilter(watched, event)

    def _clear_errors(self) -> None:
        self.reference_error.show_message("")
        self.queue_error.show_message("")

    # -- cancel by reference ID -----------------------------------------------------------------

    def ask_cancel_reference_id(self, reference_id: str) -> None:
        """Another page's "Cancel this …": fill in the reference ID and ask to confirm."""
        self.reference.setText(reference_id)
        self._clear_errors()
        self.ask_cancel_reference()

    def ask_cancel_reference(self) -> None:
        if self.in_flight:
            return  # a double click or a second Enter sends nothing twice
        self.queue_error.show_message("")
        account = self.controller.accounts.require()
        if account is None:
            return
        from ...service import validation as check  # on first use: not needed for the first paint

        typed = self.reference.text().strip()
        try:
            reference_id = check.reference_id(typed)
        except InvalidInput as error:
            self.reference_error.show_message(error.message)
            self.reference.setFocus()
            if any(ch.isspace() for ch in typed) and len(typed) <= check.REFERENCE_ID_MAX_LENGTH:
                # Spaces inside: nothing can be sent, but this desk may have booked it without them.
                self._ask(
                    lambda desk: desk.reference_knowledge(account, typed),
                    lambda knowledge: self._offer_without_spaces(typed, knowledge),
                    confirming=False,
                )
            return
        self.reference.setText(reference_id)
        if self.asking:
            return  # the confirmation is on its way
        self._ask(
            lambda desk: desk.reference_knowledge(account, reference_id),
            lambda knowledge: self._confirm_reference(account, reference_id, knowledge),
            lambda: self._confirm_reference(account, reference_id, None),
        )

    def _confirm_reference(self, account: str, reference_id: str, knowledge: ReferenceKnowledge | None) -> None:
        confirm(
            self,
            "Cancel calls?",
            f"Cancel every scheduled call with reference ID “{reference_id}” on account “{account}”?\n\n"
            f"{knowledge_words(knowledge)}\n\n"
            "Calls already in progress or completed are not affected.",
            lambda: self.start_cancel_reference(account, reference_id, knowledge),
            yes_text="Cancel the calls",
            no_text="Keep them",
        )

    def _offer_without_spaces(self, typed: str, knowledge: ReferenceKnowledge) -> None:
        """A reference ID typed with spaces inside that this desk booked without them: offer it
        (unless the field or the page has moved on meanwhile)."""
        if not knowledge.near or self.in_flight or self.asking or self.reference.text().strip() != typed:
            return
        self.result.show_result(
            Tone.INFO,
            "Nothing was sent",
            f"A reference ID cannot contain spaces. {knowledge_words(knowledge)}",
            focus=True,
        )
        self._show_offers(knowledge.near)

    def start_cancel_reference(
        self, account: str, reference_id: str, knowledge: ReferenceKnowledge | None = None
    ) -> None:
        if self.in_flight:
            return
        self._begin(f"Cancelling calls with reference ID “{reference_id}”…")
        self.waiting = self.controller.act(
            lambda desk: desk.cancel_by_reference_id(account, reference_id),
            lambda result: self._show_count(result, knowledge),
            self._show_error,
            self,
        )

    def _show_count(self, result: CancelCount, knowledge: ReferenceKnowledge | None = None) -> None:
        self._end()
        near = knowledge.near if knowledge is not None and not result.cancelled else ()
        if near:
            # Nothing cancelled, but this desk booked the same letters in other capitals or spaces:
            # those calls may still be scheduled. Say so, and offer them.
            kind, notice = (
                Tone.WARNING,
                "Nothing was cancelled, so there is no credit. The service has no scheduled calls with exactly "
                "this reference ID, but this desk booked calls with one that differs only in capitals or spaces: "
                "they may still be scheduled.",
            )
        else:
            kind, notice = (Tone.SUCCESS if result.cancelled else Tone.INFO), result.credit_notice
        self.result.show_result(
            kind, cancel_headline(result.cancelled), f"Reference ID “{result.reference_id}”. {notice}", focus=True
        )
        self._show_offers(near)
        self.cancelled.emit(result)

    # -- cancel by QueueID ------------------------------------------------------------------------

    def ask_cancel_call(self, queue_id: int) -> None:
        """Another page's "Cancel this call": fill in the QueueID and ask to confirm."""
        self.queue_id.setText(str(queue_id))
        self._clear_errors()
        self.ask_cancel_queue()

    def ask_cancel_queue(self) -> None:
        if self.in_flight:
            return
        self.reference_error.show_message("")
        account = self.controller.accounts.require()
        if account is None:
            return
        from ...service import validation as check

        try:
            queue_id = check.queue_id(self.queue_id.text())
        except InvalidInput as error:
            self.queue_error.show_message(error.message)
            self.queue_id.setFocus()
            return
        if self.asking:
            return  # a confirmation is on its way
        self._ask(
            lambda desk: desk.booked_call(queue_id),
            lambda call: self._confirm_queue(booked_call_words(account, queue_id, call), account, queue_id),
            lambda: self._confirm_queue(
                f"Cancel the call with QueueID {queue_id} on account “{account}”?\n\n"
                "This desk's history could not be read, so the call's number and time are not shown.",
                account,
                queue_id,
            ),
        )

    def _confirm_queue(self, text: str, account: str, queue_id: int) -> None:
        confirm(
            self,
            "Cancel this call?",
            text,
            lambda: self.start_cancel_queue(account, queue_id),
            yes_text="Cancel the call",
            no_text="Keep it",
        )

    def start_cancel_queue(self, account: str, queue_id: int) -> None:
        if self.in_flight:
            return
        from .lookup_jobs import cancel_queue_id  # built right after the first paint by Find calls

        self.queue_id.setText(str(queue_id))
        self._begin(f"Cancelling call {queue_id}…")
        self.waiting = self.controller.act(
            lambda desk: cancel_queue_id(desk, account, queue_id),
            lambda outcome: self._show_queue(account, outcome),
            self._show_error,
            self,
        )

    def _show_queue(self, account: str, outcome: QueueCancel) -> None:
        self._end()
        result = outcome.result
        if result.cancelled:
            self.result.show_result(Tone.SUCCESS, f"Call {result.queue_id} cancelled", result.credit_notice, focus=True)
        elif not outcome.found:
            self.result.show_result(
                Tone.INFO, f"QueueID {result.queue_id} not found", after_queue_id_not_found(account), focus=True
            )
        else:
            status = f" Its status now: {outcome.status.plain_text}." if outcome.status is not None else ""
            self.result.show_result(
                Tone.INFO, f"Call {result.queue_id} was not cancelled", result.credit_notice + status, focus=True
            )
        self.cancelled.emit(result)

    # -- shared -------------------------------------------------------------------------------------

    def _ask(
        self,
        job: Callable[[Desk], Any],
        then: Callable[[Any], None],
        or_else: Callable[[], None] | None = None,
        confirming: bool = True,
    ) -> None:
        """Ask the desk what its history knows, on the executor (the disk is never read on the GUI
        thread); then `then(answer)`, or `or_else()` when it could not be asked. `confirming`: a
        confirmation follows, and no second one is asked for until this one is shown."""
        self.asking = self.asking or confirming
        desk = self.controller.desk

        def answered(answer: Any) -> None:
            self.asking = self.asking and not confirming
            then(answer)

        def failed(error: BaseException) -> None:
            self.asking = self.asking and not confirming
            log.error("history not read: %s", type(error).__name__)
            if or_else is not None:
                or_else()

        self.controller.run(lambda: job(desk), answered, failed, self)

    def _begin(self, text: str) -> None:
        self.in_flight = True
        self.cancel_button.setEnabled(False)
        self.queue_button.setEnabled(False)
        self.result.clear()
        self._show_offers(())
        self.busy.start(text)

    def _end(self) -> None:
        self.in_flight = False
        self.waiting = None
        self.cancel_button.setEnabled(True)
        self.queue_button.setEnabled(True)
        self.busy.stop()

    def stop_waiting(self) -> None:
        """The user gave up waiting: say what is known, and let them go on."""
        if self.waiting is None or not self.in_flight:
            return
        self.waiting.stop()
        self._end()
        self.result.show_result(Tone.WARNING, STOPPED_WAITING, STOPPED_WAITING_CANCEL, focus=True)

    def _show_error(self, error: BaseException) -> None:
        from ...desk import describe_error  # on first use: the first paint does not need the desk

        self._end()
        title, message = describe_error(error)
        self.result.show_result(Tone.ERROR, title, message, focus=True)
        self.failed.emit(message)
