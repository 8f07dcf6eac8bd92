"""Find calls: by phone number (the last 10), by one QueueID, or by a list of QueueIDs, in the
chosen account or in all accounts. A call that has not started can be cancelled from its row, and
several selected rows together; the rows can be exported to CSV."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...bulk import parse_list
from ...desk import describe_error
from ...service import CallStatus, InvalidInput
from ...service import validation as check
from ...service.reference_data import after_queue_id_not_found
from ...storage.csv_export import write_csv
from ..models.calls import EXPORT_HEADER, QUEUE_ID_TIP, CallsModel, FoundCall, calls_text
from ..widgets import BusyRow, FieldError, ResultPanel, Tone, announce, plain_label
from ..widgets.panels import spoken
from .lookup_all import AllAccountsLookup, FailureLines, Failures
from .lookup_cancel import RowCanceller
from .lookup_jobs import LookupMode, Query, find_calls
from .lookup_table import CallsTable

if TYPE_CHECKING:
    from ..controller import AppController

MODES = [  # the mode, its name in the list, the hint in the empty field
    (LookupMode.NUMBER, "Phone number", "for example 757-555-1234 (shows the last 10 calls)"),
    (LookupMode.QUEUE, "QueueID", "for example 4093250"),
    (LookupMode.QUEUES, "Several QueueIDs", "QueueIDs separated by commas or semicolons"),
]
ALL_ACCOUNTS_TIP = (
    "Look in every account at once. Each row shows the account it was found in, and cancelling a row uses that account."
)
SEARCH_ALL_TIP = "Look up the same calls in every account (ticks All accounts)"


def nothing_found(query: Query) -> str:
    """Why the table is empty: no calls to the number, in the account or in any account."""
    what = f"calls to {check.phone_text(query.text)}" if query.mode == LookupMode.NUMBER else "such calls"
    where = "in any account" if query.everywhere else f"on the account “{query.account}”"
    return f"There are no {what} {where}."


class LookupPage(QWidget):
    """The page. It owns the table (CallsTable over a CallsModel), a RowCanceller for the row
    actions and the selected rows, and the look-ups; it is the canceller's CancelHost."""

    loaded = Signal(list)  # the CallStatus list shown
    cancelled = Signal(object)  # RowCancel for one row; a tuple of them for several

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.last_query: Query | None = None
        self.in_flight = False  # a look-up or a cancel is running: one at a time
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_query_row())
        self.query_error = FieldError(self.query)
        layout.addWidget(self.query_error)
        layout.addLayout(self._build_options_row())
        self.failures = FailureLines()
        layout.addWidget(self.failures)
        self._build_results(layout)
        self.canceller = RowCanceller(controller, self.model, self.result, self, self)
        self.setFocusProxy(self.mode)  # where Ctrl+2 lands: the first field, which says what is looked up
        self._connect()
        self._mode_changed()
        self._accounts_changed()

    def _build_query_row(self) -> QHBoxLayout:
        """How to look up (the mode), what, and the Look up and Refresh buttons."""
        self.mode = QComboBox()
        self.mode.setAccessibleName("Look up by")
        self.mode.setToolTip(
            "What to look up: a phone number, a QueueID (the number Esendex gives each call) or several"
        )
        for mode, label, _hint in MODES:
            self.mode.addItem(label, mode.value)
        self.query = QLineEdit()
        self.query.setAccessibleName("What to look up")
        self.lookup_button = QPushButton("&Look up")
        self.lookup_button.setToolTip("Ask the service for these calls (Enter)")
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setToolTip("Look up the same calls again to see their latest status")
        self.refresh_button.setEnabled(False)
        row = QHBoxLayout()
        by = QLabel("Find calls b&y:")
        by.setBuddy(self.mode)  # on Linux a combo box is named by its label, not setAccessibleName
        row.addWidget(by)
        row.addWidget(self.mode)
        row.addWidget(self.query, 1)
        row.addWidget(self.lookup_button)
        row.addWidget(self.refresh_button)
        return row

    def _build_options_row(self) -> QHBoxLayout:
        """All accounts, and what to do with the rows: cancel the selected ones, columns, export."""
        self.all_accounts = QCheckBox("All acc&ounts")
        self.all_accounts.setToolTip(ALL_ACCOUNTS_TIP)
        self.all_accounts.setAccessibleName("Look in all accounts")
        self.cancel_selected_button = QPushButton("Cancel selected…")
        self.cancel_selected_button.setAccessibleName("Cancel the selected calls")
        self.cancel_selected_button.setToolTip(
            "Cancel every selected call that has not started, with one confirmation "
            "(select rows with Ctrl+click; Delete in the table does the same)"
        )
        self.cancel_selected_button.setEnabled(False)
        self.columns_button = QPushButton("Colu&mns…")
        self.columns_button.setToolTip("Choose the columns shown")
        self.export_button = QPushButton("&Export to CSV…")
        self.export_button.setToolTip("Save the calls shown to a CSV file (opens in a spreadsheet)")
        self.export_button.setEnabled(False)
        options = QHBoxLayout()
        options.addWidget(self.all_accounts)
        options.addStretch(1)
        options.addWidget(self.cancel_selected_button)
        options.addWidget(self.columns_button)
        options.addWidget(self.export_button)
        return options

    def _build_results(self, layout: QVBoxLayout) -> None:
        """The table, when it was last updated, the busy line and the result panel."""
        self.model = CallsModel(self.controller.response_text, self)
        self.table = CallsTable(self.model)
        layout.addWidget(self.table, 1)
        self.fetched_label = plain_label()
        layout.addWidget(self.fetched_label)
        self.busy = BusyRow()
        layout.addWidget(self.busy)
        self.result = ResultPanel()
        self.search_all_button = QPushButton("Search all acco&unts")
        self.search_all_button.setToolTip(SEARCH_ALL_TIP)
        self.search_all_button.hide()  # offered when a look-up in one account finds nothing
        self.result.add_button(self.search_all_button)
        layout.addWidget(self.result)

    def _connect(self) -> None:
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.query.returnPressed.connect(self.look_up)
        self.lookup_button.clicked.connect(self.look_up)
        self.refresh_button.clicked.connect(self.refresh)
        self.cancel_selected_button.clicked.connect(self.ask_cancel_selected)
        self.columns_button.clicked.connect(self._columns_clicked)
        self.export_button.clicked.connect(lambda: self.export())
        self.search_all_button.clicked.connect(self.search_all_accounts)
        self.table.selectionModel().selectionChanged.connect(lambda _s, _d: self._update_selection_button())
        self.table.actionRequested.connect(self.canceller.ask_cancel)
        self.table.deleteRequested.connect(self.ask_cancel_selected)
        self.canceller.cancelled.connect(self.cancelled)
        self.query.textEdited.connect(lambda _t: self.query_error.show_message(""))
        self.controller.accounts.accountsChanged.connect(self._accounts_changed)

    @property
    def current_mode(self) -> LookupMode:
        return LookupMode(self.mode.currentData())

    def _mode_changed(self) -> None:
        self.query.setPlaceholderText(MODES[self.mode.currentIndex()][2])
        self.query.setToolTip(QUEUE_ID_TIP if self.current_mode != LookupMode.NUMBER else "A phone number")

    def _accounts_changed(self) -> None:
        several = len(self.controller.settings.accounts) > 1
        self.all_accounts.setEnabled(several)
        if not several:
            self.all_accounts.setChecked(False)

    # -- columns (the table keeps the user's choice) --------------------------------------------------

    def column_menu(self) -> QMenu:
        return self.table.column_menu(self)

    def set_column_shown(self, column: int, shown: bool) -> None:
        self.table.set_column_shown(column, shown)

    def _columns_clicked(self) -> None:
        self.column_menu().popup(self.columns_button.mapToGlobal(self.columns_button.rect().bottomLeft()))

    # -- looking up ---------------------------------------------------------------------------------

    def _parsed_query(self, mode: LookupMode) -> str:
        if mode == LookupMode.NUMBER:
            return check.phone_number(self.query.text())
        if mode == LookupMode.QUEUE:
            return str(check.queue_id(self.query.text()))
        parsed = parse_list(self.query.text(), "queue")
        if parsed.invalid:
            bad = parsed.invalid[0]
            raise InvalidInput("queue_id", f"“{bad.text}” is not a QueueID: {bad.reason}")
        if not parsed.values:
            raise InvalidInput("queue_id", "Enter one or more QueueIDs.")
        return ";".join(parsed.values)

    def look_up(self) -> None:
        if self.in_flight:
            return
        mode = self.current_mode
        try:
            text = self._parsed_query(mode)
        except InvalidInput as error:
            self.query_error.show_message(error.message)
            return
        everywhere = self.all_accounts.isChecked() and self.all_accounts.isEnabled()
        if not everywhere and mode != LookupMode.QUEUE and self.controller.accounts.require() is None:
            return  # one QueueID can be looked up without an account (plain status)
        self._fetch(Query(mode, text, self.controller.accounts.current, everywhere))

    def refresh(self) -> None:
        if self.last_query and not self.in_flight:
            self._fetch(self.last_query)

    def search_all_accounts(self) -> None:
        """The last look-up again, in every account; All accounts is ticked to show it."""
        if self.last_query and not self.in_flight:
            self.all_accounts.setChecked(True)
            self._fetch(replace(self.last_query, everywhere=True))

    def _fetch(self, query: Query) -> None:
        self.last_query = query
        self.refresh_button.setEnabled(False)
        if query.everywhere:
            accounts = list(self.controller.settings.accounts)
            self.begin(f"Looking up calls in {len(accounts)} accounts…")
            AllAccountsLookup(self.controller, accounts, query.mode, query.text, self, self._show).start()
            return
        desk = self.controller.desk
        self.begin("Looking up calls…")
        self.controller.run(
            lambda: find_calls(desk, query.account, query.mode, query.text), self._show, self.fail, self
        )

    # -- busy: one look-up or cancel at a time (the canceller's CancelHost) ------------------------------

    def begin(self, text: str) -> None:
        self.in_flight = True
        self.lookup_button.setEnabled(False)
        self.cancel_selected_button.setEnabled(False)
        self.table.set_actions_enabled(False)
        self.result.clear()
        self.search_all_button.hide()
        self.busy.start(text)

    def finish(self) -> None:
        self.in_flight = False
        self.lookup_button.setEnabled(True)
        self.refresh_button.setEnabled(self.last_query is not None)
        self.table.set_actions_enabled(True)
        self.busy.stop()
        self._update_selection_button()

    def fail(self, error: BaseException) -> None:
        self.finish()
        title, message = describe_error(error)
        self.result.show_result(Tone.ERROR, title, message, focus=True)

    # -- the rows ----------------------------------------------------------------------------------------

    def _show(self, found: tuple[FoundCall, ...], failures: Failures = ()) -> None:
        self.finish()
        self.model.set_rows(found)
        self.table.update_account_column(self.last_query is not None and self.last_query.everywhere)
        self.failures.show_failures(failures)
        self.export_button.setEnabled(bool(found))
        self.fetched_label.setText(f"Last updated {datetime.now():%H:%M:%S} — {calls_text(len(found))}")
        if not self._explain(found, failures):  # the panel says nothing: say what the table shows
            lines = [line for line, _tip in failures]
            announce(self.fetched_label, spoken(f"{calls_text(len(found))} found", *lines), assertive=bool(lines))
        self._update_selection_button()
        self.loaded.emit(list(self.statuses))

    def _explain(self, found: tuple[FoundCall, ...], failures: Failures) -> bool:
        """The result panel: nothing found, or QueueIDs the service does not know (True when it
        shows). When the look-up was in one account and others exist, it offers to search them all."""
        query = self.last_query
        everywhere = query is not None and query.everywhere
        missing = [call for call in found if not call.found]
        if found and len(missing) == len(found) == 1:
            account = "" if everywhere else missing[0].account
            text = after_queue_id_not_found(account)
            self.result.show_result(Tone.INFO, f"QueueID {missing[0].queue_id} not found", text)
        elif missing:
            where = "in any account" if everywhere else f"for the account {missing[0].account}"
            self.result.show_result(
                Tone.INFO,
                f"{len(missing)} of the QueueIDs not found",
                f"No call was found {where} for: {', '.join(str(c.queue_id) for c in missing)}. Check the numbers"
                + ("." if everywhere else ", or try another account."),
            )
        elif not found and not failures and query is not None:
            self.result.show_result(Tone.INFO, "No calls found", nothing_found(query))
        else:
            return False
        others = len(self.controller.settings.accounts) > 1
        self.search_all_button.setVisible(others and not everywhere and not failures)
        return True

    @property
    def statuses(self) -> tuple[CallStatus, ...]:
        """The statuses shown, in the table's order."""
        return tuple(call.status for call in self.model.rows)

    def _update_selection_button(self) -> None:
        count = sum(call.cancellable for call in self.table.selected_calls())
        self.cancel_selected_button.setEnabled(count > 0 and not self.in_flight)
        self.cancel_selected_button.setText(f"Cancel {calls_text(count)}…" if count > 1 else "Cancel selected…")

    def ask_cancel_selected(self) -> None:
        """The Cancel selected button, and Delete in the table: the selected rows that can still be
        cancelled, with one confirmation (the row's own one for a single call)."""
        self.canceller.ask_cancel_selected(self.table.selected_calls())

    # -- export ----------------------------------------------------------------------------------------

    def export(self, path: str | Path | None = None) -> Path | None:
        """Write the calls shown, in the table's order, with full local times. Without `path`, ask."""
        if not path:
            path, _filter = QFileDialog.getSaveFileName(
                self, "Export calls", str(Path.home() / "calls.csv"), "CSV files (*.csv)"
            )
        if not path:
            return None
        self.search_all_button.hide()  # the result panel now says what was exported
        target = Path(path)
        try:
            count = write_csv(target, EXPORT_HEADER, self.model.export_rows())
        except OSError as exc:
            self.result.show_result(Tone.ERROR, "The file could not be written", f"{target}: {exc.strerror or exc}")
            return None
        self.result.show_result(Tone.SUCCESS, f"{calls_text(count)} exported", str(target))
        return target
