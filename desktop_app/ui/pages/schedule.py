"""Schedule a test call. Defaults are sensible, so a test call needs only a number and a text.

The form (fields, inline errors, local time and UTC) is in schedule_form.py; this page sends the
call through the controller, shows the answer, and settles a schedule whose answer was lost.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimeZone, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from ...desk import describe_error
from ...service import CallRequest, CallStatus, InvalidInput, ScheduledCall
from ..widgets import BusyRow, ResultPanel, confirm
from .schedule_form import ScheduleForm, generate_reference_id, to_utc

if TYPE_CHECKING:
    from ..controller import AppController

__all__ = ["SchedulePage", "generate_reference_id", "to_utc"]


class SchedulePage(QWidget):
    scheduled = Signal(object)  # ScheduledCall
    failed = Signal(str)
    checked = Signal(object)  # CallStatus or None, after "Check whether it was booked"

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.in_flight = False
        self.last: ScheduledCall | None = None
        self.sending: tuple[str, CallRequest] | None = None
        self.unknown: tuple[str, CallRequest] | None = None  # a schedule whose answer was lost
        # A scroll area keeps every field reachable on small screens and at 200% scaling.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        content = QWidget()
        scroll.setWidget(content)
        outer.addWidget(scroll)
        layout = QVBoxLayout(content)

        self.form = form = ScheduleForm()
        layout.addWidget(form)
        # The fields under the names the window, the tests and the accessibility checks use.
        self.phone, self.text, self.voice, self.when = form.phone, form.text, form.voice, form.when
        self.now_button, self.reference, self.generate_button = form.now_button, form.reference, form.generate_button
        self.caller_number, self.caller_name = form.caller_number, form.caller_name
        self.tries, self.gap, self.rate, self.volume = form.tries, form.gap, form.rate, form.volume
        self.max_length, self.errors = form.max_length, form.errors
        self.utc_label, self.time_note = form.utc_label, form.time_note

        buttons = QHBoxLayout()
        self.schedule_button = QPushButton("Schedule call")
        self.schedule_button.setDefault(True)
        self.schedule_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.schedule_button.setToolTip("Schedule the call (Ctrl+Enter)")
        buttons.addStretch(1)
        buttons.addWidget(self.schedule_button)
        layout.addLayout(buttons)
        self.busy = BusyRow()
        layout.addWidget(self.busy)
        self.result = ResultPanel()
        self.cancel_this = QPushButton("Cancel this call")
        self.copy_reference = QPushButton("Copy reference ID")
        self.copy_queue = QPushButton("Copy QueueID")
        self.check_booked = QPushButton("Check whether it was booked")
        self.check_booked.setVisible(False)
        for button in (self.check_booked, self.cancel_this, self.copy_reference, self.copy_queue):
            self.result.actions.addWidget(button)
        layout.addWidget(self.result)
        layout.addStretch(1)

        self.schedule_button.clicked.connect(self.submit)
        self.cancel_this.clicked.connect(self._cancel_this)
        self.check_booked.clicked.connect(self.check_unknown)
        self.copy_reference.clicked.connect(lambda: self._copy(self.last.reference_id if self.last else ""))
        self.copy_queue.clicked.connect(lambda: self._copy(str(self.last.queue_id) if self.last else ""))
        if controller.voices:  # the service's list arrived before this page was built
            self.set_voices(list(controller.voices))
        controller.voicesLoaded.connect(self._voices_loaded)  # a bound slot: dropped with the page

    # -- the form's public face ------------------------------------------------------------------------

    def set_voices(self, voices: list[tuple[int, str]]) -> None:
        self.form.set_voices(voices)

    def _voices_loaded(self, voices: tuple[tuple[int, str], ...]) -> None:
        self.set_voices(list(voices))

    def set_time_zone(self, zone: QTimeZone) -> None:
        self.form.set_time_zone(zone)

    def reset_time(self) -> None:
        self.form.reset_time()

    def clear_errors(self) -> None:
        self.form.clear_errors()

    # -- scheduling -----------------------------------------------------------------------------------

    def submit(self) -> None:
        if self.in_flight:
            return
        self.clear_errors()
        account = self.controller.require_account()
        if account is None:
            return
        try:
            call = self.form.call_request(datetime.now(UTC))
        except InvalidInput as error:
            self.form.show_error(error)
            return
        if self.unknown is not None and self.unknown[1].phone_number == call.phone_number:
            confirm(
                self,
                "Check first?",
                "The last try to book a call to this number got no clear answer: the call may already be "
                "booked. Check first, so that nobody is called twice.",
                lambda: self._send(account, call),
                yes_text="Schedule anyway",
                no_text="Check first",
                on_no=self.check_unknown,
            )
            return
        self._send(account, call)

    def _send(self, account: str, call: CallRequest) -> None:
        if self.in_flight:
            return
        self.sending = (account, call)
        self._begin(f"Scheduling a call to {call.phone_number}…")
        self.result.clear()
        self.controller.act(lambda desk: desk.schedule(account, call), self._done, self._error, self)

    def _begin(self, text: str) -> None:
        self.in_flight = True
        self.schedule_button.setEnabled(False)
        self.busy.start(text)

    def _finish(self) -> None:
        self.in_flight = False
        self.schedule_button.setEnabled(True)
        self.busy.stop()

    def _done(self, result: ScheduledCall) -> None:
        self._finish()
        self.last = result
        if result.queued:
            local = result.scheduled_utc.astimezone()
            self.result.show_result(
                "success",
                f"Call scheduled — QueueID {result.queue_id}",
                f"It will be placed at {local:%Y-%m-%d %H:%M} your time ({result.scheduled_utc:%H:%M} UTC). "
                f"Reference ID: {result.reference_id or '(none)'}. The service said: {result.response_text}.",
            )
            self.form.new_reference()  # the next call gets a fresh one
        else:
            self.result.show_result(
                "error",
                "The service did not accept the call",
                f"{result.plain_text} (code {result.response_code}). Check the details and try again.",
            )
        self.cancel_this.setVisible(result.queued)
        self.copy_queue.setVisible(result.queued)
        self.copy_reference.setVisible(bool(result.reference_id))
        self.check_booked.setVisible(False)
        self.unknown = None
        self.scheduled.emit(result)

    def _error(self, error: BaseException) -> None:
        self._finish()
        title, message = describe_error(error)
        unknown = getattr(error, "outcome_unknown", False)
        self.unknown = self.sending if unknown else None
        self.result.show_result("warning" if unknown else "error", title, message)
        for button in (self.cancel_this, self.copy_queue, self.copy_reference):
            button.setVisible(False)
        self.check_booked.setVisible(unknown)
        self.failed.emit(message)

    # -- a schedule whose answer was lost ---------------------------------------------------------------

    def check_unknown(self) -> None:
        """Look the number up to settle a schedule whose answer was lost."""
        if self.unknown is None or self.in_flight:
            return
        account, call = self.unknown
        self._begin(f"Looking up the calls to {call.phone_number}…")
        self.check_booked.setEnabled(False)
        self.controller.act(lambda desk: desk.confirm_schedule(account, call), self._checked, self._check_failed, self)

    def _checked(self, found: CallStatus | None) -> None:
        self._finish()
        self.check_booked.setEnabled(True)
        self.check_booked.setVisible(False)
        self.unknown = None
        if found is None:
            self.result.show_result(
                "info", "It was not booked", "No new call to this number was found. You can schedule it again."
            )
            self.cancel_this.setVisible(False)
        else:
            self.last = ScheduledCall(found.queue_id, found.response_code, found.response_text, "", datetime.now(UTC))
            self.result.show_result(
                "success",
                f"It was booked — QueueID {found.queue_id}",
                f"Status: {found.plain_text}. Do not schedule it again.",
            )
            self.cancel_this.setVisible(found.cancellable)
        self.checked.emit(found)

    def _check_failed(self, error: BaseException) -> None:
        self._finish()
        self.check_booked.setEnabled(True)
        title, message = describe_error(error)
        self.result.show_result("warning", title, f"{message} The earlier call's outcome is still unknown.")

    # -- result actions ---------------------------------------------------------------------------------

    def _cancel_this(self) -> None:
        if self.last is not None:
            self.controller.request_cancel_call(self.last.queue_id)

    @staticmethod
    def _copy(text: str) -> None:
        if text:
            QGuiApplication.clipboard().setText(text)
