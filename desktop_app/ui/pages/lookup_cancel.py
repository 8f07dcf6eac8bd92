"""Cancelling from Find calls: one row's action, or several selected rows with one confirmation.
Each call is cancelled with the account its row was found in.

A RowCanceller is owned by the page and gets what it needs through its constructor: the
controller (accounts and the executor), the rows (CallsModel, whose rows it replaces with the
statuses read after the cancel), the result panel it writes to, and the page's busy state through
the small CancelHost protocol. The confirmations are window-modal boxes on `parent` (the page)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from ...service.reference_data import queue_id_not_found
from ..models.calls import CallsModel, FoundCall, calls_text, status_words
from ..widgets import ResultPanel, Tone, confirm
from .lookup_jobs import RowCancel, cancel_rows

if TYPE_CHECKING:
    from ..controller import AppController

CREDIT_ONE = "Your account is credited for the cancelled call."
LISTED = 8  # QueueIDs named in a confirmation before "and N more"
Target = tuple[str, int]  # (account, QueueID)


def credit_text(count: int) -> str:
    if count == 0:
        return "Nothing was cancelled, so there is no credit."
    return CREDIT_ONE if count == 1 else f"Your account is credited for the {count} cancelled calls."


def why_not(outcome: RowCancel) -> str:
    """Why a call was not cancelled, in plain words."""
    if outcome.problem is not None:
        return outcome.problem[1]
    if not outcome.found:
        return queue_id_not_found(outcome.account)
    if outcome.status is not None:
        words = status_words(FoundCall(outcome.status, None, outcome.account))
        return f"Only calls that have not started can be cancelled; this one is: {words}."
    return "Only calls that have not started can be cancelled."


def several_text(targets: Sequence[Target], skipped: int) -> str:
    """The question for several calls: which (the first LISTED QueueIDs), on which accounts, and
    how many of the selection are left alone."""
    ids = ", ".join(str(q) for _a, q in targets[:LISTED])
    more = f" and {len(targets) - LISTED} more" if len(targets) > LISTED else ""
    accounts = sorted({a for a, _q in targets})
    on = f"account “{accounts[0]}”" if len(accounts) == 1 else "accounts " + ", ".join(f"“{a}”" for a in accounts)
    note = f"\n\n{calls_text(skipped)} of your selection cannot be cancelled and will be left alone." if skipped else ""
    return f"Cancel {calls_text(len(targets))} (QueueIDs {ids}{more}) on {on}?{note}"


class CancelHost(Protocol):
    """The slice of the Find calls page a RowCanceller works through: one job at a time (a look-up
    or a cancel), shown on the page."""

    @property
    def in_flight(self) -> bool:
        """A look-up or a cancel is running."""
        ...

    def begin(self, text: str) -> None:
        """Show the page busy with `text`; the row actions are disabled until `finish`."""
        ...

    def finish(self) -> None:
        """The page is no longer busy; the actions and the Cancel selected button reflect the rows."""
        ...

    def fail(self, error: BaseException) -> None:
        """`finish`, and show the error in the result panel."""
        ...


class RowCanceller(QObject):
    """Asks, cancels and shows the outcome. `cancelled` carries the RowCancel for one call, or a
    tuple of them for several."""

    cancelled = Signal(object)

    def __init__(
        self,
        controller: AppController,
        model: CallsModel,
        result: ResultPanel,
        host: CancelHost,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model = model
        self.result = result
        self.host = host
        self.dialog_parent = parent

    # -- asking --------------------------------------------------------------------------------------

    def ask_cancel(self, call: FoundCall) -> None:
        """One row's action: confirm, then cancel it with the account it was found under (not
        whichever is chosen now); the chosen account for a row looked up without one."""
        if self.host.in_flight or not call.cancellable:
            return
        account = call.account or self.controller.accounts.require() or ""
        if not account:
            return
        queue_id = call.queue_id
        confirm(
            self.dialog_parent,
            "Cancel this call?",
            f"Cancel the call with QueueID {queue_id} on account “{account}”?",
            lambda: self.cancel_calls([(account, queue_id)]),
            yes_text="Cancel the call",
            no_text="Keep it",
        )

    def ask_cancel_selected(self, chosen: Sequence[FoundCall]) -> None:
        """The chosen rows that can still be cancelled, with one confirmation."""
        if self.host.in_flight:
            return
        cancellable = [call for call in chosen if call.cancellable]
        if not cancellable:
            self.result.show_result(
                Tone.INFO,
                "Nothing to cancel",
                "None of the selected calls can be cancelled: they have started or ended.",
            )
            return
        if len(cancellable) == 1:
            self.ask_cancel(cancellable[0])
            return
        fallback = self.controller.accounts.current
        targets = [(call.account or fallback, call.queue_id) for call in cancellable]
        confirm(
            self.dialog_parent,
            "Cancel these calls?",
            several_text(targets, len(chosen) - len(targets)),
            lambda: self.cancel_calls(targets),
            yes_text=f"Cancel {calls_text(len(targets))}",
            no_text="Keep them",
        )

    # -- cancelling ----------------------------------------------------------------------------------

    def cancel_calls(self, targets: Sequence[Target]) -> None:
        if self.host.in_flight or not targets:
            return
        targets = tuple(targets)
        self.host.begin(
            f"Cancelling call {targets[0][1]}…" if len(targets) == 1 else f"Cancelling {calls_text(len(targets))}…"
        )
        self.controller.act(lambda desk: cancel_rows(desk, targets), self._rows_cancelled, self.host.fail, self)

    def _rows_cancelled(self, outcomes: tuple[RowCancel, ...]) -> None:
        changes = []
        for outcome in outcomes:
            position = self.model.position_of(outcome.queue_id, outcome.account)
            if position >= 0 and outcome.status is not None:
                old = self.model.row(position)
                changes.append((position, replace(old, status=outcome.status)))  # the rest stays
        self.model.replace_rows(changes)  # each row where it is: its action goes when it cannot be cancelled
        self.host.finish()
        if len(outcomes) == 1:
            self._show_one(outcomes[0])
            self.cancelled.emit(outcomes[0])
            return
        done = sum(o.cancelled for o in outcomes)
        headline = "No calls were cancelled" if not done else f"{calls_text(done)} cancelled"
        reasons = [f"Call {o.queue_id}: {why_not(o)}" for o in outcomes if not o.cancelled]
        kind = Tone.SUCCESS if done == len(outcomes) else (Tone.WARNING if done else Tone.INFO)
        self.result.show_result(kind, headline, "\n".join([credit_text(done), *reasons]))
        self.cancelled.emit(outcomes)

    def _show_one(self, outcome: RowCancel) -> None:
        if outcome.cancelled:
            self.result.show_result(Tone.SUCCESS, f"Call {outcome.queue_id} cancelled", CREDIT_ONE)
        elif outcome.problem is not None:
            self.result.show_result(Tone.ERROR, outcome.problem[0], outcome.problem[1])
        else:
            body = f"{why_not(outcome)} {credit_text(0)}" if outcome.found else why_not(outcome)
            self.result.show_result(Tone.INFO, f"Call {outcome.queue_id} was not cancelled", body)
