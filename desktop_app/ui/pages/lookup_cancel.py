"""Cancelling from Find calls: one row's "Cancel…" button, or several selected rows with one
confirmation. Each call is cancelled with the account its row was found in."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QPushButton

from ...service.reference_data import queue_id_not_found
from ..models.calls import FoundCall, calls_text, status_words
from ..widgets import Tone, confirm
from .lookup_jobs import RowCancel, cancel_rows

CREDIT_ONE = "Your account is credited for the cancelled call."
LISTED = 8  # QueueIDs named in a confirmation before "and N more"


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


class RowCancelMixin:
    """Mixed into LookupPage (which provides `table`, `model`, `controller`, `result`, `in_flight`,
    `_begin`, `_finish` and the `cancelled` signal)."""

    # -- the Cancel column ---------------------------------------------------------------------------

    def _cancel_index(self, position: int) -> QModelIndex:
        return self.model.index(position, self.model.column_of("Cancel"))

    def _place_button(self, position: int) -> None:
        """A "Cancel…" button on a row that can still be cancelled; none (the cell shows a dash) otherwise."""
        call = self.model.row(position)
        index = self._cancel_index(position)
        if not call.cancellable:
            if self.table.indexWidget(index) is not None:
                self.table.setIndexWidget(index, None)  # the view deletes the old button
            return
        button = QPushButton("Cancel…")
        button.setObjectName("rowCancel")
        button.setAccessibleName(f"Cancel call {call.queue_id}")
        where = f" on account “{call.account}”" if call.account else ""
        button.setToolTip(f"Cancel the call with QueueID {call.queue_id}{where}")
        button.setEnabled(not self.in_flight)
        button.clicked.connect(lambda _=False, qid=call.queue_id, acc=call.account: self.ask_cancel(qid, acc))
        self.table.setIndexWidget(index, button)

    def cancel_button(self, queue_id: int) -> QPushButton | None:
        position = self.model.position_of(queue_id)
        if position < 0:
            return None
        widget = self.table.indexWidget(self._cancel_index(position))
        return widget if isinstance(widget, QPushButton) else None

    def _update_selection_button(self) -> None:
        rows = [self.model.row(p) for p in self.table.selected_positions()]
        count = sum(call.cancellable for call in rows)
        self.cancel_selected_button.setEnabled(count > 0 and not self.in_flight)
        self.cancel_selected_button.setText(f"Cancel {calls_text(count)}…" if count > 1 else "Cancel selected…")

    # -- asking --------------------------------------------------------------------------------------

    def ask_cancel(self, queue_id: int, account: str | None = None) -> None:
        if self.in_flight:
            return
        position = self.model.position_of(queue_id, account)
        # The account the call was found under, not whichever is chosen now.
        account = self.model.row(position).account if position >= 0 else ""
        account = account or self.controller.accounts.require() or ""
        if not account:
            return
        confirm(
            self,
            "Cancel this call?",
            f"Cancel the call with QueueID {queue_id} on account “{account}”?",
            lambda: self.cancel_calls([(account, queue_id)]),
            yes_text="Cancel the call",
            no_text="Keep it",
        )

    def ask_cancel_selected(self) -> None:
        """The selected rows that can still be cancelled, with one confirmation."""
        if self.in_flight:
            return
        chosen = [self.model.row(p) for p in self.table.selected_positions()]
        fallback = self.controller.accounts.current
        targets = [(call.account or fallback, call.queue_id) for call in chosen if call.cancellable]
        if not targets:
            self.result.show_result(
                Tone.INFO,
                "Nothing to cancel",
                "None of the selected calls can be cancelled: they have started or ended.",
            )
            return
        if len(targets) == 1:
            self.ask_cancel(targets[0][1], targets[0][0])
            return
        ids = ", ".join(str(q) for _a, q in targets[:LISTED])
        more = f" and {len(targets) - LISTED} more" if len(targets) > LISTED else ""
        accounts = sorted({a for a, _q in targets})
        on = f"account “{accounts[0]}”" if len(accounts) == 1 else "accounts " + ", ".join(f"“{a}”" for a in accounts)
        skipped = len(chosen) - len(targets)
        note = (
            f"\n\n{calls_text(skipped)} of your selection cannot be cancelled and will be left alone."
            if skipped
            else ""
        )
        confirm(
            self,
            "Cancel these calls?",
            f"Cancel {calls_text(len(targets))} (QueueIDs {ids}{more}) on {on}?{note}",
            lambda: self.cancel_calls(targets),
            yes_text=f"Cancel {calls_text(len(targets))}",
            no_text="Keep them",
        )

    # -- cancelling ----------------------------------------------------------------------------------

    def cancel_calls(self, targets: list[tuple[str, int]]) -> None:
        if self.in_flight or not targets:
            return
        self._begin(
            f"Cancelling call {targets[0][1]}…" if len(targets) == 1 else f"Cancelling {calls_text(len(targets))}…"
        )
        for button in self.findChildren(QPushButton, "rowCancel"):
            button.setEnabled(False)  # one action at a time
        self.controller.act(lambda desk: cancel_rows(desk, targets), self._rows_cancelled, self._failed, self)

    def _rows_cancelled(self, outcomes: tuple[RowCancel, ...]) -> None:
        self._finish()
        for outcome in outcomes:
            position = self.model.position_of(outcome.queue_id, outcome.account)
            if position < 0 or outcome.status is None:
                continue
            old = self.model.row(position)
            self.model.replace_row(position, FoundCall(outcome.status, old.scheduled_utc, old.account))
            self._place_button(position)
        self._update_selection_button()
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
