"""Find calls in all accounts: one look-up per account, at most ACCOUNTS_AT_ONCE at a time, all
through the controller's executor. The rows are merged with their account; an account whose
look-up failed gets one plain line ("Main office: could not reach the service")."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..models.calls import FoundCall
from ..models.table import plain_tip
from ..widgets import plain_label
from ..widgets.text_tones import TextTone, set_text_tone
from .lookup_jobs import ACCOUNTS_AT_ONCE, LookupMode, failure_line, find_calls, merge_accounts

if TYPE_CHECKING:
    from ..controller import AppController

Failures = tuple[tuple[str, str], ...]  # (line, tooltip) per failed account, in account order
Finished = Callable[[tuple[FoundCall, ...], Failures], None]


class AllAccountsLookup:
    """One run. `on_finished(rows, failures)` is called once, on the GUI thread. Each look-up goes
    through `controller.run` with `owner`: when the owner is deleted, the answers are dropped."""

    def __init__(
        self,
        controller: AppController,
        accounts: list[str],
        mode: LookupMode,
        query: str,
        owner: QObject,
        on_finished: Finished,
        at_once: int = ACCOUNTS_AT_ONCE,
    ) -> None:
        self.controller, self.mode, self.query, self.owner = controller, mode, query, owner
        self.accounts = list(accounts)
        self.on_finished = on_finished
        self.at_once = max(1, at_once)
        self.waiting = list(self.accounts)
        self.running = 0
        self.found: dict[str, tuple[FoundCall, ...]] = {}
        self.failed: dict[str, tuple[str, str]] = {}

    def start(self) -> None:
        if not self.accounts:
            self.on_finished((), ())
            return
        while self.waiting and self.running < self.at_once:
            self._next()

    def _next(self) -> None:
        account = self.waiting.pop(0)
        desk, mode, query = self.controller.desk, self.mode, self.query
        self.running += 1
        self.controller.run(
            lambda: find_calls(desk, account, mode, query),
            lambda rows: self._done(account, rows, None),
            lambda error: self._done(account, (), error),
            self.owner,
        )

    def _done(self, account: str, rows: tuple[FoundCall, ...], error: BaseException | None) -> None:
        self.running -= 1
        if error is None:
            self.found[account] = rows
        else:
            self.failed[account] = failure_line(account, error)
        if self.waiting:
            self._next()
        elif self.running == 0:
            merged = merge_accounts(self.found[a] for a in self.accounts if a in self.found)
            self.on_finished(merged, tuple(self.failed[a] for a in self.accounts if a in self.failed))


class FailureLines(QWidget):
    """One red plain line per account whose look-up failed; the whole message is its tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Accounts that could not be searched")
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(2)
        self.labels: list[QLabel] = []  # the lines shown, in order
        self.hide()

    @property
    def lines(self) -> list[str]:
        return [label.text() for label in self.labels]

    def show_failures(self, failures: Failures) -> None:
        for label in self.labels:
            self.box.removeWidget(label)
            label.deleteLater()
        self.labels = []
        for line, tip in failures:
            label = plain_label(line, word_wrap=True)
            set_text_tone(label, TextTone.ERROR)
            label.setToolTip(plain_tip(tip))
            label.setAccessibleName(line)
            self.box.addWidget(label)
            self.labels.append(label)
        self.setVisible(bool(failures))
