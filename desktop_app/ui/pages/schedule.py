"""Schedule a test call. Defaults are sensible, so a test call needs only a number and a text."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QDateTime, QTimeZone, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..desk import describe_error
from ..service import CallRequest, CallStatus, InvalidInput, ScheduledCall, new_call_request
from ..service import validation as check
from ..service.reference_data import DEFAULT_VOICE_ID, VOICES
from .widgets import BusyRow, FieldError, ResultPanel, confirm

if TYPE_CHECKING:
    from .main_window import MainWindow


def generate_reference_id(now: datetime | None = None) -> str:
    """`test-20261127-1610-4f2a`: readable, sortable and unique enough to cancel by."""
    now = now or datetime.now()
    return f"test-{now:%Y%m%d-%H%M}-{secrets.token_hex(2)}"


def to_utc(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


class SchedulePage(QWidget):
    scheduled = Signal(object)  # ScheduledCall
    failed = Signal(str)
    checked = Signal(object)  # CallStatus or None, after "Check whether it was booked"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
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

        call_box = QGroupBox("Schedule a test call")
        form = QFormLayout(call_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.errors: dict[str, FieldError] = {}

        self.phone = QLineEdit()
        self.phone.setPlaceholderText("for example 757-555-1234")
        self._row(form, "&Phone number to dial:", self.phone, "phone_number")
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("What the call should say, for example: Hello, this is a test call.")
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.text.setMaximumHeight(self.fontMetrics().lineSpacing() * 8 + 12)
        self._row(form, "&Text to say:", self.text, "text_to_say")
        self.voice = QComboBox()
        self.set_voices([(v.voice_id, v.summary) for v in VOICES])
        self._row(form, "&Voice:", self.voice, "voice_id")

        when_row = QHBoxLayout()
        self.when = QDateTimeEdit()
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.when.setTimeZone(QTimeZone.systemTimeZone())
        self.now_button = QPushButton("In 1 hour")
        self.now_button.setAccessibleName("Set the time to one hour from now")
        when_row.addWidget(self.when, 1)
        when_row.addWidget(self.now_button)
        when_holder = QWidget()
        when_holder.setLayout(when_row)
        when_row.setContentsMargins(0, 0, 0, 0)
        self._row(form, "&When (your local time):", when_holder, "scheduled_time")
        self.when.setAccessibleName("When the call is placed, in your local time")
        self.utc_label = QLabel()
        self.utc_label.setStyleSheet("color: palette(placeholder-text);")
        form.addRow("", self.utc_label)
        self.time_note = QLabel()  # daylight-saving gaps and overlaps, in plain words
        self.time_note.setWordWrap(True)
        self.time_note.setStyleSheet("color: #8a5a00;")
        self.time_note.hide()
        form.addRow("", self.time_note)

        ref_row = QHBoxLayout()
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("tag used to cancel the call later")
        self.generate_button = QPushButton("Generate")
        self.generate_button.setAccessibleName("Generate a new reference ID")
        ref_row.addWidget(self.reference, 1)
        ref_row.addWidget(self.generate_button)
        ref_row.setContentsMargins(0, 0, 0, 0)
        ref_holder = QWidget()
        ref_holder.setLayout(ref_row)
        self._row(form, "&Reference ID:", ref_holder, "reference_id")
        self.reference.setAccessibleName("Reference ID")
        layout.addWidget(call_box)

        more = QGroupBox("Caller ID and call options")
        more_form = QFormLayout(more)
        self.caller_number = QLineEdit()
        self.caller_number.setPlaceholderText("optional, 10 digits")
        self._row(more_form, "Caller ID &number:", self.caller_number, "caller_id_number")
        self.caller_name = QLineEdit()
        self.caller_name.setPlaceholderText("optional; most phone companies ignore it")
        self._row(more_form, "Caller ID na&me:", self.caller_name, "caller_id_name")
        self.tries = self._spin(more_form, "T&ries:", *check.TRY_COUNT_RANGE, 1, "try_count", "attempts if unanswered")
        self.gap = self._spin(more_form, "&Seconds between tries:", 0, check.NEXT_TRY_LIMIT, 180, "next_try_seconds")
        self.rate = self._spin(more_form, "Speech r&ate:", *check.TTS_RATE_RANGE, 10, "tts_rate", "10 is normal")
        self.volume = self._spin(more_form, "V&olume:", *check.TTS_VOLUME_RANGE, 100, "tts_volume")
        self.max_length = self._spin(
            more_form, "Ma&x call length (seconds):", 0, check.MAX_CALL_LENGTH_LIMIT, 300, "max_call_length"
        )
        layout.addWidget(more)

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

        self.now_button.clicked.connect(self.reset_time)
        self.generate_button.clicked.connect(lambda: self.reference.setText(generate_reference_id()))
        self.when.dateTimeChanged.connect(self._update_utc)
        self.schedule_button.clicked.connect(self.submit)
        self.cancel_this.clicked.connect(self._cancel_this)
        self.check_booked.clicked.connect(self.check_unknown)
        self.copy_reference.clicked.connect(lambda: self._copy(self.last.reference_id if self.last else ""))
        self.copy_queue.clicked.connect(lambda: self._copy(str(self.last.queue_id) if self.last else ""))
        self.reset_time()
        self.reference.setText(generate_reference_id())

    # -- form helpers -------------------------------------------------------------------------------

    def _row(self, form: QFormLayout, label: str, widget: QWidget, field: str) -> None:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        error = FieldError()
        column.addWidget(error)
        self.errors[field] = error
        form.addRow(label, holder)
        label_widget = form.labelForField(holder)
        if isinstance(label_widget, QLabel):
            label_widget.setBuddy(widget)
        widget.setAccessibleName(label.replace("&", "").rstrip(":"))

    def _spin(self, form: QFormLayout, label: str, low: int, high: int, value: int, field: str, hint: str = ""):
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setMinimumWidth(spin.fontMetrics().horizontalAdvance("0000000") + 40)
        spin.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        if hint:
            spin.setToolTip(hint)
        self._row(form, label, spin, field)
        return spin

    def set_voices(self, voices: list[tuple[int, str]]) -> None:
        current = self.voice.currentData()
        self.voice.clear()
        for voice_id, summary in voices:
            self.voice.addItem(summary, voice_id)
        index = self.voice.findData(current if current is not None else DEFAULT_VOICE_ID)
        self.voice.setCurrentIndex(max(index, 0))

    def reset_time(self) -> None:
        soon = QDateTime.currentDateTime().addSecs(3600)
        soon.setTime(soon.time().addSecs(-(soon.time().second())))
        self.when.setDateTime(soon)
        self._update_utc()

    def set_time_zone(self, zone: QTimeZone) -> None:
        """The zone the time is entered in (the system's by default)."""
        self.when.setTimeZone(zone)
        self._update_utc()

    def _update_utc(self) -> None:
        value = self.when.dateTime()
        moment = to_utc(value)
        zone = self.when.timeZone()
        self.utc_label.setText(f"= {moment:%Y-%m-%d %H:%M} UTC (your time zone: {zone.displayName(value)})")
        note = ""
        try:
            wall = datetime(
                value.date().year(),
                value.date().month(),
                value.date().day(),
                value.time().hour(),
                value.time().minute(),
            )
            note = check.local_time_note(wall, ZoneInfo(bytes(zone.id().data()).decode()))
        except (ZoneInfoNotFoundError, ValueError):
            pass  # a zone Python does not know: Qt's conversion above still applies
        self.time_note.setText(note)
        self.time_note.setVisible(bool(note))

    def clear_errors(self) -> None:
        for error in self.errors.values():
            error.show_message("")

    # -- scheduling -----------------------------------------------------------------------------------

    def submit(self) -> None:
        if self.in_flight:
            return
        self.clear_errors()
        account = self.window_.require_account()
        if account is None:
            return
        scheduled = to_utc(self.when.dateTime())
        now = datetime.now(UTC)
        try:
            call = new_call_request(
                phone_number=self.phone.text(),
                text_to_say=self.text.toPlainText(),
                scheduled=max(scheduled, now) if scheduled > now - timedelta(minutes=5) else scheduled,
                reference_id=self.reference.text(),
                voice_id=self.voice.currentData() if self.voice.currentData() is not None else DEFAULT_VOICE_ID,
                caller_id_number=self.caller_number.text(),
                caller_id_name=self.caller_name.text(),
                try_count=self.tries.value(),
                next_try_seconds=self.gap.value(),
                tts_rate=self.rate.value(),
                tts_volume=self.volume.value(),
                max_call_length=self.max_length.value(),
                now=now,
            )
        except InvalidInput as error:
            self.errors.get(error.field, self.errors["phone_number"]).show_message(error.message)
            return
        if scheduled < now - timedelta(minutes=5):
            self.errors["scheduled_time"].show_message("That time is in the past. Choose a time from now on.")
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
        self.in_flight = True
        self.schedule_button.setEnabled(False)
        self.result.clear()
        self.busy.start(f"Scheduling a call to {call.phone_number}…")
        desk = self.window_.desk
        self.window_.runner.submit(lambda: desk.schedule(account, call), self._done, self._error, user_action=True)

    def _finish(self) -> None:
        self.in_flight = False
        self.schedule_button.setEnabled(True)
        self.busy.stop()
        self.window_.after_action()

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
            self.cancel_this.setVisible(True)
            self.copy_queue.setVisible(True)
            self.reference.setText(generate_reference_id())  # the next call gets a fresh one
        else:
            self.result.show_result(
                "error",
                "The service did not accept the call",
                f"{result.plain_text} (code {result.response_code}). Check the details and try again.",
            )
            self.cancel_this.setVisible(False)
            self.copy_queue.setVisible(False)
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

    def check_unknown(self) -> None:
        """Look the number up to settle a schedule whose answer was lost."""
        if self.unknown is None or self.in_flight:
            return
        account, call = self.unknown
        desk = self.window_.desk
        self.in_flight = True
        self.schedule_button.setEnabled(False)
        self.check_booked.setEnabled(False)
        self.busy.start(f"Looking up the calls to {call.phone_number}…")
        self.window_.runner.submit(
            lambda: desk.confirm_schedule(account, call), self._checked, self._check_failed, owner=self
        )

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

    def _cancel_this(self) -> None:
        if self.last is None:
            return
        self.window_.show_cancel_queue(self.last.queue_id)

    @staticmethod
    def _copy(text: str) -> None:
        if text:
            QGuiApplication.clipboard().setText(text)
