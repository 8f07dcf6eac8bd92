"""Parts of the Bulk cancel page: the list entry area (paste box, what the check found, and the
entries that will not be sent, titled and below the summary that points to them), the results
table, the row of run controls, the "All accounts" split, and the CSV export."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...bulk import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, BulkItem, Kind, ParsedList
from ...bulk_owners import NOT_FOUND_MESSAGE, Owners
from ...storage.csv_export import FORMULA_STARTS, write_csv
from ..models.bulk import BulkModel, state_words
from ..widgets import plain_label
from .bulk_words import CONCURRENCY_TIP, SWITCH_HINT, looks_like_references, problems_title

RESIZE_SAMPLE_ROWS = 200  # column widths from the first rows: measuring 10,000 would stall the window
PASTE_LINES = 3  # the paste box's height: the results table gets the rest of the page
PROBLEM_LINES = 3


def _lines_high(widget: QPlainTextEdit, lines: int) -> int:
    margins = widget.contentsMargins()
    return (
        widget.fontMetrics().lineSpacing() * lines
        + 2 * int(widget.document().documentMargin())
        + (margins.top() + margins.bottom())
    )


class ListArea(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.paste = QPlainTextEdit()
        self.paste.setAccessibleName("List to cancel")
        self.paste.setToolTip("One reference ID or QueueID per line, or separated by commas or semicolons")
        self.paste.setPlaceholderText(
            "Paste reference IDs or QueueIDs: one per line, or separated by commas or semicolons."
        )
        self.paste.setMinimumHeight(_lines_high(self.paste, 2))  # at 200 % in the smallest window
        self.paste.setMaximumHeight(_lines_high(self.paste, PASTE_LINES))
        layout.addWidget(self.paste)
        summary_row = QHBoxLayout()
        self.summary = plain_label("Paste a list, then check it.", word_wrap=True)
        self.edit_button = QPushButton("Show the &list")
        self.edit_button.setToolTip("Show the pasted list and the entries that will not be sent, to change them")
        self.edit_button.hide()
        summary_row.addWidget(self.summary, 1)
        summary_row.addWidget(self.edit_button)
        layout.addLayout(summary_row)

        hint_row = QHBoxLayout()
        self.hint = plain_label(SWITCH_HINT, word_wrap=True)
        self.switch_button = QPushButton("Switch to Reference IDs")
        self.switch_button.setToolTip("Treat the list as reference IDs and check it again")
        hint_row.addWidget(self.hint, 1)
        hint_row.addWidget(self.switch_button)
        self.hint_row = QWidget()
        self.hint_row.setLayout(hint_row)
        hint_row.setContentsMargins(0, 0, 0, 0)
        self.hint_row.hide()
        layout.addWidget(self.hint_row)

        self.problems_title = plain_label()
        font = self.problems_title.font()
        font.setBold(True)
        self.problems_title.setFont(font)
        self.problems = QPlainTextEdit()  # plain text: pasted markup is shown literally
        self.problems.setReadOnly(True)
        self.problems.setAccessibleName("Entries that will not be sent")
        self.problems.setToolTip("These entries are left out. Correct them in the list above and check it again.")
        self.problems.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)  # long reasons wrap
        self.problems.setMaximumHeight(_lines_high(self.problems, PROBLEM_LINES))
        self.problems.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        layout.addWidget(self.problems_title)
        layout.addWidget(self.problems)
        self.collapsed, self.parsed_summary = False, ""
        self.edit_button.clicked.connect(lambda: self.set_collapsed(False))
        self.show_parsed(None)

    def set_collapsed(self, collapsed: bool) -> None:
        """While and after a run the list takes one line, so the results table and the result
        have the room; "Show the list" brings it back."""
        self.collapsed = collapsed
        if self.parsed_summary:  # the list is hidden: the summary must not point "below"
            where = "not sent: see Show the list" if collapsed else "listed below, not sent"
            self.summary.setText(self.parsed_summary.replace("listed below, not sent", where))
        self.paste.setVisible(not collapsed)
        self.edit_button.setVisible(collapsed)
        has_problems = bool(self.problems.toPlainText())
        self.problems.setVisible(has_problems and not collapsed)
        self.problems_title.setVisible(has_problems and not collapsed)
        self.hint_row.setVisible(self.hint_wanted and not collapsed)

    def show_parsed(self, parsed: ParsedList | None) -> None:
        self.parsed_summary = parsed.summary if parsed else ""
        self.summary.setText(parsed.summary if parsed else "Paste a list, then check it.")
        rejected = []
        if parsed is not None:
            rejected = [(r, r.reason) for r in parsed.invalid]
            rejected += [(r, "Duplicate: sent once.") for r in parsed.duplicates]
        rejected.sort(key=lambda pair: pair[0].position)
        lines = [f"Entry {entry.position}, “{entry.text}”: {reason}" for entry, reason in rejected]
        self.problems.setPlainText("\n".join(lines))
        self.problems_title.setText(problems_title(parsed) if parsed and lines else "")
        self.hint_wanted = parsed is not None and looks_like_references(parsed)
        self.set_collapsed(False)

    def problem_lines(self) -> list[str]:
        text = self.problems.toPlainText()
        return text.split("\n") if text else []


def results_table(model: BulkModel) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setAccessibleName("Bulk cancel results")
    table.setToolTip("Point at a Details cell to read all of it")
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)  # the Details tooltip has it all
    rows = table.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 8)  # compact rows: more of them fit
    table.setMinimumHeight(rows.defaultSectionSize() * 3)  # the header and two rows, at the least
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setResizeContentsPrecision(RESIZE_SAMPLE_ROWS)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return table


def unprotect(text: str) -> str:
    """Undo the `'` that our own exports put before a formula-like cell, so an exported file
    imports again as it was written."""
    lines = text.split("\n")
    return "\n".join(line[1:] if line[:1] == "'" and line[1:2].startswith(FORMULA_STARTS) else line for line in lines)


def export_results(target: Path, kind: Kind, items: Sequence[BulkItem], with_account: bool) -> None:
    """The table as a spreadsheet-safe CSV; raises OSError."""
    header = ["reference_id" if kind == "reference" else "queue_id", "result", "calls_cancelled", "details"]
    rows = [[item.value, state_words(item), item.count, item.message] for item in items]
    if with_account:
        header.append("account")
        rows = [[*row, item.account] for row, item in zip(rows, items, strict=True)]
    write_csv(target, header, rows)


class ControlsRow(QWidget):
    """ "Send [4] at a time (more is faster)", the progress, the time left, Cancel all… and Stop."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        controls = QHBoxLayout(self)
        controls.setContentsMargins(0, 0, 0, 0)
        send_label = QLabel("Sen&d")
        self.concurrency = QSpinBox()
        self.concurrency.setRange(1, MAX_CONCURRENCY)
        self.concurrency.setValue(DEFAULT_CONCURRENCY)
        self.concurrency.setAccessibleName("How many to send at a time")
        self.concurrency.setToolTip(CONCURRENCY_TIP.format(most=MAX_CONCURRENCY))
        send_label.setBuddy(self.concurrency)
        self.concurrency_words = QLabel("at a time (more is faster)")
        self.concurrency_words.setToolTip(self.concurrency.toolTip())
        for widget in (send_label, self.concurrency, self.concurrency_words):
            controls.addWidget(widget)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Bulk cancel progress")
        controls.addWidget(self.progress, 1)
        self.eta = plain_label()
        controls.addWidget(self.eta)
        self.start_button = QPushButton("Cancel &all…")
        self.start_button.setToolTip("Cancel the calls of every row still to send (you are asked first)")
        self.stop_button = QPushButton("&Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.setToolTip("Send nothing more; requests already sent finish and are recorded")
        controls.addWidget(self.start_button)
        controls.addWidget(self.stop_button)


def split_by_owner(
    items: Sequence[BulkItem], owners: Owners, error: BaseException | None = None
) -> tuple[list[BulkItem], list[BulkItem]]:
    """ "All accounts": (rows settled without sending — not found, or their owner could not be
    looked up — and rows to send, each with its owner)."""
    reason = f"Owner not found: {error}" if error is not None else ""
    settled, owned = [], []
    for item in items:
        if item.value in owners.owner:
            owned.append(replace(item, account=owners.owner[item.value]))
        elif item.value in owners.not_found:
            settled.append(replace(item, state="not found", message=NOT_FOUND_MESSAGE))
        else:
            settled.append(replace(item, state="failed", message=owners.unchecked.get(item.value, reason)))
    return settled, owned
