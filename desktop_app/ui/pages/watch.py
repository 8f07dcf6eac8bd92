"""Calls from this desk: every call booked here that has not ended, and those that ended today.

The rows follow the watcher (`controller.watcher`), which asks the service in polite rounds. A
row that has not started can be cancelled by its QueueID, or its whole reference ID, with the
same question as on the Cancel page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...desk import Desk, describe_error
from ...service import CancelCount, QueueCancelResult
from ...watch import Watched
from ..models.watch import STATUS_TITLE, WatchModel
from ..widgets import BusyRow, ResultPanel, Tone, confirm, plain_label
from .cancel import cancel_headline

if TYPE_CHECKING:
    from ..controller import AppController

INTRO = (
    "Every call booked from this computer that has not ended yet, and the calls that ended in the last "
    "24 hours. Statuses update by themselves; when a call ends, you are told and the History shows how."
)
CLOCK_MS = 30_000  # "starts in 12 min" moves on between rounds


class WatchPage(QWidget):
    cancelled = Signal(object)  # CancelCount or QueueCancelResult

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.watcher = controller.watcher
        self.in_flight = False
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(INTRO, word_wrap=True))
        layout.addWidget(self._build_table(), 1)
        layout.addLayout(self._build_buttons())
        self.state = plain_label(word_wrap=True)
        self.state.setAccessibleName("How the calls are followed")
        layout.addWidget(self.state)
        self.busy = BusyRow()
        layout.addWidget(self.busy)
        self.result = ResultPanel()
        layout.addWidget(self.result)

        self.clock = QTimer(self)
        self.clock.setInterval(CLOCK_MS)
        self.clock.timeout.connect(self.model.refresh_times)
        self.clock.start()
        self.setFocusProxy(self.table)  # where Ctrl+3 lands
        self._connect_signals()
        self._show_calls()
        self._show_state()

    def _build_table(self) -> QTableView:
        """The calls, soonest first, one selectable row each."""
        self.model = WatchModel(self.watcher.now, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Calls from this desk")
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self._set_up_columns()
        self.table.sortByColumn(self.model.column_of("Scheduled (local time)"), Qt.SortOrder.AscendingOrder)
        return self.table

    def _set_up_columns(self) -> None:
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)  # the status
        metrics = self.table.fontMetrics()
        for title, sample in (
            ("QueueID", "00000000"),
            ("Account", "Main office"),
            ("Phone number", "000-000-0000"),
            ("Reference ID", "reference-id"),
            ("Scheduled (local time)", "2000-00-00 00:00"),
        ):
            width = max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(title) + 16) + 24
            header.resizeSection(self.model.column_of(title), width)

    def _build_buttons(self) -> QHBoxLayout:
        """Cancel this call…, Cancel its reference ID…, and apart from them Check now."""
        buttons = QHBoxLayout()
        self.cancel_button = QPushButton("Cancel this call…")
        self.cancel_button.setToolTip("Cancel the selected call by its QueueID (only before it starts)")
        self.cancel_reference_button = QPushButton("Cancel its reference ID…")
        self.cancel_reference_button.setToolTip("Cancel every call with the selected call's reference ID")
        self.check_button = QPushButton("Check n&ow")
        self.check_button.setToolTip("Ask the service about these calls now")
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.cancel_reference_button)
        buttons.addStretch(1)
        buttons.addWidget(self.check_button)
        return buttons

    def _connect_signals(self) -> None:
        self.cancel_button.clicked.connect(self.ask_cancel_call)
        self.cancel_reference_button.clicked.connect(self.ask_cancel_reference)
        self.check_button.clicked.connect(self.watcher.poll_now)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self.watcher.changed.connect(self._show_calls)
        self.watcher.stateChanged.connect(self._show_state)

    # -- showing -------------------------------------------------------------------------------------

    def _show_calls(self) -> None:
        self.model.show_calls(self.watcher.rows)
        self._enable()

    def _show_state(self) -> None:
        self.state.setText(self.watcher.state_text())

    def selected(self) -> Watched | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def select(self, queue_id: int) -> None:
        position = self.model.position_of(queue_id)
        if position >= 0:
            self.table.selectRow(position)

    def status_text(self, queue_id: int) -> str:
        """The status words shown for a call ("" when it is not listed)."""
        position = self.model.position_of(queue_id)
        if position < 0:
            return ""
        return self.model.data(self.model.index(position, self.model.column_of(STATUS_TITLE))) or ""

    def _enable(self) -> None:
        call = self.selected()
        self.cancel_button.setEnabled(call is not None and call.cancellable and not self.in_flight)
        self.cancel_reference_button.setEnabled(call is not None and bool(call.reference_id) and not self.in_flight)

    # -- cancelling (the same questions as on the Cancel page) --------------------------------------

    def ask_cancel_call(self) -> None:
        call = self.selected()
        if call is None or not call.cancellable or self.in_flight:
            return
        account, queue_id = call.account, call.queue_id
        confirm(
            self,
            "Cancel this call?",
            f"Cancel the call with QueueID {queue_id} on account “{account}”?",
            lambda: self._start(f"Cancelling call {queue_id}…", lambda desk: desk.cancel_call(account, queue_id)),
            yes_text="Cancel the call",
            no_text="Keep it",
        )

    def ask_cancel_reference(self) -> None:
        call = self.selected()
        if call is None or not call.reference_id or self.in_flight:
            return
        account, reference_id = call.account, call.reference_id
        confirm(
            self,
            "Cancel calls?",
            f"Cancel every scheduled call with reference ID “{reference_id}” on account “{account}”?\n\n"
            "Calls already in progress or completed are not affected.",
            lambda: self._start(
                f"Cancelling calls with reference ID “{reference_id}”…",
                lambda desk: desk.cancel_by_reference_id(account, reference_id),
            ),
            yes_text="Cancel the calls",
            no_text="Keep them",
        )

    def _start(self, text: str, job: Callable[[Desk], object]) -> None:
        if self.in_flight:
            return
        self.in_flight = True
        self._enable()
        self.result.clear()
        self.busy.start(text)
        self.controller.act(job, self._cancelled, self._failed, self)

    def _cancelled(self, result: CancelCount | QueueCancelResult) -> None:
        self._end()
        kind = Tone.SUCCESS if result.cancelled else Tone.INFO
        if isinstance(result, CancelCount):
            body = f"Reference ID “{result.reference_id}”. {result.credit_notice}"
            self.result.show_result(kind, cancel_headline(result.cancelled), body)
        else:
            done = "cancelled" if result.cancelled else "was not cancelled"
            self.result.show_result(kind, f"Call {result.queue_id} {done}", result.credit_notice)
        self.cancelled.emit(result)
        self.watcher.poll_now()  # its new status now, not at the next round

    def _failed(self, error: BaseException) -> None:
        self._end()
        self.result.show_result(Tone.ERROR, *describe_error(error))

    def _end(self) -> None:
        self.in_flight = False
        self.busy.stop()
        self._enable()
