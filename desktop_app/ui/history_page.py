"""The history of what was done: newest first, filterable, exportable to CSV."""

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
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..storage.history import ACTIONS, Record, export_csv
from .widgets import ResultPanel

if TYPE_CHECKING:
    from .main_window import MainWindow

COLUMNS = ["When (local time)", "Account", "Action", "Reference ID", "QueueID", "Result", "Details"]
OUTCOME_WORDS = {"ok": "Done", "error": "Failed", "unknown": "Outcome unknown"}


def describe_result(record: Record) -> str:
    if record.outcome != "ok":
        return OUTCOME_WORDS[record.outcome]
    if record.action == "cancel_reference":
        return f"{record.count} cancelled"
    if record.action == "cancel_queue":
        return "Cancelled" if record.count else "Not cancelled"
    return "Scheduled"


class HistoryPage(QWidget):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.records: list[Record] = []
        self.visible_records: list[Record] = []
        layout = QVBoxLayout(self)

        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search reference ID, QueueID, number, message…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the history")
        self.account = QComboBox()
        self.account.setAccessibleName("Show records of account")
        self.action = QComboBox()
        self.action.setAccessibleName("Show records of action")
        self.action.addItem("All actions", "")
        for key, label in ACTIONS.items():
            self.action.addItem(label, key)
        self.refresh_button = QPushButton("&Refresh")
        self.export_button = QPushButton("&Export to CSV…")
        filters.addWidget(self.search, 2)
        filters.addWidget(self.account, 1)
        filters.addWidget(self.action, 1)
        filters.addWidget(self.refresh_button)
        filters.addWidget(self.export_button)
        layout.addLayout(filters)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("History records, newest first")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.count_label = QLabel()
        layout.addWidget(self.count_label)
        self.problem = ResultPanel()
        layout.addWidget(self.problem)

        self.search.textChanged.connect(self.apply_filter)
        self.account.currentIndexChanged.connect(self.apply_filter)
        self.action.currentIndexChanged.connect(self.apply_filter)
        self.refresh_button.clicked.connect(self.reload)
        self.export_button.clicked.connect(self.export)
        self.set_accounts([])

    def set_accounts(self, names: list[str]) -> None:
        current = self.account.currentData()
        self.account.blockSignals(True)
        self.account.clear()
        self.account.addItem("All accounts", "")
        for name in sorted({*names, *(r.account for r in self.records)}):
            self.account.addItem(name, name)
        self.account.setCurrentIndex(max(0, self.account.findData(current)))
        self.account.blockSignals(False)

    def reload(self) -> None:
        history = self.window_.desk.history
        self.window_.runner.submit(history.records, self._loaded, self._failed)

    def _loaded(self, records: list[Record]) -> None:
        self.records = records
        self.problem.clear()
        self.set_accounts(self.window_.account_names())
        self.apply_filter()

    def _failed(self, error: BaseException) -> None:
        self.problem.show_result("error", "The history cannot be shown", str(error))

    def _matches(self, record: Record, text: str, account: str, action: str) -> bool:
        if (account and record.account != account) or (action and record.action != action):
            return False
        if not text:
            return True
        haystack = " ".join(
            [
                record.account,
                record.action_label,
                record.reference_id,
                str(record.queue_id or ""),
                record.message,
                str(record.inputs),
            ]
        ).lower()
        return text in haystack

    def apply_filter(self) -> None:
        text = self.search.text().strip().lower()
        account, action = self.account.currentData() or "", self.action.currentData() or ""
        self.visible_records = [r for r in self.records if self._matches(r, text, account, action)]
        self.table.setRowCount(len(self.visible_records))
        for row, record in enumerate(self.visible_records):
            values = [
                record.when_utc.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                record.account,
                record.action_label,
                record.reference_id,
                "" if record.queue_id is None else str(record.queue_id),
                describe_result(record),
                record.message,
            ]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == len(values) - 1:
                    item.setToolTip(value)
                if record.outcome != "ok" and column == 5:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, column, item)
        total = len(self.records)
        shown = len(self.visible_records)
        self.count_label.setText(f"{shown} of {total} records shown" if shown != total else f"{total} records")
        self.export_button.setEnabled(bool(self.visible_records))

    def export(self, path: str | None = None) -> Path | None:
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
            self.problem.show_result("error", "The file could not be written", f"{target}: {exc.strerror}")
            return None
        self.problem.show_result("success", f"Exported {count} records", str(target))
        return target
