"""Parts of the Bulk cancel page: the list entry area (paste box, what the check found, the column
to use when the paste is a table, and the entries that will not be sent, titled and below the
summary that points to them), the results table, the row of run controls, the "All accounts"
split, the CSV export, and what keeps a run's unsent rows (`UnsentKeeper`, on the worker)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
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

from ...bulk import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, BulkItem, BulkOutcome, Kind, PastedList
from ...bulk_owners import NOT_FOUND_MESSAGE, Owners
from ...storage.csv_export import FORMULA_STARTS, write_csv
from ...storage.history import History, HistoryError
from ...storage.unsent import UnsentRows, UnsentStore, noun, record_not_sent
from ..models.bulk import BulkModel, state_words
from ..widgets import ResultPanel, Tone, plain_label
from .bulk_words import CONCURRENCY_TIP, SWITCH_HINT, looks_like_references, problems_title

log = logging.getLogger(__name__)
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
        self.paste.setTabChangesFocus(True)  # a list has no use for tab characters; Tab moves on
        self.paste.setToolTip("One reference ID or QueueID per line, or separated by commas or semicolons")
        self.paste.setPlaceholderText(
            "Paste reference IDs or QueueIDs: one per line, or separated by commas or semicolons."
        )
        self.paste.setMinimumHeight(_lines_high(self.paste, 2))  # at 200 % in the smallest window
        self.paste.setMaximumHeight(_lines_high(self.paste, PASTE_LINES))
        layout.addWidget(self.paste)
        summary_row = QHBoxLayout()
        self.summary = plain_label("Paste a list, then check it.", word_wrap=True)
        self.edit_button = QPushButton("Sho&w the list")
        self.edit_button.setToolTip("Show the pasted list and the entries that will not be sent, to change them")
        self.edit_button.hide()
        summary_row.addWidget(self.summary, 1)
        summary_row.addWidget(self._build_column_choice())
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
        self.problems.setTabChangesFocus(True)
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

    def _build_column_choice(self) -> QWidget:
        """ "Column to use: [Reference]" beside the summary (no extra line: the results table
        keeps its room), shown only when the paste is a table."""
        self.column_row = QWidget()
        row = QHBoxLayout(self.column_row)
        row.setContentsMargins(0, 0, 0, 0)
        caption = QLabel("Column to &use:")
        self.column = QComboBox()
        self.column.setAccessibleName("Column to use")
        self.column.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.column.setMaximumWidth(self.fontMetrics().averageCharWidth() * 24)  # a long header is elided
        caption.setBuddy(self.column)
        row.addWidget(caption)
        row.addWidget(self.column)
        self.column_row.hide()
        return self.column_row

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
        self.column_row.setVisible(self.column.count() > 1 and not collapsed)

    def show_columns(self, parsed: PastedList | None) -> None:
        """The column choice of a table (its names, the one used); nothing for a plain list."""
        columns = parsed.columns if parsed is not None else None
        self.column.blockSignals(True)  # filling it is not the user choosing
        self.column.clear()
        if columns is not None:
            self.column.addItems(list(columns.names))
            self.column.setCurrentIndex(columns.chosen)
            note = f"Pasted as a table (columns separated by {columns.separator}): the values are taken from this one"
            self.column.setToolTip(note)
            self.column.setAccessibleDescription(note)
        self.column.blockSignals(False)

    def show_parsed(self, parsed: PastedList | None) -> None:
        self.parsed_summary = parsed.summary if parsed else ""
        self.summary.setText(parsed.summary if parsed else "Paste a list, then check it.")
        rejected = []
        if parsed is not None:
            rejected = [(r, r.reason) for r in parsed.invalid]
            rejected += [(r, "The same as an entry above, which is sent; this one is not.") for r in parsed.duplicates]
        rejected.sort(key=lambda pair: (pair[0].line, pair[0].position))
        # The entry's number is its pasted line (blank lines count): the spreadsheet's row.
        lines = [f"Entry {entry.line or entry.position}, “{entry.text}”: {reason}" for entry, reason in rejected]
        self.problems.setPlainText("\n".join(lines))
        self.problems_title.setText(problems_title(parsed) if parsed and lines else "")
        self.hint_wanted = parsed is not None and looks_like_references(parsed)
        self.show_columns(parsed)
        self.set_collapsed(False)

    def problem_lines(self) -> list[str]:
        text = self.problems.toPlainText()
        return text.split("\n") if text else []


def results_table(model: BulkModel) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setAccessibleName("Bulk cancel results")
    table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
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
        send_label = QLabel("S&end")
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
        self.start_button = QPushButton("Cancel a&ll…")
        self.start_button.setToolTip("Cancel the calls of every row still to send (you are asked first)")
        self.stop_button = QPushButton("Sto&p")
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


class UnsentKeeper:
    """Keeps what one bulk run leaves unsent: called with the run's outcome on the worker that ends
    it (`BulkRun.when_finished`), also when the window has been closed and nobody listens any
    more. Its rows that were not sent go into the unsent-rows file as one batch, replacing the
    batches the run was sent from (`claimed`), and into the history as one "not sent" record. No
    Qt: the page reads `kept` and `problem` only after `ended` is set."""

    def __init__(self, store: UnsentStore, history: History, template: UnsentRows, claimed: Sequence[str] = ()) -> None:
        self.store, self.history, self.template, self.claimed = store, history, template, tuple(claimed)
        self.user_stopped = threading.Event()  # set by Stop; otherwise a stop is the window closing
        self.ended = threading.Event()
        self.kept: UnsentRows | None = None
        self.problem = ""

    def __call__(self, outcome: BulkOutcome) -> None:
        try:
            values = tuple(item.value for item in outcome.items if item.state == "not sent")
            batch = replace(
                self.template,
                values=values,
                why="stopped" if self.user_stopped.is_set() else "closed",
                when_utc=datetime.now(UTC),
            )
            self._keep(batch)
        finally:
            self.ended.set()

    def _keep(self, batch: UnsentRows) -> None:
        if batch.values or self.claimed:
            try:
                self.store.settle(remove=self.claimed, add=batch)
                self.kept = batch if batch.values else None
            except OSError as error:
                self.problem = f"The unsent rows could not be kept ({self.store.path}): {error.strerror or error}."
                log.error("unsent bulk rows not kept: %s", error)
        if batch.values:
            try:
                record_not_sent(self.history, batch)
            except HistoryError as error:
                self.problem = " ".join(filter(None, (self.problem, str(error))))
                log.error("not-sent record not written: %s", error)

    def batches_after(self) -> tuple[UnsentRows, ...]:
        """The file once this keeper is done (for a worker: waits for the run's end)."""
        self.ended.wait(60)
        return self.store.load()


class UnsentOffer(ResultPanel):
    """ "11 reference IDs were never sent. Send them now?" with Send…, Show them and Discard…: the
    rows a bulk run left unsent (kept in the profile), offered until they are sent or discarded.
    While the page works on another list it takes one line ("compact"), so the list and the
    results table keep their room even in the smallest window; its tooltip says the rest."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.batch: UnsentRows | None = None  # the batch offered
        self.reminder = plain_label(word_wrap=True)  # the compact form's one line
        # No letters: those of the page (Bulk cancel) are taken by the list and the run controls.
        self.send_button = QPushButton("Send…")
        self.send_button.setToolTip("Cancel their calls now, on the account they were meant for (you are asked first)")
        self.show_button = QPushButton("Show them")
        self.show_button.setToolTip("Put them in the list below, to look at them or change them before sending")
        self.discard_button = QPushButton("Discard…")
        self.discard_button.setToolTip("Forget them: their calls stay scheduled (you are asked first)")
        row_widget = QWidget()
        row = QHBoxLayout(row_widget)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.reminder, 10)
        row.addStretch(1)
        for button in (self.send_button, self.show_button, self.discard_button):
            row.addWidget(button)
        self.add_detail(row_widget)
        layout = self.layout()
        assert layout is not None  # ResultPanel lays itself out
        self._layout_of_panel, self._margins = layout, layout.contentsMargins()
        self.compact = False

    def offer(self, batch: UnsentRows, more: int, compact: bool = False) -> None:
        """Offer `batch`; `more` batches wait after it. `compact`: in one line."""
        self.batch = batch
        count = len(batch.values)
        where = "in all accounts" if batch.all_accounts else f"on account “{batch.account}”"
        when = batch.when_utc.astimezone().strftime("%Y-%m-%d %H:%M")
        sent = "it was" if count == 1 else "they were"
        if batch.why == "closed":
            body = f"The window was closed during a bulk cancel {where} ({when}), before {sent} sent."
        else:
            body = f"A bulk cancel {where} was stopped ({when}) before {sent} sent."
        body += " Their calls were not cancelled."
        if more:
            body += f" {more} more list{'' if more == 1 else 's'} of unsent rows after this one."
        them, were = ("it", "was") if count == 1 else ("them", "were")
        headline = f"{noun(batch.kind, count)} {were} never sent. Send {them} now?"
        self.reminder.setText(f"{noun(batch.kind, count)} from an earlier bulk cancel {were} never sent.")
        self.setToolTip(f"{headline}\n{body}")
        self.show_result(Tone.WARNING, headline, body)
        self._set_buttons_shown(True)
        self.set_compact(compact)

    def set_compact(self, compact: bool) -> None:
        self.compact = compact and self.batch is not None
        self.heading.setVisible(not self.compact)  # the word, the icon and the headline
        self.body.setVisible(not self.compact and bool(self.body.text()))
        self.reminder.setVisible(self.compact)
        margins = self._margins
        if self.compact:
            self._layout_of_panel.setContentsMargins(margins.left() // 2, 2, margins.right() // 2, 2)
        else:
            self._layout_of_panel.setContentsMargins(margins)

    def problem(self, headline: str, body: str) -> None:
        self.batch = None
        self.setToolTip("")
        self.show_result(Tone.ERROR, headline, body)
        self._set_buttons_shown(False)
        self.set_compact(False)

    def set_enabled(self, enabled: bool) -> None:
        """Nothing is sent or loaded into the list while a run is going."""
        for button in (self.send_button, self.show_button, self.discard_button):
            button.setEnabled(enabled)

    def clear(self) -> None:
        self.batch = None
        self.setToolTip("")
        super().clear()

    def _set_buttons_shown(self, shown: bool) -> None:
        for button in (self.send_button, self.show_button, self.discard_button):
            button.setVisible(shown)
