"""Cancel calls: by reference ID (the main task for agents), or one call by QueueID."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal
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
from ...service.reference_data import queue_id_not_found
from ..widgets import BusyRow, FieldError, ResultPanel, Tone, buddy_label, confirm, plain_label

if TYPE_CHECKING:
    from ...service import CancelCount
    from ..controller import AppController
    from .lookup_jobs import QueueCancel

QUEUE_ID_TIP = "QueueID: the number Esendex gives each call (shown in the Esendex portal and on the Find calls page)"
REFERENCE_TIP = "The tag given to calls when they were booked; every scheduled call with it is cancelled"


def cancel_headline(count: int) -> str:
    if count == 0:
        return "No calls were cancelled"
    return f"{count} call cancelled" if count == 1 else f"{count} calls cancelled"


class CancelPage(QWidget):
    cancelled = Signal(object)  # CancelCount or QueueCancelResult
    failed = Signal(str)

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.in_flight = False
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_reference_box())
        layout.addWidget(self._build_queue_box())
        self.busy = BusyRow()
        layout.addWidget(self.busy)
        self.result = ResultPanel()
        layout.addWidget(self.result)
        layout.addStretch(1)
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
        self.reference_error = FieldError()
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
        self.queue_error = FieldError()
        queue_form.addRow("", self.queue_error)
        return by_queue

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

        try:
            reference_id = check.reference_id(self.reference.text())
        except InvalidInput as error:
            self.reference_error.show_message(error.message)
            self.reference.setFocus()
            return
        self.reference.setText(reference_id)
        confirm(
            self,
            "Cancel calls?",
            f"Cancel every scheduled call with reference ID “{reference_id}” on account “{account}”?\n\n"
            "Calls already in progress or completed are not affected.",
            lambda: self.start_cancel_reference(account, reference_id),
            yes_text="Cancel the calls",
            no_text="Keep them",
        )

    def start_cancel_reference(self, account: str, reference_id: str) -> None:
        if self.in_flight:
            return
        self._begin(f"Cancelling calls with reference ID “{reference_id}”…")
        self.controller.act(
            lambda desk: desk.cancel_by_reference_id(account, reference_id), self._show_count, self._show_error, self
        )

    def _show_count(self, result: CancelCount) -> None:
        self._end()
        kind = Tone.SUCCESS if result.cancelled else Tone.INFO
        self.result.show_result(
            kind,
            cancel_headline(result.cancelled),
            f"Reference ID “{result.reference_id}”. {result.credit_notice}",
        )
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
        confirm(
            self,
            "Cancel this call?",
            f"Cancel the call with QueueID {queue_id} on account “{account}”?",
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
        self.controller.act(
            lambda desk: cancel_queue_id(desk, account, queue_id),
            lambda outcome: self._show_queue(account, outcome),
            self._show_error,
            self,
        )

    def _show_queue(self, account: str, outcome: QueueCancel) -> None:
        self._end()
        result = outcome.result
        if result.cancelled:
            self.result.show_result(Tone.SUCCESS, f"Call {result.queue_id} cancelled", result.credit_notice)
        elif not outcome.found:
            self.result.show_result(Tone.INFO, f"QueueID {result.queue_id} not found", queue_id_not_found(account))
        else:
            status = f" Its status now: {outcome.status.plain_text}." if outcome.status is not None else ""
            self.result.show_result(
                Tone.INFO, f"Call {result.queue_id} was not cancelled", result.credit_notice + status
            )
        self.cancelled.emit(result)

    # -- shared -------------------------------------------------------------------------------------

    def _begin(self, text: str) -> None:
        self.in_flight = True
        self.cancel_button.setEnabled(False)
        self.queue_button.setEnabled(False)
        self.result.clear()
        self.busy.start(text)

    def _end(self) -> None:
        self.in_flight = False
        self.cancel_button.setEnabled(True)
        self.queue_button.setEnabled(True)
        self.busy.stop()

    def _show_error(self, error: BaseException) -> None:
        from ...desk import describe_error  # on first use: the first paint does not need the desk

        self._end()
        title, message = describe_error(error)
        self.result.show_result(Tone.ERROR, title, message)
        self.failed.emit(message)
