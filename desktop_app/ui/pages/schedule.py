"""Schedule a test call, to one number or several (a test broadcast). Defaults are sensible, so a
test call needs only a number and a text.

The page owns its parts and talks to each through its methods: the form (`ScheduleForm`: fields,
inline errors, local time and UTC; schedule_form.py), the saved test numbers (`SavedTestNumbers`,
given the settings and the form; schedule_saved.py) and the words of the answer (`Outcome`s from
schedule_result.py). It sends the calls through the controller, shows the answer, and settles a
booking whose answer was lost. The
Schedule button and the answer sit under the form, outside its scroll area: they are always on
screen, at 640x480 as at the default size. The answer appears above the button, so the button
never moves under the pointer; "Schedule another" sits at the other end of the answer's buttons and
ignores clicks in the first second after an answer (the second click of a double click). It is the
one thing that empties the form and makes a new reference ID; a booking stays on screen until then,
and booking the same call again within minutes asks first.

A call that rings outside the calling window where it is answered (08:00-21:00 their time, or the
administrator's window) is warned about beside the Schedule button before it is booked, and again
in the answer; it can be booked anyway (service/recipient_time.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, QTimeZone, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...desk import describe_error
from ...service import CallRequest, CallStatus, InvalidInput, ScheduledCall, ServiceError
from ...service.recipient_time import BroadcastTimes, broadcast_times, window_or_default
from ..models.broadcast import BroadcastModel, BroadcastRow, booked_rows, checked_rows
from ..widgets import BusyRow, ResultPanel, Tone, announce, confirm, plain_label
from ..widgets.busy import STOPPED_WAITING, STOPPED_WAITING_BOOKING, STOPPED_WAITING_CHECK
from ..widgets.text_tones import TextTone, set_text_tone
from .listen import Heard, ListenControl
from .schedule_form import ScheduleForm, generate_reference_id, to_utc
from .schedule_result import (
    RecentBookings,
    broadcast_result,
    broadcast_table,
    checked_result,
    found_result,
    one_result,
)
from .schedule_saved import SavedTestNumbers

if TYPE_CHECKING:
    from ..controller import AppController, Waiting

__all__ = ["SchedulePage", "generate_reference_id", "to_utc"]


@dataclass(frozen=True)
class Sending:
    """A booking on its way, or one whose answer was lost (what a look-up settles)."""

    account: str
    calls: tuple[CallRequest, ...]
    shown: tuple[str, ...]  # the numbers as typed, for the result


# A click this soon after an answer is the second click of a double click, not a decision.
SETTLE_SECONDS = 1.0


class SchedulePage(QWidget):
    scheduled = Signal(object)  # ScheduledCall: one number was sent
    broadcast = Signal(object)  # tuple of ScheduledCall: several numbers were sent
    failed = Signal(str)
    checked = Signal(object)  # CallStatus or None (one number), or a tuple of them, after the look-up

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.in_flight = False
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.last: ScheduledCall | None = None
        self.reference_id = ""  # of the last booking shown
        self.sending: Sending | None = None
        self.unknown: Sending | None = None  # a booking whose answer was lost
        self.recent = RecentBookings()
        self.waiting: Waiting | None = None  # the booking or look-up in flight
        self.checking: Waiting | None = None  # the look-up of a booking whose answer was lost
        page_layout = QVBoxLayout(self)
        page_layout.setContentsMargins(0, 0, 0, 0)
        self.form = ScheduleForm()
        self.form_scroll = self._build_form_area(page_layout, self.form)
        # The fields under the names the window, the tests and the accessibility checks use.
        form = self.form
        self.phone, self.text, self.voice, self.when = form.phone, form.text, form.voice, form.when
        self.now_button, self.reference, self.generate_button = form.now_button, form.reference, form.generate_button
        self.caller_number, self.caller_name = form.caller_number, form.caller_name
        self.tries, self.gap, self.rate, self.volume = form.tries, form.gap, form.rate, form.volume
        self.max_length, self.errors = form.max_length, form.errors
        self.utc_label, self.time_note = form.utc_label, form.time_note
        self.recipient_label = form.recipient_label
        # Listen, beside the text: plays it in the chosen voice; places no call (listen.py).
        self.listen = ListenControl(controller, lambda: Heard(*form.heard()))
        form.attach_listen(self.listen, self.listen.status_line)
        # Made after the form, Listen would come last in the Tab order: put it after the text.
        listen = self.listen
        chain = (form.text, listen.listen_button, listen.stop_button, listen.speech_key_button, form.voice)
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)
        self._build_footer(page_layout)
        self._connect_buttons()
        self.test_numbers = SavedTestNumbers(controller.settings, controller.save_settings, form, self)
        if controller.voices:  # the service's list arrived before this page was built
            self.set_voices(list(controller.voices))
        controller.voicesLoaded.connect(self._voices_loaded)  # bound slots: dropped with the page
        controller.connection.endpointChanged.connect(self._settings_changed)
        form.recipientTimesChanged.connect(self._show_hours_warning)
        form.callingWindowChanged.connect(self._calling_window_changed)
        self.setFocusProxy(self.phone)  # where Ctrl+5 lands (not the Test numbers button beside it)
        self._settings_changed()

    # -- building -------------------------------------------------------------------------------------

    def _build_form_area(self, page_layout: QVBoxLayout, form: ScheduleForm) -> QScrollArea:
        """The form scrolls (small screens, 200% scaling); the button and the answer below it do not."""
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # Not a Tab stop of its own: it scrolls to the field that takes the focus.
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        content = QWidget()
        scroll.setWidget(content)
        page_layout.addWidget(scroll, 1)
        column = QVBoxLayout(content)
        column.addWidget(form)
        column.addStretch(1)
        return scroll

    def _build_footer(self, page_layout: QVBoxLayout) -> None:
        """Under the scroll area, always on screen: the answer, then the Schedule button row at the
        bottom, where it stays when an answer appears."""
        footer = QVBoxLayout()
        footer.setContentsMargins(9, 0, 9, 6)
        page_layout.addLayout(footer)
        self.result = self._build_result()
        footer.addWidget(self.result)
        # Before booking, beside the button: a call that rings outside the calling window there.
        self.hours_warning = plain_label(word_wrap=True)
        set_text_tone(self.hours_warning, TextTone.WARNING)
        self.hours_warning.setAccessibleName("Calling hours warning")
        self.hours_warning.hide()
        footer.addWidget(self.hours_warning)
        footer.addLayout(self._build_button_row())

    def _build_button_row(self) -> QHBoxLayout:
        """ "2 things to fix…" or the busy row, beside the Schedule button."""
        self.problems = plain_label(word_wrap=True)  # "2 things to fix: …", beside the button
        set_text_tone(self.problems, TextTone.ERROR)
        self.problems.hide()
        row = QHBoxLayout()
        self.busy = BusyRow(stoppable=True)
        self.busy.stopWaiting.connect(self.stop_waiting)
        self.schedule_button = QPushButton("Schedule call")
        self.schedule_button.setDefault(True)
        self.schedule_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.schedule_button.setToolTip("Schedule the call (Ctrl+Enter)")
        self.schedule_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        row.addWidget(self.problems, 1)
        row.addWidget(self.busy, 1)
        row.addWidget(self.schedule_button, 0, Qt.AlignmentFlag.AlignRight)
        return row

    def _build_result(self) -> ResultPanel:
        """The answer: headline and text, a test broadcast's numbers under them, then its buttons."""
        result = ResultPanel()
        self.model = BroadcastModel(self)
        self.table = broadcast_table(self.model)
        result.add_detail(self.table)
        self.check_booked = QPushButton("Check whether it was booked")
        self.cancel_this = QPushButton("Cancel this call")
        self.cancel_broadcast = QPushButton("Cancel this test broadcast")
        self.copy_reference = QPushButton("Copy reference ID")
        self.copy_queue = QPushButton("Copy QueueID")
        self.another = QPushButton("Schedule another")
        self.another.setToolTip("Empty the numbers and the text, and make a new reference ID")
        self._result_buttons = (
            self.check_booked,
            self.cancel_this,
            self.cancel_broadcast,
            self.copy_reference,
            self.copy_queue,
            self.another,
        )
        for button in self._result_buttons:
            result.add_button(button, leading=button is self.another)
            button.hide()
        return result

    def _connect_buttons(self) -> None:
        self.schedule_button.clicked.connect(self.submit)
        self.another.clicked.connect(self.schedule_another)
        self.cancel_this.clicked.connect(self._cancel_this)
        self.cancel_broadcast.clicked.connect(self._cancel_broadcast)
        self.check_booked.clicked.connect(self.check_unknown)
        self.copy_reference.clicked.connect(self._copy_reference)
        self.copy_queue.clicked.connect(self._copy_queue_id)

    # -- the form's public face ------------------------------------------------------------------------

    def set_voices(self, voices: list[tuple[int, str]]) -> None:
        self.form.set_voices(voices)

    def _voices_loaded(self, voices: tuple[tuple[int, str], ...]) -> None:
        self.set_voices(list(voices))

    def _settings_changed(self) -> None:
        settings = self.controller.settings
        self.form.set_default_caller_id(settings.default_caller_id)
        self.form.set_calling_window(window_or_default(settings.calling_window), settings.is_locked("calling_window"))

    def _calling_window_changed(self, window: str) -> None:
        """The user changed the calling hours in More options: kept in their settings."""
        settings = self.controller.settings
        if settings.is_locked("calling_window") or settings.calling_window == window:
            return
        settings.calling_window = window
        self.controller.save_settings()

    def _show_hours_warning(self, times: BroadcastTimes | None) -> None:
        """ "This call rings at 06:00 in Los Angeles (Pacific): outside …", or nothing."""
        text = ""
        if times is not None and len(times.times) == 1:
            text = times.times[0].warning()
        elif times is not None:
            text = times.warning(self.form.numbers().shown)
        self.hours_warning.setText(f"⚠ {text}" if text else "")
        self.hours_warning.setVisible(bool(text))

    def set_time_zone(self, zone: QTimeZone) -> None:
        self.form.set_time_zone(zone)

    def reset_time(self) -> None:
        self.form.reset_time()

    def clear_errors(self) -> None:
        self.form.clear_errors()
        self.problems.hide()

    def schedule_another(self) -> None:
        """The one way to empty the form and get a new reference ID."""
        if not self.another.isEnabled():  # the first second after an answer (see _finish)
            return
        self.form.reset()
        self._show_nothing()
        self.phone.setFocus()

    # -- scheduling -----------------------------------------------------------------------------------

    def submit(self) -> None:
        if self.in_flight:
            return
        account = self.controller.accounts.require()
        if account is None:
            return
        now = self.now()
        problems = self.form.check_all(now)
        calls: tuple[CallRequest, ...] = ()
        if not problems:
            try:
                calls = self.form.call_requests(now)
            except InvalidInput as error:  # the checks above should have caught it
                problems = {error.field: error.message}
                self.form.show_problem(error.field, error.message)
        if problems:
            self._show_problems(problems)
            return
        self.problems.hide()
        shown = self.form.numbers().shown
        numbers = {c.phone_number for c in calls}
        if self.unknown is not None and numbers & {c.phone_number for c in self.unknown.calls}:
            confirm(
                self,
                "Check first?",
                "The last try to book a call to this number got no clear answer: the call may already be "
                "booked. Check first, so that nobody is called twice.",
                lambda: self._send(account, calls, shown),
                yes_text="Schedule anyway",
                no_text="Check first",
                on_no=self.check_unknown,
            )
            return
        question = self.recent.question(calls, now)
        if question:
            confirm(self, "Book it again?", question, lambda: self._send(account, calls, shown), "Book it again")
            return
        self._send(account, calls, shown)

    def _show_problems(self, problems: dict[str, str]) -> None:
        """An earlier booking stays in view (only "Schedule another" clears it); any other earlier
        answer goes. The summary names the fields and is announced; the first field at fault is
        scrolled to and takes the focus (a screen reader then reads its message, its description)."""
        if not self._showing_booking():
            self._show_nothing()
        self.problems.setText(problems_summary(self.form.problem_names() or list(problems)))
        self.problems.show()
        announce(self.problems, self.problems.text(), assertive=True)
        first = self.form.first_problem()
        if first is not None:
            field, error = first
            self.form_scroll.ensureWidgetVisible(error)
            self.form_scroll.ensureWidgetVisible(field)
            field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _another_settled(self) -> None:
        self.another.setEnabled(True)

    def _showing_booking(self) -> bool:
        return self.another.isVisibleTo(self.result) and self.result.kind is not None

    def _show_nothing(self) -> None:
        self.result.clear()
        self.table.hide()
        self.problems.hide()
        for button in self._result_buttons:
            button.hide()

    def _send(self, account: str, calls: tuple[CallRequest, ...], shown: tuple[str, ...]) -> None:
        if self.in_flight:
            return
        self.sending = Sending(account, calls, shown)
        self._show_nothing()
        if len(calls) == 1:
            self._begin(f"Scheduling a call to {shown[0]}…")
            self.waiting = self.controller.act(
                lambda desk: desk.schedule(account, calls[0]), self._done, self._error, self
            )
        else:
            self._begin(f"Scheduling a test broadcast to {len(calls)} numbers…")
            self.waiting = self.controller.act(
                lambda desk: desk.schedule_many(account, calls), self._done, self._error, self
            )

    def _begin(self, text: str) -> None:
        self.in_flight = True
        self.schedule_button.setEnabled(False)
        self.busy.start(text)

    def _finish(self) -> None:
        self.waiting = self.checking = None
        # Greyed out for a moment, so that the second click of a double click visibly does nothing.
        self.another.setEnabled(False)
        QTimer.singleShot(int(SETTLE_SECONDS * 1000), self._another_settled)
        self.in_flight = False
        self.schedule_button.setEnabled(True)
        self.busy.stop()

    def _done(self, answer: ScheduledCall | tuple[ScheduledCall, ...]) -> None:
        self._finish()
        assert self.sending is not None
        calls, shown = self.sending.calls, self.sending.shown
        results = answer if isinstance(answer, tuple) else (answer,)
        rows = booked_rows(shown, results)
        self.reference_id = calls[0].reference_id
        self.unknown = None
        booked = any(row.booked for row in rows)
        times = broadcast_times([c.phone_number for c in calls], calls[0].scheduled_utc, self.form.calling_window)
        if isinstance(answer, tuple):
            self.last = None
            tone, headline, body = broadcast_result(rows, self.reference_id, calls[0].scheduled_utc)
            outside = times.warning(shown) if booked else ""
            self.result.show_result(tone, headline, f"{body} {outside}".strip(), focus=True)
            self._show_table(rows)
            what = f"reference ID {self.reference_id}"
        else:
            self.last = answer
            tone, headline, body = one_result(shown[0], answer)
            self.result.show_result(tone, headline, f"{body} {self._rings_there(times)}".strip(), focus=True)
            what = f"QueueID {answer.queue_id}"
        if booked:
            self.recent.remember(calls, self.now(), what)
        self._show_actions(rows, several=isinstance(answer, tuple))
        self.another.setVisible(booked)
        (self.broadcast if isinstance(answer, tuple) else self.scheduled).emit(answer)

    def _rings_there(self, times: BroadcastTimes) -> str:
        """After a booking of one number: "It rings at 06:00 in Los Angeles (Pacific) there …"."""
        if self.last is None or not self.last.booked or not times.times[0].known:
            return ""
        recipient = times.times[0]
        text = f"It rings at {recipient.there(self.form.your_time(recipient.moment_utc))} there"
        if recipient.outside_window:
            return f"{text}: outside {recipient.window.text}, the hours for calls there."
        return f"{text}."

    def _show_table(self, rows: Sequence[BroadcastRow]) -> None:
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.show()

    def _show_actions(self, rows: Sequence[BroadcastRow], several: bool) -> None:
        cancellable = any(row.cancellable for row in rows)
        self.cancel_this.setVisible(cancellable and not several)
        self.cancel_broadcast.setVisible(cancellable and several)
        self.copy_queue.setVisible(not several and any(row.booked for row in rows))
        self.copy_reference.setVisible(bool(self.reference_id))
        self.check_booked.hide()

    def stop_waiting(self) -> None:
        """The user gave up waiting for a booking's answer: it is now a booking whose outcome is
        unknown (the next try of the same numbers asks to check first)."""
        if self.waiting is None or not self.in_flight or self.sending is None:
            return
        self.waiting.stop()
        if self.waiting is self.checking:  # a look-up, not a booking: the outcome stays unknown
            self._finish()
            self.result.show_result(Tone.WARNING, STOPPED_WAITING, STOPPED_WAITING_CHECK, focus=True)
            self.check_booked.setEnabled(True)
            self.check_booked.setVisible(True)
            return
        self._finish()
        self.unknown = self.sending
        self.result.show_result(Tone.WARNING, STOPPED_WAITING, STOPPED_WAITING_BOOKING, focus=True)
        self.check_booked.setVisible(True)

    def _error(self, error: BaseException) -> None:
        self._finish()
        title, message = describe_error(error)
        unknown = isinstance(error, ServiceError) and error.outcome_unknown
        self.unknown = self.sending if unknown else None
        if unknown and self.sending is not None and len(self.sending.calls) > 1:
            message += f" This is true of all {len(self.sending.calls)} numbers: check before booking any again."
        self.result.show_result(Tone.WARNING if unknown else Tone.ERROR, title, message, focus=True)
        self.check_booked.setVisible(unknown)
        self.failed.emit(message)

    # -- a booking whose answer was lost ---------------------------------------------------------------

    def check_unknown(self) -> None:
        """Look each number up to settle a booking whose answer was lost."""
        if self.unknown is None or self.in_flight:
            return
        account, calls, shown = self.unknown.account, self.unknown.calls, self.unknown.shown
        self.check_booked.setEnabled(False)
        if len(calls) == 1:
            self._begin(f"Looking up the calls to {shown[0]}…")
            self.waiting = self.checking = self.controller.act(
                lambda desk: desk.confirm_schedule(account, calls[0]), self._checked, self._check_failed, self
            )
        else:
            self._begin(f"Looking up the calls to {len(calls)} numbers…")
            self.waiting = self.checking = self.controller.act(
                lambda desk: desk.confirm_schedule_many(account, calls), self._checked, self._check_failed, self
            )

    def _checked(self, found: CallStatus | tuple[CallStatus | None, ...] | None) -> None:
        self._finish()
        assert self.unknown is not None
        calls, shown = self.unknown.calls, self.unknown.shown
        self.check_booked.setEnabled(True)
        self.unknown = None
        self.reference_id = calls[0].reference_id
        rows = checked_rows(shown, found if isinstance(found, tuple) else (found,))
        if isinstance(found, tuple):
            self.result.show_result(*checked_result(rows), focus=True)
            self._show_table(rows)
        else:
            if found is not None:
                self.last = ScheduledCall(found.queue_id, found.response_code, found.response_text, "", self.now())
            self.result.show_result(*found_result(found), focus=True)
        if any(row.booked for row in rows):
            self.recent.remember(calls, self.now(), "found by the look-up")
        self._show_actions(rows, several=isinstance(found, tuple))
        self.another.setVisible(any(row.booked for row in rows))
        self.checked.emit(found)

    def _check_failed(self, error: BaseException) -> None:
        self._finish()
        self.check_booked.setEnabled(True)
        title, message = describe_error(error)
        self.result.show_result(
            Tone.WARNING, title, f"{message} The earlier booking's outcome is still unknown.", focus=True
        )

    # -- result actions ---------------------------------------------------------------------------------

    def _cancel_this(self) -> None:
        if self.last is not None:
            self.controller.request_cancel_call(self.last.queue_id)

    def _cancel_broadcast(self) -> None:
        self.controller.request_cancel_reference(self.reference_id)

    def _copy_reference(self) -> None:
        _copy(self.reference_id)

    def _copy_queue_id(self) -> None:
        _copy(str(self.last.queue_id) if self.last else "")


def problems_summary(names: Sequence[str]) -> str:
    """ "2 things to fix: Text to say, Reference ID." (each message is under its field)"""
    count = len(names)
    things = "1 thing" if count == 1 else f"{count} things"
    return f"{things} to fix: {', '.join(names)}."


def _copy(text: str) -> None:
    if text:
        QGuiApplication.clipboard().setText(text)
