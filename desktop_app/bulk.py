"""Bulk cancels without Qt: clean a pasted list, then run it with bounded concurrency.

`parse_list` turns pasted text (one per line, or separated by commas or semicolons) into valid,
de-duplicated values, and keeps every duplicate and invalid line with its reason: nothing is
dropped silently. `BulkRun` sends them with exactly `concurrency` worker threads, so no more than
that many requests are ever in flight; `stop()` sends nothing more and lets the requests already
sent finish (their results are reported and recorded like any other).
"""

from __future__ import annotations

import csv
import io
import queue
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from .service import InvalidInput
from .service import validation as check

Kind = Literal["reference", "queue"]
SEPARATORS = re.compile(r"[\n\r,;]+")
DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 16
MAX_ITEMS = 10_000
CSV_COLUMN_NAMES = {
    "reference": ("reference_id", "referenceid", "reference", "ref"),
    "queue": ("queue_id", "queueid", "queue"),
}


@dataclass(frozen=True)
class Rejected:
    position: int  # 1-based position in the pasted list
    text: str
    reason: str


@dataclass
class ParsedList:
    kind: Kind
    values: list[str] = field(default_factory=list)  # normalised, unique, in order
    duplicates: list[Rejected] = field(default_factory=list)
    invalid: list[Rejected] = field(default_factory=list)

    @property
    def summary(self) -> str:
        noun = "reference ID" if self.kind == "reference" else "QueueID"
        parts = [f"{len(self.values)} {noun}{'' if len(self.values) == 1 else 's'} ready"]
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} duplicate{'' if len(self.duplicates) == 1 else 's'} removed")
        if self.invalid:
            parts.append(f"{len(self.invalid)} not valid (listed below, not sent)")
        return ", ".join(parts) + "."


def normalise(kind: Kind, text: str) -> str:
    """The value as it is sent; raises InvalidInput."""
    if kind == "reference":
        return check.reference_id(text)
    return str(check.queue_id(text))


def parse_list(text: str, kind: Kind) -> ParsedList:
    parsed = ParsedList(kind)
    seen: set[str] = set()
    pieces = [p for p in SEPARATORS.split(text or "") if p.strip()]
    for position, piece in enumerate(pieces, start=1):
        shown = piece.strip()[:80]
        if position > MAX_ITEMS:
            parsed.invalid.append(Rejected(position, shown, f"More than {MAX_ITEMS} entries: split the list."))
            continue
        try:
            value = normalise(kind, piece)
        except InvalidInput as error:
            parsed.invalid.append(Rejected(position, shown, error.message))
            continue
        if value in seen:
            parsed.duplicates.append(Rejected(position, shown, "Already in the list."))
            continue
        seen.add(value)
        parsed.values.append(value)
    return parsed


def csv_to_text(data: str, kind: Kind) -> str:
    """The cells to cancel from a CSV file: the column named like a reference ID / QueueID when
    there is a header, else the first column."""
    rows = [row for row in csv.reader(io.StringIO(data.lstrip("\ufeff"))) if any(cell.strip() for cell in row)]
    if not rows:
        return ""
    header = [cell.strip().lower().replace(" ", "_") for cell in rows[0]]
    column = next((header.index(name) for name in CSV_COLUMN_NAMES[kind] if name in header), None)
    if column is not None:
        rows = rows[1:]
    else:
        column = 0
    return "\n".join(row[column] for row in rows if len(row) > column)


# -- running ------------------------------------------------------------------------------------


@dataclass
class BulkItem:
    index: int
    value: str
    state: str = "waiting"  # waiting, sending, cancelled, nothing, failed, not sent
    count: int = 0
    message: str = ""

    @property
    def finished(self) -> bool:
        return self.state in ("cancelled", "nothing", "failed")


@dataclass(frozen=True)
class BulkTotals:
    total: int
    done: int
    cancelled_rows: int
    nothing_rows: int
    failed_rows: int
    calls_cancelled: int
    not_sent: int

    @property
    def credit_notice(self) -> str:
        if self.calls_cancelled == 0:
            return "Nothing was cancelled, so there is no credit."
        calls = "call" if self.calls_cancelled == 1 else "calls"
        return f"Your account is credited for the {self.calls_cancelled} cancelled {calls}."


def totals(items: list[BulkItem]) -> BulkTotals:
    return BulkTotals(
        total=len(items),
        done=sum(item.finished for item in items),
        cancelled_rows=sum(item.state == "cancelled" for item in items),
        nothing_rows=sum(item.state == "nothing" for item in items),
        failed_rows=sum(item.state == "failed" for item in items),
        calls_cancelled=sum(item.count for item in items if item.state == "cancelled"),
        not_sent=sum(item.state in ("waiting", "not sent") for item in items),
    )


class BulkRun:
    """Send `work(value) -> count` for every item with at most `concurrency` in flight.

    `on_update(item)` is called from the worker threads after each state change; `on_finished()`
    once, when every worker has stopped. Errors are kept per item; they never stop the run.
    """

    def __init__(
        self,
        items: list[BulkItem],
        work: Callable[[str], int],
        concurrency: int,
        on_update: Callable[[BulkItem], None],
        on_finished: Callable[[], None],
    ) -> None:
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise InvalidInput("concurrency", f"Choose from 1 to {MAX_CONCURRENCY} requests at a time.")
        self.items = items
        self.work = work
        self.concurrency = concurrency
        self.on_update = on_update
        self.on_finished = on_finished
        self.started_at = 0.0
        self._queue: queue.SimpleQueue[BulkItem] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._workers: list[threading.Thread] = []
        self._live = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        self.started_at = time.monotonic()
        for item in self.items:
            self._queue.put(item)
        workers = min(self.concurrency, len(self.items)) or 1
        self._live = workers
        self._workers = [
            threading.Thread(target=self._worker, name=f"bulk-cancel-{n}", daemon=True) for n in range(workers)
        ]
        for worker in self._workers:
            worker.start()

    def stop(self) -> None:
        """Send nothing more; requests already sent finish and are reported."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        for worker in self._workers:
            worker.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return not any(worker.is_alive() for worker in self._workers)

    def _worker(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                item.state = "sending"
                self.on_update(item)
                try:
                    count = self.work(item.value)
                except Exception as error:  # recorded per row; the run goes on
                    item.state, item.message = "failed", str(error) or type(error).__name__
                else:
                    item.count = count
                    item.state = "cancelled" if count > 0 else "nothing"
                self.on_update(item)
        finally:
            with self._lock:
                self._live -= 1
                last = self._live == 0
            if last:
                if self._stopping.is_set():
                    for item in self.items:
                        if item.state == "waiting":
                            item.state = "not sent"
                self.on_finished()

    def estimate_seconds_left(self) -> float | None:
        done = sum(item.finished for item in self.items)
        if done == 0:
            return None
        elapsed = time.monotonic() - self.started_at
        return elapsed / done * (len(self.items) - done)
