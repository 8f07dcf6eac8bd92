"""Bulk cancel: paste or import reference IDs or QueueIDs, check them, then cancel them with
bounded concurrency while the table fills in. Stop sends nothing more; "Send the rest" sends what
a Stop left. "All accounts" (QueueIDs) cancels each QueueID with the account that owns it.

A paste from a spreadsheet (tabs) or CSV rows (commas) is read as a table: one column is used (the
one its header names, else the first; "Column to use" picks another), and a header line is
skipped and said so. The entries left out are numbered by their pasted line.

A run stopped before its end (Stop, or the window closed) keeps its unsent rows in the profile
(storage/unsent.py, written on the worker that ends the run, with a "not sent" history record):
the page offers them at the top ("11 reference IDs were never sent. Send them now?") until they
are sent or discarded, also after a restart. Sending them asks first, like any run, and names the
account they were meant for.

The page never reads a license key: the controller's run asks the desk, which reads the key on a
worker. Each progress report repaints one row, so a 10,000-row run costs the same per report as a
ten-row one. The list's entry area stays small so the results table has the room, even at the
640 x 480 minimum window.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ...bulk import (
    BulkItem,
    BulkOutcome,
    BulkProgress,
    BulkRun,
    Kind,
    PastedList,
    csv_to_text,
    parse_paste,
    totals,
)
from ...bulk_owners import Owners
from ...service import InvalidInput
from ...storage.unsent import UnsentRows, UnsentStore
from ..models.bulk import ACCOUNT_TITLE, BulkModel
from ..widgets import ResultPanel, Tone, confirm
from .bulk_parts import (
    ControlsRow,
    ListArea,
    UnsentKeeper,
    UnsentOffer,
    export_results,
    results_table,
    split_by_owner,
    unprotect,
)
from .bulk_words import list_knowledge_words, noun, summary_words

if TYPE_CHECKING:
    from ...desk import ListKnowledge
    from ..controller import AppController

SENDABLE = ("waiting", "not sent")  # what "Cancel all…" sends
EMPTY_PROGRESS = "Nothing sent yet"


class BulkPage(QWidget):
    run_finished = Signal(object)  # BulkTotals of the whole list
    unsentWaiting = Signal(int)  # rows kept unsent that the page offers (0: none), e.g. for a notice or the tab

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.parsed: PastedList | None = None
        self.run: BulkRun | None = None
        self.finding_owners = False
        self.list_account: str | None = None  # the account the table's rows were (or are to be) sent with
        self.unsent: tuple[UnsentRows, ...] = ()  # the unsent-rows file, as last read
        self.table_batches: list[UnsentRows] = []  # the unsent batches whose rows the table shows
        self.keeper: UnsentKeeper | None = None  # keeps what the run going on leaves unsent
        self._claimed: tuple[str, ...] = ()  # the batches the next run sends
        self.column_choice: tuple[tuple[str, ...], int] | None = None  # (the table's column names, the one picked)
        self.model = BulkModel(self)
        layout = QVBoxLayout(self)
        self.offer = UnsentOffer()
        layout.addWidget(self.offer)
        layout.addLayout(self._build_kind_row())
        self.entry = ListArea(self)
        self.paste, self.summary, self.problems = self.entry.paste, self.entry.summary, self.entry.problems
        layout.addWidget(self.entry)
        self.table = results_table(self.model)
        layout.addWidget(self.table, 1)
        layout.addWidget(self._build_controls())
        layout.addWidget(self._build_result())
        self.setFocusProxy(self.by_reference)  # where Ctrl+4 lands: the first field, what the list holds
        self._reset_progress(0)
        self._kind_changed()
        self._connect_signals()
        self._load_unsent()

    def _build_kind_row(self) -> QHBoxLayout:
        """ "Cancel by: Reference IDs / QueueIDs, in all accounts", then Import CSV… and Check list."""
        kinds = QHBoxLayout()
        cancel_by = QLabel("Cancel by:")
        kinds.addWidget(cancel_by)
        self.by_reference = QRadioButton("&Reference IDs")
        self.by_reference.setToolTip("Each line is a reference ID: every waiting call with it is cancelled")
        self.by_queue = QRadioButton("&QueueIDs")
        self.by_queue.setToolTip("Each line is a QueueID: the number the service gave one call when it was booked")
        self.by_reference.setChecked(True)
        cancel_by.setBuddy(self.by_reference)  # it names the choice; each button has its own letter
        group = QButtonGroup(self)
        group.addButton(self.by_reference)
        group.addButton(self.by_queue)
        self.all_accounts = QCheckBox("In all acc&ounts")
        self.all_accounts.setToolTip(
            "Cancel each QueueID with the account that booked it. QueueIDs that no account knows "
            "are listed as “Not found in any account”. Only for QueueIDs."
        )
        self.all_accounts.setEnabled(False)
        for widget in (self.by_reference, self.by_queue, self.all_accounts):
            kinds.addWidget(widget)
        kinds.addStretch(1)
        self.import_button = QPushButton("I&mport CSV…")
        self.import_button.setToolTip("Read the list from a CSV file (the reference ID / QueueID column, or the first)")
        self.check_button = QPushButton("Chec&k list")
        self.check_button.setToolTip("Remove duplicates and find entries that are not valid, before anything is sent")
        kinds.addWidget(self.import_button)
        kinds.addWidget(self.check_button)
        return kinds

    def _build_controls(self) -> ControlsRow:
        """How many at a time, the progress, the time left, Cancel all… and Stop."""
        controls = ControlsRow()
        self.concurrency, self.progress, self.eta = controls.concurrency, controls.progress, controls.eta
        self.start_button, self.stop_button = controls.start_button, controls.stop_button
        return controls

    def _build_result(self) -> ResultPanel:
        """The result of a run, with its buttons: Retry failed rows, Send the rest, Export results…"""
        self.result = ResultPanel()
        self.retry_button = QPushButton("Retr&y failed rows")
        self.retry_button.setToolTip("Send the failed rows again")
        self.send_rest_button = QPushButton("Send the rest")  # its letters are all taken on this page
        self.send_rest_button.setToolTip("Send the rows that Stop left unsent")
        self.export_button = QPushButton("E&xport results…")
        self.export_button.setToolTip("Save the table to a CSV file")
        for button in (self.retry_button, self.send_rest_button, self.export_button):
            self.result.add_button(button)
        return self.result

    def _connect_signals(self) -> None:
        self.check_button.clicked.connect(self.check)
        self.import_button.clicked.connect(lambda: self.import_csv())
        self.start_button.clicked.connect(self.ask_start)
        self.stop_button.clicked.connect(self.stop)
        self.retry_button.clicked.connect(self.retry_failed)
        self.send_rest_button.clicked.connect(self.send_rest)
        self.export_button.clicked.connect(lambda: self.export())
        self.entry.switch_button.clicked.connect(self.switch_to_references)
        self.entry.column.activated.connect(self._column_chosen)
        self.offer.send_button.clicked.connect(self.send_unsent)
        self.offer.show_button.clicked.connect(self.show_unsent)
        self.offer.discard_button.clicked.connect(self.ask_discard_unsent)
        self.paste.textChanged.connect(self._list_edited)
        self.by_reference.toggled.connect(self._kind_changed)
        self.all_accounts.toggled.connect(self._kind_changed)

    # -- the list ---------------------------------------------------------------------------------

    @property
    def kind(self) -> Kind:
        return "reference" if self.by_reference.isChecked() else "queue"

    @property
    def in_all_accounts(self) -> bool:
        return self.kind == "queue" and self.all_accounts.isChecked()

    @property
    def items(self) -> list[BulkItem]:
        """The current snapshot of every row, in row order."""
        return list(self.model.rows)

    def _kind_changed(self) -> None:
        self.all_accounts.setEnabled(self.kind == "queue" and not self.is_running())
        self.model.set_kind(self.kind)
        self.table.setColumnHidden(self.model.column_of(ACCOUNT_TITLE), not self.in_all_accounts)
        self._fit_columns()
        self._list_edited()

    def _list_edited(self) -> None:
        if self.is_running():
            return
        self.parsed = None
        self.start_button.setEnabled(False)

    def check(self) -> PastedList:
        text, choice = self.paste.toPlainText(), self.column_choice
        parsed = parse_paste(text, self.kind, choice[1] if choice else None)
        if choice and (parsed.columns is None or parsed.columns.names != choice[0]):
            parsed = parse_paste(text, self.kind)  # another table now: its own default column
            self.column_choice = None
        self.table_batches, self.list_account = [], None
        self._show_list(parsed)
        self._show_offer()
        return parsed

    def _show_list(self, parsed: PastedList) -> None:
        self.parsed = parsed
        self.entry.show_parsed(parsed)
        lines = parsed.lines or (0,) * len(parsed.values)
        self.model.set_rows(
            [
                BulkItem(index, value, line=line)
                for index, (value, line) in enumerate(zip(parsed.values, lines, strict=True), 1)
            ]
        )
        self._fit_columns()
        self._reset_progress(len(parsed.values))
        self.result.clear()
        self._refresh_start()

    def _column_chosen(self, index: int) -> None:
        """The user picked the table's column to use."""
        columns = self.parsed.columns if self.parsed is not None else None
        if columns is not None:
            self.column_choice = (columns.names, index)
        self.check()

    def switch_to_references(self) -> None:
        self.by_reference.setChecked(True)
        self.check()

    def _fit_columns(self) -> None:
        # Qt takes the larger of the header's text and the sampled cells, so no title is clipped.
        for column in range(self.model.columnCount() - 1):
            self.table.resizeColumnToContents(column)

    def _reset_progress(self, count: int) -> None:
        self.progress.setRange(0, max(1, count))
        self.progress.setValue(0)
        self.progress.setFormat("%v of %m done" if count else EMPTY_PROGRESS)

    def _refresh_start(self) -> None:
        """ "Cancel all…" only when there is something to send."""
        sendable = any(item.state in SENDABLE for item in self.model.rows)
        self.start_button.setEnabled(sendable and not self.is_running())

    def import_csv(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Import a list", str(Path.home()), "CSV files (*.csv);;All (*)")
        if not path:
            return
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            self.result.show_result(Tone.ERROR, "The file could not be read", f"{path}: {error}")
            return
        self.paste.setPlainText(unprotect(csv_to_text(text, self.kind)))
        self.check()

    # -- running ------------------------------------------------------------------------------------

    def is_running(self) -> bool:
        return self.run is not None or self.finding_owners

    def _account_of_list(self) -> str | None:
        """The account to send the table's rows with: the one they were sent with or meant for
        (a stopped run, unsent rows from the profile), else the chosen one."""
        account = self.list_account
        if account is None:
            return self.controller.accounts.require()
        if account not in self.controller.accounts.names():
            self.result.show_result(
                Tone.ERROR,
                f"The account “{account}” is not set up any more",
                f"These rows are for the account “{account}”. Add it again (Manage accounts…) to send them.",
            )
            return None
        return account

    def ask_start(self) -> None:
        waiting = [item for item in self.items if item.state in SENDABLE]
        if self.is_running() or not waiting:
            return
        account = self._account_of_list()
        if account is None:
            return
        claimed = tuple(batch.id for batch in self.table_batches)  # every row they hold is sent
        if self.in_all_accounts:
            where = f"in whichever of your {len(self.controller.accounts.names())} accounts booked each one"
        else:
            where = f"on account “{account}”"
        question = (
            f"Cancel the scheduled calls for {noun(self.kind, len(waiting))} {where}?\n\n"
            "Calls already in progress or completed are not affected."
        )

        def ask(knowledge: ListKnowledge | None = None) -> None:
            text = f"{question}\n\n{list_knowledge_words(knowledge)}" if self.kind == "reference" else question
            confirm(
                self,
                "Cancel these calls?",
                text,
                lambda: self.start(account, waiting, claimed),
                yes_text="Cancel the calls",
                no_text="Not now",
            )

        if self.kind != "reference" or self.in_all_accounts:
            ask()
            return
        # First what this desk's history says about these reference IDs (a read, on a worker).
        desk, values = self.controller.desk, tuple(item.value for item in waiting)
        self.controller.run(lambda: desk.list_knowledge(account, values), ask, lambda _error: ask(None), self)

    def retry_failed(self) -> None:
        account = self.list_account or self.controller.accounts.current
        failed = [item for item in self.items if item.state == "failed"]
        if account and failed and not self.is_running():
            self.start(account, failed)

    def send_rest(self) -> None:
        account = self.list_account or self.controller.accounts.current
        rest = [item for item in self.items if item.state == "not sent"]
        if account and rest and not self.is_running():
            self.start(account, rest, tuple(batch.id for batch in self.table_batches))

    def start(self, account: str, items: list[BulkItem], claimed: tuple[str, ...] = ()) -> None:
        """Send `items` with `account`. `claimed`: the unsent batches these rows come from (the
        run's end replaces them with what it leaves unsent)."""
        if self.is_running() or not items:
            return
        self.list_account, self._claimed = account, claimed
        fresh = [replace(item, state="waiting", count=0, message="", account="") for item in items]
        self.model.update_items(fresh)
        self.progress.setRange(0, len(fresh))
        self.progress.setValue(0)
        self.progress.setFormat("%v of %m done")
        self.result.clear()
        self.entry.set_collapsed(True)
        if not self.in_all_accounts:
            self._start_run(account, fresh, None)
            return
        self.finding_owners = True
        self._set_running(True)
        self.eta.setText("Finding which account owns each QueueID…")
        self.controller.find_bulk_owners(
            [item.value for item in fresh],
            lambda owners: self._owners_found(account, fresh, owners),
            lambda error: self._owners_found(account, fresh, Owners({}, (), {}), error),
            self,
        )

    def _owners_found(
        self, account: str, items: list[BulkItem], owners: Owners, error: BaseException | None = None
    ) -> None:
        self.finding_owners = False
        settled, owned = split_by_owner(items, owners, error)
        self.model.update_items([*settled, *owned])
        if owned:
            self._start_run(account, owned, dict(owners.owner))
        else:
            self._finished(BulkOutcome(tuple(settled), totals(settled), False))

    def _start_run(self, account: str, items: list[BulkItem], owners: dict[str, str] | None) -> None:
        self.eta.setText("")
        self.keeper = self._keeper(account)
        try:
            self.run = self.controller.start_bulk(
                account,
                self.kind,
                items,
                self.concurrency.value(),
                self._progress,
                self._finished,
                self,
                owners=owners,
                on_ended=self.keeper,
            )
        except InvalidInput as error:  # a concurrency outside 1..MAX_CONCURRENCY
            self.keeper = None
            self._set_running(False)
            self.result.show_result(Tone.ERROR, "The run did not start", error.message)
            return
        self._set_running(True)

    def _keeper(self, account: str) -> UnsentKeeper:
        """What keeps this run's unsent rows, on the worker that ends it (see UnsentKeeper)."""
        import uuid  # here: the first paint does not need it

        template = UnsentRows(
            uuid.uuid4().hex[:12], account, self.kind, (), datetime.now(UTC), "stopped", self.in_all_accounts
        )
        return UnsentKeeper(self.store, self.controller.desk.history, template, self._claimed)

    def stop(self) -> None:
        if self.run is not None:
            if self.keeper is not None:
                self.keeper.user_stopped.set()  # a stop, not the window closing
            self.run.stop()
            self.stop_button.setEnabled(False)
            self.eta.setText("Stopping: finishing the requests already sent…")

    def _set_running(self, running: bool) -> None:
        for widget in (
            self.check_button,
            self.import_button,
            self.concurrency,
            self.paste,
            self.by_reference,
            self.by_queue,
            self.retry_button,
            self.send_rest_button,
        ):
            widget.setEnabled(not running)
        self.all_accounts.setEnabled(not running and self.kind == "queue")
        self.stop_button.setEnabled(running and self.run is not None)
        self.offer.set_enabled(not running)
        self._refresh_start()

    def _progress(self, reports: tuple[BulkProgress, ...]) -> None:
        """The rows that changed since the last batch (a few batches a second): one repaint for
        them, and the totals of the latest report. O(rows changed), whatever the list's length."""
        self.model.update_items(report.item for report in reports)
        totals = reports[-1].totals
        # QProgressBar.setValue repaints at once (synchronously); with updates off it only marks
        # the bar for the next paint, which the event loop coalesces with the table's.
        self.progress.setUpdatesEnabled(False)
        self.progress.setValue(totals.done)
        self.progress.setUpdatesEnabled(True)
        if self.run is not None and not self.run.stopping:
            left = totals.seconds_left
            self.eta.setText("" if left is None else f"about {left:.0f} s left")

    def _finished(self, outcome: BulkOutcome) -> None:
        self.run = None
        keeper, self.keeper = self.keeper, None
        if keeper is not None:
            self._kept(keeper, outcome)
        self.model.update_items(outcome.items)
        self._fit_columns()
        self._set_running(False)
        self.eta.setText("")
        # A retry covers only some rows; the panel, the buttons and the signal speak for the whole
        # list (what the table shows), so count it once here, not at each report.
        whole = outcome.totals if len(outcome.items) == self.model.rowCount() else totals(self.model.rows)
        self.progress.setRange(0, max(1, whole.total))
        self.progress.setValue(whole.done)
        self.result.show_result(*summary_words(whole, self.kind), focus=True)
        self.retry_button.setVisible(whole.failed_rows > 0)
        self.send_rest_button.setVisible(whole.not_sent > 0)
        self.run_finished.emit(whole)

    def export(self, path: str | None = None) -> Path | None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export results", str(Path.home() / "bulk-cancel.csv"), "CSV files (*.csv)"
            )
        if not path:
            return None
        target = Path(path)
        try:
            export_results(target, self.kind, self.model.rows, self.in_all_accounts)
        except OSError as error:
            self.result.show_result(Tone.ERROR, "The file could not be written", f"{target}: {error.strerror}")
            return None
        return target

    # -- rows a stopped run did not send (kept in the profile) ------------------------------------

    @cached_property
    def store(self) -> UnsentStore:
        return UnsentStore.beside(self.controller.desk.history.path)

    def _kept(self, keeper: UnsentKeeper, outcome: BulkOutcome) -> None:
        """A run ended: the table now shows the batch it left unsent instead of those it sent.
        The file is read again once the keeper has written it (it runs on the worker)."""
        left = tuple(item.value for item in outcome.items if item.state == "not sent")
        self.table_batches = [batch for batch in self.table_batches if batch.id not in keeper.claimed]
        if left:
            self.table_batches.append(replace(keeper.template, values=left))
        self.controller.run(
            keeper.batches_after,
            lambda batches: self._unsent_loaded(batches, keeper.problem),
            self._unsent_failed,
            self,
        )

    def _load_unsent(self) -> None:
        self.controller.run(self.store.load, self._unsent_loaded, self._unsent_failed, self)

    def _unsent_loaded(self, batches: tuple[UnsentRows, ...], problem: str = "") -> None:
        self.unsent = batches
        if problem:
            self.offer.problem(
                "The unsent rows could not be kept",
                f"{problem} They are still in the table: send them before closing the app.",
            )
            return
        self._show_offer()

    def _unsent_failed(self, error: BaseException) -> None:
        title = getattr(error, "title", "The unsent rows could not be read")
        self.offer.problem(str(title), str(error))

    def _show_offer(self) -> None:
        """Offer the oldest unsent batch the table does not show."""
        shown = {batch.id for batch in self.table_batches}
        waiting = [batch for batch in self.unsent if batch.id not in shown]
        self.unsentWaiting.emit(sum(len(batch.values) for batch in waiting))
        if not waiting:
            self.offer.clear()
            return
        self.offer.offer(waiting[0], len(waiting) - 1, compact=self.model.rowCount() > 0)
        self.offer.set_enabled(not self.is_running())

    def _load_batch(self, batch: UnsentRows) -> None:
        """The batch's rows in the table, exactly (they were checked before they were kept)."""
        (self.by_reference if batch.kind == "reference" else self.by_queue).setChecked(True)
        self.all_accounts.setChecked(batch.all_accounts)
        self.column_choice = None
        self.paste.setPlainText("\n".join(batch.values))
        self._show_list(PastedList(batch.kind, batch.values))
        self.table_batches, self.list_account = [batch], batch.account
        self._show_offer()

    def show_unsent(self) -> None:
        batch = self.offer.batch
        if batch is not None and not self.is_running():
            self._load_batch(batch)

    def send_unsent(self) -> None:
        """Send the offered rows: in the list, then the usual question naming their account."""
        batch = self.offer.batch
        if batch is not None and not self.is_running():
            self._load_batch(batch)
            self.ask_start()

    def ask_discard_unsent(self) -> QMessageBox | None:
        batch = self.offer.batch
        if batch is None or self.is_running():
            return None
        return confirm(
            self,
            "Discard these rows?",
            f"Forget the {noun(batch.kind, len(batch.values))} that were never sent? Their calls stay "
            "scheduled. History keeps the record of what was not sent.",
            lambda: self._discard(batch),
            yes_text="Discard them",
            no_text="Keep them",
            icon=QMessageBox.Icon.Warning,
        )

    def _discard(self, batch: UnsentRows) -> None:
        self.offer.clear()
        store = self.store  # the worker touches the store only, never the page
        self.controller.run(lambda: store.discard(batch.id), lambda _: self._load_unsent(), self._unsent_failed, self)
