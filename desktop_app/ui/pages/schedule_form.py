"""The Schedule page's form: its fields, their inline errors, and the chosen time in local time
and UTC (with daylight-saving notes). It turns what was typed into a validated `CallRequest`;
sending it and showing the answer is the page's job (schedule.py)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QDateTime, QTimeZone
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...service import CallRequest, InvalidInput, new_call_request
from ...service import validation as check
from ...service.reference_data import DEFAULT_VOICE_ID, VOICES
from ..widgets import FieldError, plain_label

PAST_GRACE = timedelta(minutes=5)  # a time a few minutes ago means "now", not a mistake


def generate_reference_id(now: datetime | None = None) -> str:
    """`test-20261127-1610-4f2a`: readable, sortable and unique enough to cancel by."""
    now = now or datetime.now()
    return f"test-{now:%Y%m%d-%H%M}-{secrets.token_hex(2)}"


def to_utc(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


def holder(row: QHBoxLayout) -> QWidget:
    """A row of widgets as one form field."""
    widget = QWidget()
    row.setContentsMargins(0, 0, 0, 0)
    widget.setLayout(row)
    return widget


class ScheduleForm(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.errors: dict[str, FieldError] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        call_box = QGroupBox("Schedule a test call")
        form = QFormLayout(call_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
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
        self._row(form, "&When (your local time):", holder(when_row), "scheduled_time")
        self.when.setAccessibleName("When the call is placed, in your local time")
        self.utc_label = plain_label()
        self.utc_label.setStyleSheet("color: palette(placeholder-text);")
        form.addRow("", self.utc_label)
        self.time_note = plain_label(word_wrap=True)  # daylight-saving gaps and overlaps, in plain words
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
        self._row(form, "&Reference ID:", holder(ref_row), "reference_id")
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

        self.now_button.clicked.connect(self.reset_time)
        self.generate_button.clicked.connect(self.new_reference)
        self.when.dateTimeChanged.connect(self._update_utc)
        self.reset_time()
        self.new_reference()

    # -- building ------------------------------------------------------------------------------------

    def _row(self, form: QFormLayout, label: str, widget: QWidget, field: str) -> None:
        """A field with its inline error underneath; the label's mnemonic focuses `widget`."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        error = FieldError()
        column.addWidget(error)
        self.errors[field] = error
        form.addRow(label, box)
        label_widget = form.labelForField(box)
        if isinstance(label_widget, QLabel):
            label_widget.setBuddy(widget)
        widget.setAccessibleName(label.replace("&", "").rstrip(":"))

    def _spin(
        self, form: QFormLayout, label: str, low: int, high: int, value: int, field: str, hint: str = ""
    ) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setMinimumWidth(spin.fontMetrics().horizontalAdvance("0000000") + 40)
        spin.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        if hint:
            spin.setToolTip(hint)
        self._row(form, label, spin, field)
        return spin

    # -- values ----------------------------------------------------------------------------------------

    def set_voices(self, voices: list[tuple[int, str]]) -> None:
        current = self.voice.currentData()
        self.voice.clear()
        for voice_id, summary in voices:
            self.voice.addItem(summary, voice_id)
        index = self.voice.findData(current if current is not None else DEFAULT_VOICE_ID)
        self.voice.setCurrentIndex(max(index, 0))

    def new_reference(self) -> None:
        self.reference.setText(generate_reference_id())

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
            date, time = value.date(), value.time()
            wall = datetime(date.year(), date.month(), date.day(), time.hour(), time.minute())
            note = check.local_time_note(wall, ZoneInfo(bytes(zone.id().data()).decode()))
        except (ZoneInfoNotFoundError, ValueError):
            pass  # a zone Python does not know: Qt's conversion above still applies
        self.time_note.setText(note)
        self.time_note.setVisible(bool(note))

    # -- errors and the request ---------------------------------------------------------------------------

    def clear_errors(self) -> None:
        for error in self.errors.values():
            error.show_message("")

    def show_error(self, error: InvalidInput) -> None:
        self.errors.get(error.field, self.errors["phone_number"]).show_message(error.message)

    def call_request(self, now: datetime) -> CallRequest:
        """The call as typed, validated; raises InvalidInput naming the field at fault."""
        scheduled = to_utc(self.when.dateTime())
        voice = self.voice.currentData()
        call = new_call_request(
            phone_number=self.phone.text(),
            text_to_say=self.text.toPlainText(),
            scheduled=max(scheduled, now) if scheduled > now - PAST_GRACE else scheduled,
            reference_id=self.reference.text(),
            voice_id=voice if voice is not None else DEFAULT_VOICE_ID,
            caller_id_number=self.caller_number.text(),
            caller_id_name=self.caller_name.text(),
            try_count=self.tries.value(),
            next_try_seconds=self.gap.value(),
            tts_rate=self.rate.value(),
            tts_volume=self.volume.value(),
            max_call_length=self.max_length.value(),
            now=now,
        )
        if scheduled < now - PAST_GRACE:  # checked after the fields, as before: their errors come first
            raise InvalidInput("scheduled_time", "That time is in the past. Choose a time from now on.")
        return call
