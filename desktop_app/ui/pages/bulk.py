"""Bulk cancel: paste or import reference IDs or QueueIDs, check them, then cancel them with
bounded concurrency while the table fills in. Stop sends nothing more."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..bulk import (
    DEFAULT_CONCURRENCY,
    MAX_CONCURRENCY,
    BulkItem,
    BulkRun,
    Kind,
    ParsedList,
    csv_to_text,
    parse_list,
    totals,
)
from ..desk import describe_error
from .widgets import ResultPanel, confirm

if TYPE_CHECKING:
    from .main_window import MainWindow

STATE_WORDS = {
    "waiting": "Waiting",
    "sending": "Sending…",
    "cancelled": "Cancelled",
    "nothing": "Nothing to cancel",
    "failed": "Failed",
    "not sent": "Not sent (stopped)",
}
COLUMNS = ["#", "Reference ID / QueueID", "Result", "Calls cancelled", "Details"]


class _Bridge(QObject):
    """Carries BulkRun's callbacks from its worker threads to the GUI thread."""

    updated = Signal(object)
    finished = Signal()


class BulkPage(QWidget):
    run_finished = Signal(object)  # BulkTotals

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.parsed: ParsedList | None = None
        self.items: list[BulkItem] = []
        self.run: BulkRun | None = None
        self.bridge = _Bridge(self)
        self.bridge.updated.connect(self._updated)
        self.bridge.finished.connect(self._finished)
        layout = QVBoxLayout(self)

        kinds = QHBoxLayout()
        kinds.addWidget(QLabel("Cancel by:"))
        self.by_reference = QRadioButton("&Reference IDs")
        self.by_queue = QRadioButton("Q&ueueIDs")
        self.by_reference.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.by_reference)
        group.addButton(self.by_queue)
        kinds.addWidget(self.by_reference)
        kinds.addWidget(self.by_queue)
        kinds.addStretch(1)
        self.import_button = QPushButton("&Import CSV…")
        self.check_button = QPushButton("C&heck list")
        kinds.addWidget(self.import_button)
        kinds.addWidget(self.check_button)
        layout.addLayout(kinds)

        splitter = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        self.paste = QPlainTextEdit()
        self.paste.setAccessibleName("List to cancel")
        self.paste.setPlaceholderText(
            "Paste reference IDs or QueueIDs: one per line, or separated by commas or semicolons."
        )
        self.problems = QListWidget()
        self.problems.setAccessibleName("Entries that will not be sent")
        self.problems.setWordWrap(True)
        top_layout.addWidget(self.paste, 3)
        top_layout.addWidget(self.problems, 2)
        splitter.addWidget(top)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Bulk cancel results")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        splitter.addWidget(self.table)
        layout.addWidget(splitter, 1)
        self.summary = QLabel("Paste a list, then check it.")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        controls = QHBoxLayout()
        controls.addWidget(QLabel("Requests at a time:"))
        self.concurrency = QSpinBox()
        self.concurrency.setRange(1, MAX_CONCURRENCY)
        self.concurrency.setValue(DEFAULT_CONCURRENCY)
        self.concurrency.setAccessibleName("Requests at a time")
        controls.addWidget(self.concurrency)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Bulk cancel progress")
        self.progress.setFormat("%v of %m done")
        self.progress.setValue(0)
        controls.addWidget(self.progress, 1)
        self.eta = QLabel("")
        controls.addWidget(self.eta)
        self.start_button = QPushButton("Cancel &all…")
        self.start_button.setEnabled(False)
        self.stop_button = QPushButton("&Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.setToolTip("Send nothing more; requests already sent finish and are recorded")
        controls.addWidget(self.start_button)
        controls.addWidget(self.stop_button)
        layout.addLayout(controls)

        self.result = ResultPanel()
        self.retry_button = QPushButton("Retry &failed rows")
        self.export_button = QPushButton("&Export results…")
        self.result.actions.addWidget(self.retry_button)
        self.result.actions.addWidget(self.export_button)
        layout.addWidget(self.result)

        self.check_button.clicked.connect(self.check)
        self.import_button.clicked.connect(self.import_csv)
        self.start_button.clicked.connect(self.ask_start)
        self.stop_button.clicked.connect(self.stop)
        self.retry_button.clicked.connect(self.retry_failed)
        self.export_button.clicked.connect(lambda: self.export())
        self.paste.textChanged.connect(self._list_edited)
        self.by_reference.toggled.connect(self._list_edited)

    # -- the list ---------------------------------------------------------------------------------

    @property
    def kind(self) -> Kind:
        return "reference" if self.by_reference.isChecked() else "queue"

    def _list_edited(self) -> None:
        if self.is_running():
            return
        self.parsed = None
        self.start_button.setEnabled(False)

    def check(self) -> ParsedList:
        parsed = parse_list(self.paste.toPlainText(), self.kind)
        self.parsed = parsed
        self.problems.clear()
        rejected = [(r, r.reason) for r in parsed.invalid] + [(r, "Duplicate: sent once.") for r in parsed.duplicates]
        for entry, reason in sorted(rejected, key=lambda pair: pair[0].position):
            self.problems.addItem(f"#{entry.position} “{entry.text}”: {reason}")
        self.summary.setText(parsed.summary)
        self.items = [BulkItem(index, value) for index, value in enumerate(parsed.values, start=1)]
        self._fill_table()
        self.progress.setRange(0, max(1, len(self.items)))
        self.progress.setValue(0)
        self.result.clear()
        self.start_button.setEnabled(bool(self.items))
        return parsed

    def import_csv(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Import a list", str(Path.home()), "CSV files (*.csv);;All (*)")
        if not path:
            return
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            self.result.show_result("error", "The file could not be read", f"{path}: {error}")
            return
        self.paste.setPlainText(csv_to_text(text, self.kind))
        self.check()

    def _fill_table(self) -> None:
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            for column, text in enumerate([str(item.index), item.value, STATE_WORDS[item.state], "", ""]):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnToContents(1)

    # -- running ------------------------------------------------------------------------------------

    def is_running(self) -> bool:
        return self.run is not None

    def ask_start(self) -> None:
        if self.is_running() or not self.items:
            return
        account = self.window_.require_account()
        if account is None:
            return
        noun = "reference IDs" if self.kind == "reference" else "QueueIDs"
        waiting = [item for item in self.items if item.state in ("waiting", "failed", "not sent")]
        confirm(
            self,
            "Cancel these calls?",
            f"Cancel the scheduled calls for {len(waiting)} {noun} on account “{account}”?\n\n"
            "Calls already in progress or completed are not affected.",
            lambda: self.start(account, waiting),
            yes_text="Cancel the calls",
            no_text="Not now",
        )

    def retry_failed(self) -> None:
        account = self.window_.current_account()
        failed = [item for item in self.items if item.state == "failed"]
        if account and failed and not self.is_running():
            self.start(account, failed)

    def start(self, account: str, items: list[BulkItem]) -> None:
        if self.is_running() or not items:
            return
        desk, kind = self.window_.desk, self.kind
        for item in items:
            item.state, item.count, item.message = "waiting", 0, ""
            self._show_item(item)
        self._set_running(True)
        self.result.clear()
        self.eta.setText("Reading the license key…")

        def begin(key: str) -> None:
            def work(value: str) -> int:
                if kind == "reference":
                    return desk.cancel_by_reference_id(account, value, key=key).cancelled
                return int(desk.cancel_call(account, int(value), key=key).cancelled)

            self.run = BulkRun(
                items, work, self.concurrency.value(), self.bridge.updated.emit, self.bridge.finished.emit
            )
            self.run.start()
            self._progress()

        def no_key(error: BaseException) -> None:
            self._set_running(False)
            title, message = describe_error(error)
            self.result.show_result("error", title, message)

        self.window_.key_runner.submit(lambda: desk.keys.get(account), begin, no_key, owner=self)

    def stop(self) -> None:
        if self.run is not None:
            self.run.stop()
            self.stop_button.setEnabled(False)
            self.eta.setText("Stopping: finishing the requests already sent…")

    def _set_running(self, running: bool) -> None:
        for widget in (
            self.start_button,
            self.check_button,
            self.import_button,
            self.concurrency,
            self.paste,
            self.by_reference,
            self.by_queue,
            self.retry_button,
        ):
            widget.setEnabled(not running)
        self.stop_button.setEnabled(running)
        if not running:
            self.start_button.setEnabled(bool(self.items))

    @Slot(object)
    def _updated(self, item: BulkItem) -> None:
        self._show_item(item)
        if item.finished:
            self._progress()

    def _show_item(self, item: BulkItem) -> None:
        row = item.index - 1
        self.table.item(row, 2).setText(STATE_WORDS[item.state])
        self.table.item(row, 3).setText(str(item.count) if item.finished and item.state != "failed" else "")
        self.table.item(row, 4).setText(item.message)
        if item.state == "failed":
            self.table.item(row, 2).setForeground(Qt.GlobalColor.darkRed)

    def _progress(self) -> None:
        done = sum(item.finished for item in self.items)
        self.progress.setValue(done)
        if self.run is not None and not self.run.stopping:
            left = self.run.estimate_seconds_left()
            self.eta.setText("" if left is None else f"about {left:.0f} s left")

    @Slot()
    def _finished(self) -> None:
        if self.run is None:
            return
        self.run.wait(5)
        self.run = None  # drops the key with it
        for item in self.items:
            self._show_item(item)
        self.table.resizeColumnsToContents()
        self._set_running(False)
        self.eta.setText("")
        summary = totals(self.items)
        calls = "call" if summary.calls_cancelled == 1 else "calls"
        breakdown = (
            f"{summary.cancelled_rows} cancelled, {summary.nothing_rows} with nothing to cancel, "
            f"{summary.failed_rows} failed"
        )
        if summary.not_sent:
            breakdown += f", {summary.not_sent} not sent (stopped)"
        kind = "error" if summary.failed_rows else ("success" if summary.calls_cancelled else "info")
        self.result.show_result(
            kind,
            f"{summary.calls_cancelled} {calls} cancelled",
            f"{breakdown}. {summary.credit_notice}",
        )
        self.retry_button.setVisible(summary.failed_rows > 0)
        self.window_.after_action()
        self.run_finished.emit(summary)

    def export(self, path: str | None = None) -> Path | None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export results", str(Path.home() / "bulk-cancel.csv"), "CSV files (*.csv)"
            )
        if not path:
            return None
        target = Path(path)
        try:
            with target.open("w", newline="", encoding="utf-8-sig") as out:
                writer = csv.writer(out)
                writer.writerow(
                    ["reference_id" if self.kind == "reference" else "queue_id", "result", "calls_cancelled", "details"]
                )
                for item in self.items:
                    writer.writerow([item.value, STATE_WORDS[item.state], item.count, item.message])
        except OSError as error:
            self.result.show_result("error", "The file could not be written", f"{target}: {error.strerror}")
            return None
        return target
