"""Bulk cancel: paste or import reference IDs or QueueIDs, check them, then cancel them with
bounded concurrency while the table fills in. Stop sends nothing more.

The page never reads a license key: the controller's run asks the desk, which reads the key on a
worker. Each progress report repaints one row, so a 10,000-row run costs the same per report as a
ten-row one.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
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
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...bulk import (
    DEFAULT_CONCURRENCY,
    MAX_CONCURRENCY,
    BulkItem,
    BulkOutcome,
    BulkProgress,
    BulkRun,
    BulkTotals,
    Kind,
    ParsedList,
    csv_to_text,
    parse_list,
    totals,
)
from ...service import InvalidInput
from ...storage.csv_export import FORMULA_STARTS, write_csv
from ..models.bulk import BulkModel, state_words
from ..widgets import ResultPanel, confirm, plain_label

if TYPE_CHECKING:
    from ..controller import AppController

RESIZE_SAMPLE_ROWS = 200  # column widths from the first rows: measuring 10,000 would stall the window
RETRYABLE = ("waiting", "failed", "not sent")


def unprotect(text: str) -> str:
    """Undo the `'` that our own exports put before a formula-like cell, so an exported file
    imports again as it was written."""
    lines = text.split("\n")
    return "\n".join(line[1:] if line[:1] == "'" and line[1:2].startswith(FORMULA_STARTS) else line for line in lines)


def summary_words(summary: BulkTotals) -> tuple[str, str, str]:
    """(kind, headline, body) of a finished run's result panel."""
    calls = "call" if summary.calls_cancelled == 1 else "calls"
    breakdown = (
        f"{summary.cancelled_rows} cancelled, {summary.nothing_rows} with nothing to cancel, "
        f"{summary.failed_rows} failed"
    )
    if summary.not_sent:
        breakdown += f", {summary.not_sent} not sent (stopped)"
    kind = "error" if summary.failed_rows else ("success" if summary.calls_cancelled else "info")
    return kind, f"{summary.calls_cancelled} {calls} cancelled", f"{breakdown}. {summary.credit_notice}"


class BulkPage(QWidget):
    run_finished = Signal(object)  # BulkTotals of the whole list

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.parsed: ParsedList | None = None
        self.run: BulkRun | None = None
        self.model = BulkModel(self)
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
        self.problems = QListWidget()  # its items are plain text: pasted markup is shown literally
        self.problems.setAccessibleName("Entries that will not be sent")
        self.problems.setWordWrap(True)
        top_layout.addWidget(self.paste, 3)
        top_layout.addWidget(self.problems, 2)
        splitter.addWidget(top)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Bulk cancel results")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)  # the Details tooltip has it all
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setResizeContentsPrecision(RESIZE_SAMPLE_ROWS)
        splitter.addWidget(self.table)
        layout.addWidget(splitter, 1)
        self.summary = plain_label("Paste a list, then check it.", word_wrap=True)
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
        self.eta = plain_label()
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
        self._fit_columns()

        self.check_button.clicked.connect(self.check)
        self.import_button.clicked.connect(lambda: self.import_csv())
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

    @property
    def items(self) -> list[BulkItem]:
        """The current snapshot of every row, in row order."""
        return list(self.model.rows)

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
        self.model.set_rows([BulkItem(index, value) for index, value in enumerate(parsed.values, start=1)])
        self._fit_columns()
        self.progress.setRange(0, max(1, len(parsed.values)))
        self.progress.setValue(0)
        self.result.clear()
        self.start_button.setEnabled(bool(parsed.values))
        return parsed

    def _fit_columns(self) -> None:
        # Qt takes the larger of the header's text and the sampled cells, so no title is clipped.
        for column in range(self.model.columnCount() - 1):
            self.table.resizeColumnToContents(column)

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
        self.paste.setPlainText(unprotect(csv_to_text(text, self.kind)))
        self.check()

    # -- running ------------------------------------------------------------------------------------

    def is_running(self) -> bool:
        return self.run is not None

    def ask_start(self) -> None:
        if self.is_running() or not self.model.rowCount():
            return
        account = self.controller.require_account()
        if account is None:
            return
        noun = "reference IDs" if self.kind == "reference" else "QueueIDs"
        waiting = [item for item in self.items if item.state in RETRYABLE]
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
        account = self.controller.current_account
        failed = [item for item in self.items if item.state == "failed"]
        if account and failed and not self.is_running():
            self.start(account, failed)

    def start(self, account: str, items: list[BulkItem]) -> None:
        if self.is_running() or not items:
            return
        fresh = [replace(item, state="waiting", count=0, message="") for item in items]
        self.model.update_items(fresh)
        self.progress.setRange(0, len(fresh))
        self.progress.setValue(0)
        self.result.clear()
        self.eta.setText("")
        try:
            self.run = self.controller.start_bulk(
                account, self.kind, fresh, self.concurrency.value(), self._progress, self._finished, self
            )
        except InvalidInput as error:  # a concurrency outside 1..MAX_CONCURRENCY
            self.result.show_result("error", "The run did not start", error.message)
            return
        self._set_running(True)

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
            self.start_button.setEnabled(self.model.rowCount() > 0)

    def _progress(self, report: BulkProgress) -> None:
        """One row changed: O(1), whatever the list's length."""
        self.model.show_item(report.item)
        if not report.item.finished:
            return
        self.progress.setValue(report.totals.done)
        if self.run is not None and not self.run.stopping:
            left = report.totals.seconds_left
            self.eta.setText("" if left is None else f"about {left:.0f} s left")

    def _finished(self, outcome: BulkOutcome) -> None:
        self.run = None
        self.model.update_items(outcome.items)
        self.progress.setValue(outcome.totals.done)
        self._fit_columns()
        self._set_running(False)
        self.eta.setText("")
        # A retry covers only some rows; the panel, the Retry button and the signal speak for the
        # whole list (what the table shows), so count it once here, not at each report.
        whole = outcome.totals if len(outcome.items) == self.model.rowCount() else totals(self.model.rows)
        self.result.show_result(*summary_words(whole))
        self.retry_button.setVisible(whole.failed_rows > 0)
        self.run_finished.emit(whole)

    def export(self, path: str | None = None) -> Path | None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export results", str(Path.home() / "bulk-cancel.csv"), "CSV files (*.csv)"
            )
        if not path:
            return None
        target = Path(path)
        header = ["reference_id" if self.kind == "reference" else "queue_id", "result", "calls_cancelled", "details"]
        rows = ([item.value, state_words(item), item.count, item.message] for item in self.model.rows)
        try:
            write_csv(target, header, rows)
        except OSError as error:
            self.result.show_result("error", "The file could not be written", f"{target}: {error.strerror}")
            return None
        return target
