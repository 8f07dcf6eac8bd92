"""The rows of a bulk cancel: one frozen `BulkItem` snapshot per pasted value, in list order.

Rows are never sorted: a row's position is its item's `index - 1`, so a progress report replaces
exactly one row without searching for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...bulk import BulkItem
from .table import Column, RowsModel

STATE_WORDS = {
    "waiting": "Waiting",
    "sending": "Sending…",
    "cancelled": "Cancelled",
    "nothing": "Nothing to cancel",
    "failed": "Failed",
    "not sent": "Not sent (stopped)",
}
VALUE_TITLE = "Reference ID / QueueID"


def state_words(item: BulkItem) -> str:
    return STATE_WORDS.get(item.state, item.state)


def calls_cancelled(item: BulkItem) -> str:
    """Only a finished, answered row has a count; a failed one has none (not 0)."""
    return str(item.count) if item.finished and item.state != "failed" else ""


COLUMNS = [
    Column[BulkItem]("#", lambda i: str(i.index), sort_key=lambda i: i.index),
    Column[BulkItem](VALUE_TITLE, lambda i: i.value, tooltip=lambda i: i.value),
    Column[BulkItem]("Result", state_words, failed=lambda i: i.state == "failed"),
    Column[BulkItem]("Calls cancelled", calls_cancelled, header_tip="Calls cancelled for this row"),
    Column[BulkItem]("Details", lambda i: i.message, tooltip=lambda i: i.message),
]


class BulkModel(RowsModel[BulkItem]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(COLUMNS, parent)

    def show_item(self, item: BulkItem) -> None:
        """One progress report: repaint that row only (O(1))."""
        self.replace_row(item.index - 1, item)

    def update_items(self, items: Iterable[BulkItem]) -> None:
        """Several rows at once (a run's start or outcome), with one repaint signal."""
        self.replace_rows((item.index - 1, item) for item in items)
