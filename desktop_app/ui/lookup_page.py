"""Find calls: by phone number (the last 10), by one QueueID, or by a list of QueueIDs. A call that
has not started can be cancelled right from its row."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..bulk import parse_list
from ..desk import describe_error
from ..service import CallStatus, InvalidInput, QueueCancelResult
from ..service import validation as check
from .widgets import BusyRow, FieldError, ResultPanel, confirm

if TYPE_CHECKING:
    from .main_window import MainWindow

MODES = [
    ("number", "Phone number", "for example 757-555-1234 (shows the last 10 calls)"),
    ("queue", "QueueID", "for example 4093250"),
    ("queues", "Several QueueIDs", "QueueIDs separated by commas or semicolons"),
]
COLUMNS = ["QueueID", "Status", "Cancel", "Scheduled", "Started", "Ended", "Duration", "Answered", "Detected"]
CANCEL_COLUMN = 2
NOT_CANCELLABLE = "Calls in progress and finished calls cannot be cancelled."


def local(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S") if moment else "—"


def duration(seconds: int) -> str:
    if not seconds:
        return "—"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


class LookupPage(QWidget):
    loaded = Signal(list)
    cancelled = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.statuses: list[CallStatus] = []
        self.scheduled: dict[int, datetime] = {}
        self.last_query: tuple[str, str] | None = None
        self.in_flight = False
        layout = QVBoxLayout(self)

        row = QHBoxLayout()
        self.mode = QComboBox()
        self.mode.setAccessibleName("Look up by")
        for key, label, _hint in MODES:
            self.mode.addItem(label, key)
        self.query = QLineEdit()
        self.query.setAccessibleName("What to look up")
        self.lookup_button = QPushButton("&Look up")
        self.refresh_button = QPushButton("Re&fresh")
        self.refresh_button.setEnabled(False)
        row.addWidget(QLabel("Find calls by"))
        row.addWidget(self.mode)
        row.addWidget(self.query, 1)
        row.addWidget(self.lookup_button)
        row.addWidget(self.refresh_button)
        layout.addLayout(row)
        self.query_error = FieldError()
        layout.addWidget(self.query_error)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Calls found")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.fetched_label = QLabel("")
        layout.addWidget(self.fetched_label)
        self.busy = BusyRow()
        layout.addWidget(self.busy)
        self.result = ResultPanel()
        layout.addWidget(self.result)

        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.query.returnPressed.connect(self.look_up)
        self.lookup_button.clicked.connect(self.look_up)
        self.refresh_button.clicked.connect(self.refresh)
        self.query.textEdited.connect(lambda _t: self.query_error.show_message(""))
        self._mode_changed()

    def _mode_changed(self) -> None:
        self.query.setPlaceholderText(MODES[self.mode.currentIndex()][2])

    # -- looking up ---------------------------------------------------------------------------------

    def look_up(self) -> None:
        if self.in_flight:
            return
        mode = self.mode.currentData()
        try:
            if mode == "number":
                query = check.phone_number(self.query.text())
            elif mode == "queue":
                query = str(check.queue_id(self.query.text()))
            else:
                parsed = parse_list(self.query.text(), "queue")
                if parsed.invalid:
                    bad = parsed.invalid[0]
                    raise InvalidInput("queue_id", f"“{bad.text}” is not a QueueID: {bad.reason}")
                if not parsed.values:
                    raise InvalidInput("queue_id", "Enter one or more QueueIDs.")
                query = ";".join(parsed.values)
        except InvalidInput as error:
            self.query_error.show_message(error.message)
            return
        if mode != "queue" and self.window_.require_account() is None:
            return
        self._fetch(mode, query)

    def refresh(self) -> None:
        if self.last_query and not self.in_flight:
            self._fetch(*self.last_query)

    def _fetch(self, mode: str, query: str) -> None:
        account = self.window_.current_account()
        desk = self.window_.desk

        def fetch() -> tuple[list[CallStatus], dict[int, datetime]]:
            if mode == "number":
                statuses = desk.calls_to_number(account or "", query)
            else:
                statuses = desk.calls_by_queue_id(account, [int(q) for q in query.split(";")])
            try:
                scheduled = desk.history.scheduled_times(s.queue_id for s in statuses)
            except Exception:  # the history is a bonus here; the statuses matter
                scheduled = {}
            return statuses, scheduled

        self.last_query = (mode, query)
        self.in_flight = True
        self.lookup_button.setEnabled(False)
        self.refresh_button.setEnabled(False)
        self.result.clear()
        self.busy.start("Looking up calls…")
        self.window_.runner.submit(fetch, self._show, self._failed, owner=self)

    def _finish(self) -> None:
        self.in_flight = False
        self.lookup_button.setEnabled(True)
        self.refresh_button.setEnabled(self.last_query is not None)
        self.busy.stop()

    def _show(self, found: tuple[list[CallStatus], dict[int, datetime]]) -> None:
        self._finish()
        self.statuses, self.scheduled = found
        self.fill_table()
        self.fetched_label.setText(f"Last updated {datetime.now():%H:%M:%S} — {len(self.statuses)} calls")
        if not self.statuses:
            self.result.show_result("info", "No calls found", "There are no calls for this on the chosen account.")
        self.loaded.emit(self.statuses)

    def _failed(self, error: BaseException) -> None:
        self._finish()
        title, message = describe_error(error)
        self.result.show_result("error", title, message)

    def fill_table(self) -> None:
        texts = self.window_.response_texts
        self.table.setRowCount(len(self.statuses))
        for row, status in enumerate(self.statuses):
            cells = [
                str(status.queue_id),
                status.plain_text,
                "" if status.cancellable else "No",
                local(self.scheduled.get(status.queue_id)),
                local(status.start_utc),
                local(status.end_utc),
                duration(status.duration_seconds),
                "Yes" if status.answered else ("No" if status.call_complete else "—"),
                status.machine_detection.title() or "—",
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 1:
                    service_text = status.response_text or texts.get(status.response_code, "")
                    item.setToolTip(f"Code {status.response_code}: {service_text}")
                elif column == CANCEL_COLUMN and not status.cancellable:
                    item.setToolTip(NOT_CANCELLABLE)
                self.table.setItem(row, column, item)
            if status.cancellable:
                button = QPushButton("Cancel…")
                button.setAccessibleName(f"Cancel call {status.queue_id}")
                button.clicked.connect(lambda _=False, qid=status.queue_id: self.ask_cancel(qid))
                self.table.setCellWidget(row, CANCEL_COLUMN, button)
            else:
                self.table.removeCellWidget(row, CANCEL_COLUMN)
        self.table.resizeColumnsToContents()

    def cancel_button(self, queue_id: int) -> QPushButton | None:
        for row, status in enumerate(self.statuses):
            if status.queue_id == queue_id:
                widget = self.table.cellWidget(row, CANCEL_COLUMN)
                return widget if isinstance(widget, QPushButton) else None
        return None

    # -- cancelling one row -----------------------------------------------------------------------------

    def ask_cancel(self, queue_id: int) -> None:
        account = self.window_.require_account()
        if account is None or self.in_flight:
            return
        confirm(
            self,
            "Cancel this call?",
            f"Cancel the call with QueueID {queue_id} on account “{account}”?",
            lambda: self._cancel(account, queue_id),
            yes_text="Cancel the call",
            no_text="Keep it",
        )

    def _cancel(self, account: str, queue_id: int) -> None:
        if self.in_flight:
            return
        desk = self.window_.desk

        def cancel() -> tuple[QueueCancelResult, CallStatus]:
            result = desk.cancel_call(account, queue_id)
            return result, desk.calls_by_queue_id(account, [queue_id])[0]

        self.in_flight = True
        button = self.cancel_button(queue_id)
        if button is not None:
            button.setEnabled(False)
        self.busy.start(f"Cancelling call {queue_id}…")
        self.window_.runner.submit(cancel, self._cancelled, self._failed, owner=self, user_action=True)

    def _cancelled(self, outcome: tuple[QueueCancelResult, CallStatus]) -> None:
        self._finish()
        result, status = outcome
        self.statuses = [status if s.queue_id == status.queue_id else s for s in self.statuses]
        self.fill_table()
        if result.cancelled:
            self.result.show_result("success", f"Call {result.queue_id} cancelled", result.credit_notice)
        else:
            self.result.show_result("info", f"Call {result.queue_id} was not cancelled", result.credit_notice)
        self.window_.after_action()
        self.cancelled.emit(result)
