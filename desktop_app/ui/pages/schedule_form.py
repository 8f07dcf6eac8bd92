"""The Schedule page's form: its fields, their inline errors, and the chosen time in local time
and UTC (with daylight-saving notes). It turns what was typed into validated `CallRequest`s, one
per number; sending them and showing the answer is the page's job (schedule.py).

Every problem is listed at once, each under its field, and a field's message goes away as soon as
the field is right again. The rarely changed options sit in a collapsed "More options" section.

Under the time, the form says when each number rings where it is answered ("09:00 your time =
06:00 in Los Angeles (Pacific)", from the number's area code: service/recipient_time.py) and
emits `recipientTimesChanged` so the page can warn, beside the Schedule button, about a call that
rings outside the calling window (08:00-21:00 their time unless the administrator set another)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QDateTime, Qt, QTime, QTimeZone, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...service import CallRequest, new_call_request
from ...service import validation as check
from ...service.recipient_time import DEFAULT_WINDOW, BroadcastTimes, CallingWindow, broadcast_times
from ...service.reference_data import DEFAULT_VOICE_ID, VOICES
from ...storage.site_config import LOCKED_NOTE
from ..widgets import FieldError, plain_label
from ..widgets.fields import CALENDAR_HINT, PARTS_HINT, OneStopDateTimeEdit, OneStopTimeEdit
from ..widgets.text_tones import TextTone, set_text_tone
from .schedule_numbers import Numbers, NumbersEdit, SavedNumbersButton, parse_numbers, problem_of

PAST_TIME_LIMIT = check.PAST_TIME_LIMIT  # up to a day ago is sent as "now"; older is refused


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
    """The fields of a test call, each with its inline error. The page reads it through `numbers`,
    `check_all` and `call_requests`, and marks a problem it found itself with `show_problem`."""

    recipientTimesChanged = Signal(object)  # BroadcastTimes: the numbers' local times at the chosen time
    callingWindowChanged = Signal(str)  # the user changed the calling window ("08:00-21:00")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.errors: dict[str, FieldError] = {}  # by the service's field name ("phone_number", …)
        self.fields: dict[str, QWidget] = {}  # the widget each error is about, by the same names
        self.labels: dict[str, str] = {}  # the field's label, as a screen reader says it
        self.default_caller_id = ""
        self.calling_window = DEFAULT_WINDOW
        self.recipient_times: BroadcastTimes | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._build_call_box())
        self.more_button = self._build_more_button()
        layout.addWidget(self.more_button)
        self.more = self._build_more_box()
        layout.addWidget(self.more)
        self._checks = self._field_checks()
        self._connect()
        self.reset_time()
        self.new_reference()

    # -- building ------------------------------------------------------------------------------------

    def _build_call_box(self) -> QGroupBox:
        """ "Schedule a test call": the numbers, the text, the voice, the time and the reference ID."""
        call_box = QGroupBox("Schedule a test call")
        form = QFormLayout(call_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._add_numbers_rows(form)
        self._add_text_and_voice_rows(form)
        self._add_time_rows(form)
        self._add_reference_row(form)
        return call_box

    def _add_numbers_rows(self, form: QFormLayout) -> None:
        """The numbers box with its "Test numbers" menu, and the note on duplicates removed."""
        numbers_row = QHBoxLayout()
        self.phone = NumbersEdit()
        self.saved_button = SavedNumbersButton()
        numbers_row.addWidget(self.phone, 1)
        numbers_row.addWidget(self.saved_button)
        self._row(form, "&Phone number(s) to dial:", holder(numbers_row), "phone_number", self.phone)
        self.numbers_note = plain_label(word_wrap=True)  # "2 duplicate numbers removed"
        set_text_tone(self.numbers_note, TextTone.NOTE)
        self.numbers_note.hide()
        form.addRow("", self.numbers_note)

    def _add_text_and_voice_rows(self, form: QFormLayout) -> None:
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("What the call should say, for example: Hello, this is a test call.")
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.text.setMaximumHeight(self.fontMetrics().lineSpacing() * 8 + 12)
        # Beside the text: Listen and Stop; under it, what listening is doing (the page's ListenControl).
        text_row = QHBoxLayout()
        text_row.addWidget(self.text, 1)
        self.listen_side = QVBoxLayout()
        text_row.addLayout(self.listen_side)
        text_column = QVBoxLayout()
        text_column.addLayout(text_row)
        self.listen_below = QVBoxLayout()
        text_column.addLayout(self.listen_below)
        text_box = QWidget()
        text_column.setContentsMargins(0, 0, 0, 0)
        text_box.setLayout(text_column)
        self._row(form, "Te&xt to say:", text_box, "text_to_say", self.text)
        self.voice = QComboBox()
        self.set_voices([(v.voice_id, v.summary) for v in VOICES])
        self._row(form, "&Voice:", self.voice, "voice_id")

    def _add_time_rows(self, form: QFormLayout) -> None:
        """The time in local time with "In 1 hour", then the UTC it becomes and any daylight-saving note."""
        when_row = QHBoxLayout()
        self.when = OneStopDateTimeEdit()
        self.when.setCalendarPopup(True)
        self.when.setToolTip(f"{PARTS_HINT}. {CALENDAR_HINT}.")
        self.when.setAccessibleDescription(f"{PARTS_HINT}. {CALENDAR_HINT}.")
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.when.setTimeZone(QTimeZone.systemTimeZone())
        self.now_button = QPushButton("In 1 hour")
        self.now_button.setAccessibleName("Set the time to one hour from now")
        when_row.addWidget(self.when, 1)
        when_row.addWidget(self.now_button)
        self._row(form, "&When (your local time):", holder(when_row), "scheduled_time", self.when)
        self.when.setAccessibleName("When the call is placed, in your local time")
        self.utc_label = plain_label(word_wrap=True)
        self.utc_label.setStyleSheet("color: palette(placeholder-text);")
        form.addRow("", self.utc_label)
        self.time_note = plain_label(word_wrap=True)  # daylight-saving gaps and overlaps, in plain words
        set_text_tone(self.time_note, TextTone.WARNING)
        self.time_note.hide()
        form.addRow("", self.time_note)
        # "09:00 your time = 06:00 in Los Angeles (Pacific)": when it rings where it is answered.
        self.recipient_label = plain_label(word_wrap=True)
        self.recipient_label.setAccessibleName("When it rings for the person called")
        self.recipient_label.hide()
        form.addRow("", self.recipient_label)

    def _add_reference_row(self, form: QFormLayout) -> None:
        ref_row = QHBoxLayout()
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("tag used to cancel the call later")
        self.generate_button = QPushButton("Generate")
        self.generate_button.setAccessibleName("Generate a new reference ID")
        ref_row.addWidget(self.reference, 1)
        ref_row.addWidget(self.generate_button)
        self._row(form, "&Reference ID:", holder(ref_row), "reference_id", self.reference)
        self.reference.setAccessibleName("Reference ID")

    def _build_more_button(self) -> QToolButton:
        """The toggle of the collapsed "More options" section."""
        button = QToolButton()
        button.setText("More options (caller ID, tries, speech, call length)")
        button.setCheckable(True)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setArrowType(Qt.ArrowType.RightArrow)
        button.setAutoRaise(True)
        return button

    def _build_more_box(self) -> QGroupBox:
        """ "Caller ID and call options", hidden until "More options" opens it."""
        more = QGroupBox("Caller ID and call options")
        # Some labels here have no Alt letter: every letter of their words is taken by the page,
        # the tabs or the menus (one letter, one control).
        more_form = QFormLayout(more)
        self.caller_number = QLineEdit()
        self.caller_number.setPlaceholderText("optional, 10 digits")
        self._row(more_form, "Caller ID n&umber:", self.caller_number, "caller_id_number")
        self.caller_name = QLineEdit()
        self.caller_name.setPlaceholderText("optional; most phone companies ignore it")
        self._row(more_form, "Caller ID na&me:", self.caller_name, "caller_id_name")
        self.tries = self._spin(more_form, "Tri&es:", *check.TRY_COUNT_RANGE, 1, "try_count", "attempts if unanswered")
        self.gap = self._spin(more_form, "Seconds between tries:", 0, check.NEXT_TRY_LIMIT, 180, "next_try_seconds")
        self.rate = self._spin(more_form, "Speech rate:", *check.TTS_RATE_RANGE, 10, "tts_rate", "10 is normal")
        self.volume = self._spin(more_form, "Vo&lume:", *check.TTS_VOLUME_RANGE, 100, "tts_volume")
        self.max_length = self._spin(
            more_form, "Max call length (seconds):", 0, check.MAX_CALL_LENGTH_LIMIT, 0, "max_call_length"
        )
        self.max_length.setSpecialValueText("The service's default")
        self.max_length.setMinimumWidth(self.max_length.fontMetrics().horizontalAdvance("The service's default") + 40)
        length_note = plain_label("Change it only if Esendex asks you to.")
        length_note.setToolTip("A call longer than this is hung up. The service's default suits test calls.")
        more_form.addRow("", length_note)
        self._add_calling_window_row(more_form)
        more.hide()
        return more

    def _add_calling_window_row(self, form: QFormLayout) -> None:
        """ "Calling hours (their time)": the window outside which the page warns."""
        row = QHBoxLayout()
        self.window_start, self.window_end = OneStopTimeEdit(), OneStopTimeEdit()
        for edit, name in ((self.window_start, "Calling hours start"), (self.window_end, "Calling hours end")):
            edit.setDisplayFormat("HH:mm")
            edit.setAccessibleName(f"{name}, in the time of the person called")
            edit.setAccessibleDescription(f"{PARTS_HINT}.")
            edit.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        row.addWidget(self.window_start)
        row.addWidget(plain_label("to"))
        row.addWidget(self.window_end)
        self.window_locked = plain_label(LOCKED_NOTE)
        self.window_locked.setStyleSheet("color: palette(placeholder-text);")
        self.window_locked.hide()
        row.addWidget(self.window_locked)
        row.addStretch(1)
        self._row(form, "Calling hours (their time):", holder(row), "calling_window", self.window_start)
        self.window_start.setAccessibleName("Calling hours start, in the time of the person called")
        tip = "The Schedule page warns before booking a call that rings outside these hours where it is answered."
        self.window_start.setToolTip(tip)
        self.window_end.setToolTip(tip)
        self._show_window(DEFAULT_WINDOW)

    def _field_checks(self) -> dict[str, Callable[[datetime], str]]:
        """Each checked field's problem at a given moment ("" when it is fine), by field name."""
        return {
            "phone_number": lambda now: self.numbers().problem,
            "text_to_say": lambda now: problem_of(check.text_to_say, self.text.toPlainText()),
            "scheduled_time": lambda now: problem_of(check.scheduled_time, to_utc(self.when.dateTime()), now),
            "reference_id": lambda now: self._reference_problem(),
            "caller_id_number": lambda now: self._caller_problem(),
            "caller_id_name": lambda now: problem_of(check.caller_id_name, self.caller_name.text()),
        }

    def _connect(self) -> None:
        self.more_button.toggled.connect(self.show_more)
        self.now_button.clicked.connect(self.reset_time)
        self.generate_button.clicked.connect(self.new_reference)
        self.when.dateTimeChanged.connect(self._update_utc)
        self.phone.textChanged.connect(self._update_numbers_note)
        self.phone.textChanged.connect(self.update_recipient_times)
        self.window_start.timeChanged.connect(self._window_edited)
        self.window_end.timeChanged.connect(self._window_edited)
        changed = {
            "phone_number": self.phone.textChanged,
            "text_to_say": self.text.textChanged,
            "scheduled_time": self.when.dateTimeChanged,
            "reference_id": self.reference.textChanged,
            "caller_id_number": self.caller_number.textChanged,
            "caller_id_name": self.caller_name.textChanged,
        }
        for field, signal in changed.items():
            signal.connect(lambda *_args, f=field: self._recheck(f))

    def _row(self, form: QFormLayout, label: str, widget: QWidget, field: str, focus: QWidget | None = None) -> None:
        """A field with its inline error in a row under it (hidden, it takes no room); the label's
        mnemonic focuses `focus`. The label and a single-widget field are siblings, which is how
        Qt tells AT-SPI that the label names the field (a combo box has no other name there)."""
        target = focus or widget
        form.addRow(label, widget)
        label_widget = form.labelForField(widget)
        if isinstance(label_widget, QLabel):
            label_widget.setBuddy(target)
        name = label.replace("&", "").rstrip(":")
        target.setAccessibleName(name)
        error = FieldError(target)
        form.setWidget(form.rowCount(), QFormLayout.ItemRole.FieldRole, error)
        self.errors[field], self.fields[field], self.labels[field] = error, target, name

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

    def show_more(self, shown: bool = True) -> None:
        self.more_button.setChecked(shown)
        self.more_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.more.setVisible(shown)

    # -- values ----------------------------------------------------------------------------------------

    def set_voices(self, voices: list[tuple[int, str]]) -> None:
        current = self.voice.currentData()
        self.voice.clear()
        for voice_id, summary in voices:
            self.voice.addItem(summary, voice_id)
        index = self.voice.findData(current if current is not None else DEFAULT_VOICE_ID)
        self.voice.setCurrentIndex(max(index, 0))

    def attach_listen(self, beside: QWidget, below: QWidget) -> None:
        """The Listen control: its buttons beside the text, its status line under it."""
        self.listen_side.addWidget(beside)
        self.listen_below.addWidget(below)

    def heard(self) -> tuple[str, int, str, int, int]:
        """What Listen plays: (text, voice id, voice name, rate, volume)."""
        voice = self.voice.currentData()
        return (
            self.text.toPlainText(),
            voice if voice is not None else DEFAULT_VOICE_ID,
            self.voice.currentText(),
            self.rate.value(),
            self.volume.value(),
        )

    def set_default_caller_id(self, number: str) -> None:
        """The administrator's caller ID (settings.default_caller_id), unless one was typed."""
        if not self.caller_number.text() or self.caller_number.text() == self.default_caller_id:
            self.caller_number.setText(number)
        self.default_caller_id = number

    def new_reference(self) -> None:
        self.reference.setText(generate_reference_id())

    def reset(self) -> None:
        """ "Schedule another": empty numbers and text, a new reference ID and time; options stay."""
        self.phone.setText("")
        self.text.setPlainText("")
        self.new_reference()
        self.reset_time()
        self.clear_errors()

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
        text = f"= {moment:%Y-%m-%d %H:%M} UTC (your time zone: {zone.displayName(value)})"
        now = datetime.now(UTC)
        if now - PAST_TIME_LIMIT <= moment < now:
            text += ". That time has passed, so the call is placed straight away."
        self.utc_label.setText(text)
        note = ""
        try:
            date, time = value.date(), value.time()
            wall = datetime(date.year(), date.month(), date.day(), time.hour(), time.minute())
            note = check.local_time_note(wall, ZoneInfo(bytes(zone.id().data()).decode()))
        except (ZoneInfoNotFoundError, ValueError):
            pass  # a zone Python does not know: Qt's conversion above still applies
        self.time_note.setText(note)
        self.time_note.setVisible(bool(note))
        self.update_recipient_times()

    # -- the recipient's time ----------------------------------------------------------------------------

    def set_calling_window(self, window: CallingWindow, locked: bool = False) -> None:
        """The window from the settings; a locked one (the administrator's) is shown read-only."""
        self.calling_window = window
        self._show_window(window)
        for edit in (self.window_start, self.window_end):
            edit.setReadOnly(locked)
            edit.setEnabled(not locked)
        self.window_locked.setVisible(locked)
        self.window_locked.setToolTip(f"{LOCKED_NOTE}: {window.text}" if locked else "")
        self.update_recipient_times()

    def _show_window(self, window: CallingWindow) -> None:
        for edit, value in ((self.window_start, window.start), (self.window_end, window.end)):
            edit.blockSignals(True)
            edit.setTime(QTime(value.hour, value.minute))
            edit.blockSignals(False)

    def _window_edited(self) -> None:
        """The user changed the hours: used (and saved by the page) when the start is before the end."""
        start, end = self.window_start.time(), self.window_end.time()
        if not start < end:
            self.errors["calling_window"].show_message("The calling hours must start before they end.")
            return
        self.errors["calling_window"].show_message("")
        from datetime import time

        self.calling_window = CallingWindow(time(start.hour(), start.minute()), time(end.hour(), end.minute()))
        self.update_recipient_times()
        self.callingWindowChanged.emit(self.calling_window.setting)

    def your_time(self, moment: datetime) -> datetime:
        """`moment` as a wall-clock time in the form's time zone (naive)."""
        value = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()), self.when.timeZone())
        date, clock = value.date(), value.time()
        return datetime(date.year(), date.month(), date.day(), clock.hour(), clock.minute())

    def update_recipient_times(self) -> None:
        """The numbers' local times at the chosen time (a time that has passed means now)."""
        numbers = self.numbers().numbers
        if not numbers:
            self.recipient_times = None
            self.recipient_label.hide()
            self.recipientTimesChanged.emit(None)
            return
        moment = max(to_utc(self.when.dateTime()), datetime.now(UTC))
        times = broadcast_times(numbers, moment, self.calling_window)
        self.recipient_times = times
        yours = self.your_time(moment)
        text = times.times[0].line(yours) if len(times.times) == 1 else times.summary(yours)
        self.recipient_label.setText(text)
        self.recipient_label.setToolTip(
            "From the number's area code: where the person answers, the clock shows this. "
            f"Calls should ring there between {self.calling_window.text}."
        )
        self.recipient_label.show()
        self.recipientTimesChanged.emit(times)

    def numbers(self) -> Numbers:
        return parse_numbers(self.phone.text())

    def add_number(self, number: str) -> None:
        """Append `number` to the numbers typed (a saved test number picked from the menu)."""
        self.phone.add_number(number)

    def _update_numbers_note(self) -> None:
        note = self.numbers().note
        self.numbers_note.setText(note)
        self.numbers_note.setVisible(bool(note))

    # -- errors and the requests ----------------------------------------------------------------------

    def _reference_problem(self) -> str:
        if not self.reference.text().strip():
            if len(self.numbers().numbers) > 1:
                return "Several numbers need a reference ID, so that the broadcast can be cancelled. Press Generate."
            return ""
        return problem_of(check.reference_id, self.reference.text())

    def _caller_problem(self) -> str:
        typed = self.caller_number.text()
        problem = problem_of(check.optional_phone_number, typed, "caller_id_number", "caller ID number")
        if problem or not self.caller_number.text().strip():
            return problem
        caller = check.phone_number(self.caller_number.text()).split("x")[0]
        if any(number.split("x")[0] == caller for number in self.numbers().numbers):
            return "The caller ID cannot be the number being dialled."
        return ""

    def _recheck(self, field: str) -> None:
        """A field that shows a message is checked again as it changes: right again, it goes away."""
        if self.errors[field].isVisible():
            self.errors[field].show_message(self._checks[field](datetime.now(UTC)))

    def clear_errors(self) -> None:
        for error in self.errors.values():
            error.show_message("")

    def show_problem(self, field: str, message: str) -> None:
        """Show `message` under `field` (a service field name); a field the form does not have shows
        it under the numbers, so that it is never lost. The page's summary announces it."""
        self.errors.get(field, self.errors["phone_number"]).show_message(message, announced=False)

    def first_problem(self) -> tuple[QWidget, FieldError] | None:
        """The first field that shows a problem, and its message: to scroll to and to focus."""
        for field, error in self.errors.items():
            if error.isVisibleTo(self):
                return self.fields[field], error
        return None

    def problem_names(self) -> list[str]:
        """The labels of the fields that show a problem, in the form's order."""
        return [self.labels[field] for field, error in self.errors.items() if error.isVisibleTo(self)]

    def check_all(self, now: datetime) -> dict[str, str]:
        """Every field's problem at once, each shown under its field: {field: message}. They are
        not announced one by one: the page's summary names them all."""
        problems = {field: message for field, run in self._checks.items() if (message := run(now))}
        for field, error in self.errors.items():
            error.show_message(problems.get(field, ""), announced=False)
        if problems.keys() & {"caller_id_number", "caller_id_name"}:
            self.show_more(True)
        return problems

    def call_requests(self, now: datetime) -> tuple[CallRequest, ...]:
        """One validated call per number (after `check_all` found nothing); raises InvalidInput."""
        scheduled = max(to_utc(self.when.dateTime()), now)  # a time that has passed means "now"
        voice = self.voice.currentData()
        return tuple(
            new_call_request(
                phone_number=number,
                text_to_say=self.text.toPlainText(),
                scheduled=scheduled,
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
            for number in self.numbers().numbers
        )
