"""Find calls: by phone number (the last 10), by one QueueID, or by a list of QueueIDs. A call that
has not started can be cancelled right from its row."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...bulk import parse_list
from ...desk import Desk, describe_error
from ...service import CallStatus, InvalidInput, QueueCancelResult
from ...service import validation as check
from ...storage.history import HistoryError
from ..models.calls import CallsModel, FoundCall
from ..widgets import BusyRow, FieldError, ResultPanel, confirm, plain_label

if TYPE_CHECKING:
    from ..controller import AppController

MODES = [
    ("number", "Phone number", "for example 757-555-1234 (shows the last 10 calls)"),
    ("queue", "QueueID", "for example 4093250"),
    ("queues", "Several QueueIDs", "QueueIDs separated by commas or semicolons"),
]
CANCEL_COLUMN = 2
STATUS_COLUMN = 1


def calls_text(count: int) -> str:
    return "1 call" if count == 1 else f"{count} calls"


def find_calls(desk: Desk, account: str, mode: str, query: str) -> tuple[FoundCall, ...]:
    """The look-up itself, on a worker: statuses from the service, booked times from the history."""
    if mode == "number":
        statuses = desk.calls_to_number(account, query)
    else:
        statuses = desk.calls_by_queue_id(account or None, [int(q) for q in query.split(";")])
    try:
        scheduled = desk.history.scheduled_times(s.queue_id for s in statuses)
    except HistoryError:  # the history is a bonus here; the statuses matter
        scheduled = {}
    return tuple(FoundCall(s, scheduled.get(s.queue_id), account) for s in statuses)


class CompactHeader(QHeaderView):
    """A header that keeps room for the sort arrow only in the sorted column. Qt reserves it in
    every column, which alone would push "Detected" out of the default window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setSectionsClickable(True)
        self.setHighlightSections(True)
        self.sortIndicatorChanged.connect(lambda _c, _o: self.resizeSections())

    def sectionSizeFromContents(self, logicalIndex: int) -> QSize:
        size = super().sectionSizeFromContents(logicalIndex)
        if self.isSortIndicatorShown() and logicalIndex != self.sortIndicatorSection():
            size.setWidth(size.width() - size.height())  # what Qt adds for the arrow (its margin stays)
        return size


class LookupPage(QWidget):
    loaded = Signal(list)  # the CallStatus list shown
    cancelled = Signal(object)  # QueueCancelResult

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.last_query: tuple[str, str, str] | None = None  # mode, query, account
        self.in_flight = False
        self.user_hidden: set[int] = set()  # columns the user hid from the header menu
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

        self.model = CallsModel(controller.response_text, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Calls found")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)  # the tooltip has the whole status
        self._set_up_header()
        layout.addWidget(self.table, 1)
        self.fetched_label = plain_label()
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

    def _set_up_header(self) -> None:
        header = CompactHeader(self.table)
        self.table.setHorizontalHeader(header)
        # Short columns take what their text needs; the status takes the rest (elided, with a
        # tooltip), so every column fits at the default window size.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(STATUS_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_column_menu)
        header.setToolTip("Right-click to choose the columns shown")
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the service's order until a click
        self.table.setSortingEnabled(True)
        self._update_account_column()

    def _mode_changed(self) -> None:
        self.query.setPlaceholderText(MODES[self.mode.currentIndex()][2])

    # -- columns -------------------------------------------------------------------------------------

    def column_menu(self) -> QMenu:
        """One checkable action per column: unchecking hides it. The last visible one stays."""
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        visible = [c for c in range(self.model.columnCount()) if not self.table.isColumnHidden(c)]
        for column, spec in enumerate(self.model.columns):
            action = QAction(spec.title, menu)
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(column))
            action.setEnabled(visible != [column])
            action.toggled.connect(lambda shown, c=column: self.set_column_shown(c, shown))
            menu.addAction(action)
        return menu

    def _show_column_menu(self, position: QPoint) -> None:
        self.column_menu().popup(self.table.horizontalHeader().mapToGlobal(position))

    def set_column_shown(self, column: int, shown: bool) -> None:
        if shown:
            self.user_hidden.discard(column)
        else:
            self.user_hidden.add(column)
        self.table.setColumnHidden(column, not shown)

    def _update_account_column(self) -> None:
        """The Account column only says something when the rows come from several accounts."""
        column = self.model.column_of("Account")
        several = len(self.model.accounts()) > 1
        self.table.setColumnHidden(column, not several or column in self.user_hidden)

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
        account = self.controller.current_account
        if mode != "queue" and self.controller.require_account() is None:
            return  # one QueueID can be looked up without an account (plain status)
        self._fetch(mode, query, account)

    def refresh(self) -> None:
        if self.last_query and not self.in_flight:
            self._fetch(*self.last_query)

    def _fetch(self, mode: str, query: str, account: str) -> None:
        desk = self.controller.desk
        self.last_query = (mode, query, account)
        self._begin("Looking up calls…")
        self.refresh_button.setEnabled(False)
        self.controller.run(lambda: find_calls(desk, account, mode, query), self._show, self._failed, self)

    def _begin(self, text: str) -> None:
        self.in_flight = True
        self.lookup_button.setEnabled(False)
        self.result.clear()
        self.busy.start(text)

    def _finish(self) -> None:
        self.in_flight = False
        self.lookup_button.setEnabled(True)
        self.refresh_button.setEnabled(self.last_query is not None)
        self.busy.stop()
        for button in self.findChildren(QPushButton, "rowCancel"):
            button.setEnabled(True)

    def _show(self, found: tuple[FoundCall, ...]) -> None:
        self._finish()
        self.model.set_rows(found)  # a reset: the view drops the old rows' buttons itself
        for position in range(self.model.rowCount()):
            self._place_button(position)
        self._update_account_column()
        self.fetched_label.setText(f"Last updated {datetime.now():%H:%M:%S} — {calls_text(len(found))}")
        if not found:
            self.result.show_result("info", "No calls found", "There are no calls for this on the chosen account.")
        self.loaded.emit(list(self.statuses))

    def _failed(self, error: BaseException) -> None:
        self._finish()
        title, message = describe_error(error)
        self.result.show_result("error", title, message)

    @property
    def statuses(self) -> tuple[CallStatus, ...]:
        """The statuses shown, in the table's order."""
        return tuple(call.status for call in self.model.rows)

    # -- the Cancel column ---------------------------------------------------------------------------

    def _cancel_index(self, position: int) -> QModelIndex:
        return self.model.index(position, CANCEL_COLUMN)

    def _place_button(self, position: int) -> None:
        """A "Cancel…" button on a row that can still be cancelled; none (the cell says "No") otherwise."""
        call = self.model.row(position)
        index = self._cancel_index(position)
        if not call.status.cancellable:
            if self.table.indexWidget(index) is not None:
                self.table.setIndexWidget(index, None)  # the view deletes the old button
            return
        button = QPushButton("Cancel…")
        button.setObjectName("rowCancel")
        button.setAccessibleName(f"Cancel call {call.queue_id}")
        button.setToolTip(f"Cancel the call with QueueID {call.queue_id}")
        button.setEnabled(not self.in_flight)
        button.clicked.connect(lambda _=False, qid=call.queue_id: self.ask_cancel(qid))
        self.table.setIndexWidget(index, button)

    def cancel_button(self, queue_id: int) -> QPushButton | None:
        position = self.model.position_of(queue_id)
        if position < 0:
            return None
        widget = self.table.indexWidget(self._cancel_index(position))
        return widget if isinstance(widget, QPushButton) else None

    # -- cancelling one row -----------------------------------------------------------------------------

    def ask_cancel(self, queue_id: int) -> None:
        if self.in_flight:
            return
        position = self.model.position_of(queue_id)
        # The account the call was found under, not whichever is chosen now.
        account = self.model.row(position).account if position >= 0 else ""
        account = account or self.controller.require_account() or ""
        if not account:
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
        self._begin(f"Cancelling call {queue_id}…")
        for button in self.findChildren(QPushButton, "rowCancel"):
            button.setEnabled(False)  # one action at a time
        self.controller.act(
            lambda desk: (desk.cancel_call(account, queue_id), desk.calls_by_queue_id(account, [queue_id])[0]),
            lambda outcome: self._cancelled(account, outcome),
            self._failed,
            self,
        )

    def _cancelled(self, account: str, outcome: tuple[QueueCancelResult, CallStatus]) -> None:
        self._finish()
        result, status = outcome
        position = self.model.position_of(status.queue_id)
        if position >= 0:
            old = self.model.row(position)
            self.model.replace_row(position, FoundCall(status, old.scheduled_utc, old.account or account))
            self._place_button(position)
        if result.cancelled:
            self.result.show_result("success", f"Call {result.queue_id} cancelled", result.credit_notice)
        else:
            self.result.show_result("info", f"Call {result.queue_id} was not cancelled", result.credit_notice)
        self.cancelled.emit(result)
