"""The rows of a bulk cancel: one frozen `BulkItem` snapshot per pasted value, in list order.

Rows are never sorted: a row's position is its item's `index - 1`, so a progress report replaces
exactly one row without searching for it. Details show plain words; the full text, with any
technical code, is in the cell's tooltip.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import Qt

from ...bulk import BulkItem, Kind
from .history import plain_words
from .table import Column, RowsModel

STATE_WORDS = {
    "waiting": "Waiting",
    "sending": "Sending…",
    "cancelled": "Cancelled",
    "nothing": "Nothing to cancel",
    "failed": "Failed",
    "not sent": "Not sent (stopped)",
    "not found": "Not found in any account",
}
VALUE_TITLES: dict[Kind, str] = {"reference": "Reference ID", "queue": "QueueID"}
ACCOUNT_TITLE = "Account"


def state_words(item: BulkItem) -> str:
    return STATE_WORDS.get(item.state, item.state)


def calls_cancelled(item: BulkItem) -> str:
    """Only a finished, answered row has a count; a failed or unfound one has none (not 0)."""
    return str(item.count) if item.state in ("cancelled", "nothing") else ""


COLUMNS = [
    Column[BulkItem](
        "#",
        lambda i: str(i.line or i.index),
        sort_key=lambda i: i.index,
        header_tip="The line in what you pasted (the spreadsheet's row)",
    ),
    Column[BulkItem](VALUE_TITLES["reference"], lambda i: i.value, tooltip=lambda i: i.value),
    Column[BulkItem](
        ACCOUNT_TITLE,
        lambda i: i.account,
        header_tip="The account whose call this is (All accounts): it was cancelled with that account",
    ),
    Column[BulkItem]("Result", state_words, failed=lambda i: i.state == "failed"),
    Column[BulkItem]("Calls cancelled", calls_cancelled, header_tip="Calls cancelled for this row"),
    Column[BulkItem]("Details", lambda i: plain_words(i.message), tooltip=lambda i: i.message),
]
VALUE_COLUMN = 1


class BulkModel(RowsModel[BulkItem]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(COLUMNS, parent)

    def set_kind(self, kind: Kind) -> None:
        """The value column's title says what the list holds ("Reference ID" or "QueueID")."""
        title = VALUE_TITLES[kind]
        if self.columns[VALUE_COLUMN].title != title:
            self.columns[VALUE_COLUMN] = self.columns[VALUE_COLUMN]._replace(title=title)
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, VALUE_COLUMN, VALUE_COLUMN)

    def show_item(self, item: BulkItem) -> None:
        """One progress report: repaint that row only (O(1))."""
        self.replace_row(item.index - 1, item)

    def update_items(self, items: Iterable[BulkItem]) -> None:
        """Several rows at once (a run's start or outcome), with one repaint signal."""
        self.replace_rows((item.index - 1, item) for item in items)
