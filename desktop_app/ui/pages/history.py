"""The history of what was done: newest first, filterable, exportable to CSV.

Records load on a worker together with their search texts (`HistoryIndex`); a keystroke filters
them with one list comprehension and hands the result to the model in one reset, which the view
paints lazily (only the rows on screen ask for their text).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...storage.history import ACTIONS, Record, export_csv
from ..models.history import NUMBER_TITLE, WHEN_TITLE, HistoryIndex, HistoryModel, search_key
from ..widgets import ResultPanel, Tone, plain_label
from .history_details import DetailsView

if TYPE_CHECKING:
    from ..controller import AppController

LOAD_LIMIT = 20_000  # newest records shown; older ones stay in the file and in exports of the file
SHORT_COLUMNS = ("Account", "Action", "QueueID", "Result")


def records_text(count: int) -> str:
    return "1 record" if count == 1 else f"{count} records"


class HistoryPage(QWidget):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.index = HistoryIndex()
        self.loading = False
        self.reload_again = False  # an action was recorded while a reload ran
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_filters())
        layout.addWidget(self._build_table(), 1)
        self.details = DetailsView()
        layout.addWidget(self.details)
        self.count_label = plain_label()
        layout.addWidget(self.count_label)
        self.problem = ResultPanel()
        layout.addWidget(self.problem)
        self.setFocusProxy(self.search)  # where Ctrl+6 lands
        self._connect_signals()
        self.set_accounts(controller.accounts.names())
        self.apply_filter()
        self.reload()

    def _build_filters(self) -> QHBoxLayout:
        """Search, the account and action filters, Refresh, Export to CSV…"""
        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search reference ID, QueueID, number, message…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the history")
        self.search.setToolTip(
            "Shows the records that contain this text. A phone number matches however it is written "
            "(757-555-0123, (757) 555 0123 or 7575550123)."
        )
        self.account = QComboBox()
        self.account.setAccessibleName("Show records of account")
        self.account.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.account.setMinimumContentsLength(8)  # a long account name must not push the buttons out
        self.account.setToolTip("Show the records of one account, or of all")
        self.action = QComboBox()
        self.action.setAccessibleName("Show records of action")
        self.action.setToolTip("Show one kind of record: schedules, cancels or call outcomes")
        self.action.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.action.setMinimumContentsLength(9)  # with their labels, the filters fit a 640-pixel window
        self.action.addItem("All actions", "")
        for key, label in ACTIONS.items():
            self.action.addItem(label, key)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setToolTip("Read the history again (it also refreshes after each action)")
        self.export_button = QPushButton("&Export to CSV…")
        self.export_button.setToolTip("Save the records shown to a CSV file")
        # Labels as the filters' siblings: on Linux a combo box is named by its label only.
        account_label, action_label = QLabel("Acco&unt:"), QLabel("Acti&on:")
        account_label.setBuddy(self.account)
        action_label.setBuddy(self.action)
        filters.addWidget(self.search, 2)
        filters.addWidget(account_label)
        filters.addWidget(self.account, 1)
        filters.addWidget(action_label)
        filters.addWidget(self.action, 1)
        filters.addWidget(self.refresh_button)
        filters.addWidget(self.export_button)
        return filters

    def _build_table(self) -> QTableView:
        """The records, newest first, in rows of one fixed height."""
        self.model = HistoryModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("History records")
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setToolTip("Select a record to see all of it below")
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # rows are never measured one by one
        vertical.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self._set_up_columns()
        return self.table

    def _connect_signals(self) -> None:
        self.search.textChanged.connect(self.apply_filter)
        self.account.currentIndexChanged.connect(self.apply_filter)
        self.action.currentIndexChanged.connect(self.apply_filter)
        self.refresh_button.clicked.connect(self.reload)
        self.export_button.clicked.connect(lambda: self.export())
        self.table.selectionModel().currentRowChanged.connect(self._show_details)
        self.model.modelReset.connect(self._show_details)
        self.controller.actionRecorded.connect(self.reload)
        self.controller.accounts.accountsChanged.connect(self._accounts_changed)

    def _set_up_columns(self) -> None:
        header = self.table.horizontalHeader()
        # Fixed widths from the font instead of ResizeToContents: measuring 10,000 rows after
        # each keystroke would cost more than the filter itself.
        metrics = self.table.fontMetrics()
        widths = {
            WHEN_TITLE: metrics.horizontalAdvance("2000-00-00 00:00:00") + 16,
            "Account": metrics.horizontalAdvance("Account name") + 16,
            "Action": metrics.horizontalAdvance("Cancel by reference ID (bulk)") + 16,
            "Reference ID": metrics.horizontalAdvance("reference-id-00") + 16,
            "QueueID": metrics.horizontalAdvance("00000000") + 16,
            NUMBER_TITLE: metrics.horizontalAdvance("000-000-0000") + 16,
            "Result": metrics.horizontalAdvance("Scheduled, cancelled later") + 16,
        }
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for title, width in widths.items():
            header.resizeSection(self.model.column_of(title), width)
        header.setStretchLastSection(True)  # Details
        header.setSortIndicator(self.model.column_of(WHEN_TITLE), Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)  # sorts by When, newest first

    def _fit_result_column(self) -> None:
        """Wide enough for every result loaded: the Result says how a call ended and is never cut.
        Measured once per load, over the distinct results (a few dozen phrases)."""
        column = self.model.column_of("Result")
        result_of = self.model.columns[column].text
        results = {result_of(record) for record in self.records}
        metrics = self.table.fontMetrics()
        widest = max((metrics.horizontalAdvance(text) for text in results), default=0)
        header = self.table.horizontalHeader()
        header.resizeSection(column, max(header.sectionSize(column), widest + 16))

    # -- records ---------------------------------------------------------------------------------------

    @property
    def records(self) -> tuple[Record, ...]:
        return self.index.records

    @property
    def visible_records(self) -> tuple[Record, ...]:
        """The records shown, in the table's order."""
        return self.model.rows

    def reload(self) -> None:
        if self.loading:
            self.reload_again = True
            return
        self.loading = True
        history = self.controller.desk.history
        self.controller.run(lambda: HistoryIndex.of(history.records(LOAD_LIMIT)), self._loaded, self._failed, self)

    def _loaded(self, index: HistoryIndex) -> None:
        self.index = index
        self.problem.clear()
        self.set_accounts(self.controller.accounts.names())
        # One account only: its name on every row says nothing and costs the Details column room.
        self.table.setColumnHidden(self.model.column_of("Account"), len(index.accounts()) <= 1)
        self.apply_filter()
        self._fit_result_column()
        self._reload_done()

    def _failed(self, error: BaseException) -> None:
        self.problem.show_result(Tone.ERROR, "The history cannot be shown", str(error))
        self._reload_done()

    def _reload_done(self) -> None:
        self.loading = False
        if self.reload_again:
            self.reload_again = False
            self.reload()

    # -- filters --------------------------------------------------------------------------------------

    def _accounts_changed(self) -> None:
        self.set_accounts(self.controller.accounts.names())

    def set_accounts(self, names: list[str]) -> None:
        """The account filter's choices: these names and every account seen in the records."""
        current = self.account.currentData()
        self.account.blockSignals(True)  # the filter stays as it was
        self.account.clear()
        self.account.addItem("All accounts", "")
        for name in sorted({*names, *self.index.accounts()}, key=str.lower):
            self.account.addItem(name, name)
        self.account.setCurrentIndex(max(0, self.account.findData(current)))
        self.account.blockSignals(False)
        if self.account.currentData() != (current or ""):
            self.apply_filter()  # the chosen account is gone: show all again

    def apply_filter(self) -> None:
        text = search_key(self.search.text())
        account, action = self.account.currentData() or "", self.action.currentData() or ""
        self.model.show(self.index, self.index.matching(text, account, action))
        total, shown = len(self.index.records), self.model.rowCount()
        self.count_label.setText(f"{shown} of {records_text(total)} shown" if shown != total else records_text(total))
        self.export_button.setEnabled(shown > 0)

    def _show_details(self, *_args: object) -> None:
        current = self.table.selectionModel().currentIndex()
        if not current.isValid() or current.row() >= self.model.rowCount():
            self.details.show_record(None)
            return
        record = self.model.row(current.row())
        self.details.show_record(record, self.index.info(record))

    def select_row(self, row: int) -> None:
        """Select a row as a click would (and show its details)."""
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 0))

    # -- export ---------------------------------------------------------------------------------------

    def export(self, path: str | Path | None = None) -> Path | None:
        """Write the records shown, in their order. Without `path`, ask where."""
        if not path:
            path, _filter = QFileDialog.getSaveFileName(
                self, "Export history", str(Path.home() / "voice-broadcast-history.csv"), "CSV files (*.csv)"
            )
        if not path:
            return None
        target = Path(path)
        try:
            count = export_csv(self.visible_records, target)
        except OSError as exc:
            self.problem.show_result(Tone.ERROR, "The file could not be written", f"{target}: {exc.strerror or exc}")
            return None
        self.problem.show_result(Tone.SUCCESS, f"Exported {records_text(count)}", str(target))
        return target
