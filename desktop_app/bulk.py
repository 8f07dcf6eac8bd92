"""Bulk cancels without Qt: clean a pasted list, then run it with bounded concurrency.

`parse_list` turns pasted text (one per line, or separated by commas or semicolons) into valid,
de-duplicated values, and keeps every duplicate and invalid line with its reason: nothing is
dropped silently. `BulkRun` sends them on the app's one thread pool with never more than
`concurrency` requests in flight; `stop()` sends nothing more and lets the requests already sent
finish (their results are reported and recorded like any other). Progress is kept as running
counters (O(1) a row), and every report is an immutable snapshot, so no other thread ever reads
what the workers change.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from typing import Literal

from .service import InvalidInput
from .service import validation as check
from .service.reference_data import MAX_CONCURRENCY

Kind = Literal["reference", "queue"]
SEPARATORS = re.compile(r"[\n\r,;]+")
DEFAULT_CONCURRENCY = 4
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

FINISHED_STATES = ("cancelled", "nothing", "failed", "not found")


@dataclass(frozen=True)
class BulkItem:
    """One row of a run, as reported: a new snapshot replaces the old one at each change."""

    index: int  # 1-based row number
    value: str
    state: str = "waiting"  # waiting, sending, cancelled, nothing, failed, not sent, not found
    count: int = 0
    message: str = ""
    account: str = ""  # "All accounts": the account that owns this QueueID

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES


@dataclass(frozen=True)
class BulkTotals:
    total: int
    done: int
    cancelled_rows: int
    nothing_rows: int
    failed_rows: int
    calls_cancelled: int
    not_sent: int
    elapsed_seconds: float = 0.0
    not_found_rows: int = 0  # "All accounts": QueueIDs no account knows (never sent)

    @property
    def credit_notice(self) -> str:
        if self.calls_cancelled == 0:
            return "Nothing was cancelled, so there is no credit."
        calls = "call" if self.calls_cancelled == 1 else "calls"
        return f"Your account is credited for the {self.calls_cancelled} cancelled {calls}."

    @property
    def seconds_left(self) -> float | None:
        if self.done == 0:
            return None
        return self.elapsed_seconds / self.done * (self.total - self.done)


def totals(items: Sequence[BulkItem]) -> BulkTotals:
    """Totals of a finished list (the run itself keeps running counters instead)."""
    return BulkTotals(
        total=len(items),
        done=sum(item.finished for item in items),
        cancelled_rows=sum(item.state == "cancelled" for item in items),
        nothing_rows=sum(item.state == "nothing" for item in items),
        failed_rows=sum(item.state == "failed" for item in items),
        calls_cancelled=sum(item.count for item in items if item.state == "cancelled"),
        not_sent=sum(item.state in ("waiting", "not sent") for item in items),
        not_found_rows=sum(item.state == "not found" for item in items),
    )


@dataclass(frozen=True)
class BulkProgress:
    """What `on_update` receives: the row that changed and the totals right after."""

    item: BulkItem
    totals: BulkTotals


@dataclass(frozen=True)
class BulkOutcome:
    """What `on_finished` receives once: every row in its final state, and the totals."""

    items: tuple[BulkItem, ...]
    totals: BulkTotals
    stopped: bool


class BulkRun:
    """Send `work(value) -> count` for every item, never more than `concurrency` at a time.

    The requests go to `pool` one by one: a finished request hands its place to the next waiting
    item, so the pool's threads stay free for other work between requests. `on_update` is called
    from the workers after each change, `on_finished` once at the end. Errors are kept per row;
    they never stop the run.
    """

    def __init__(
        self,
        items: Sequence[BulkItem],
        work: Callable[[str], int],
        concurrency: int,
        pool: Executor,
        on_update: Callable[[BulkProgress], None],
        on_finished: Callable[[BulkOutcome], None],
    ) -> None:
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise InvalidInput("concurrency", f"Choose from 1 to {MAX_CONCURRENCY} at a time.")
        self._items = {item.index: replace(item, state="waiting", count=0, message="") for item in items}
        self._waiting = list(reversed(self._items))  # a stack of row numbers: pop() is the next row
        self.work, self.concurrency, self.pool = work, concurrency, pool
        self.on_update, self.on_finished = on_update, on_finished
        self.started_at = 0.0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._done = threading.Event()
        self._in_flight = 0
        self._counts = dict.fromkeys(("done", "cancelled", "nothing", "failed", "not found", "calls"), 0)

    def start(self) -> None:
        self.started_at = time.monotonic()
        with self._lock:
            first = [self._take() for _ in range(min(self.concurrency, len(self._waiting)))]
        if not first:
            self._finish()
        for index in first:
            self.pool.submit(self._send, index)

    def stop(self) -> None:
        """Send nothing more; requests already sent finish and are reported."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def _take(self) -> int:
        """Under the lock: the next waiting row, now in flight."""
        self._in_flight += 1
        return self._waiting.pop()

    def _totals(self) -> BulkTotals:
        """Under the lock: the running counters as an immutable snapshot."""
        c = self._counts
        return BulkTotals(
            total=len(self._items),
            done=c["done"],
            cancelled_rows=c["cancelled"],
            nothing_rows=c["nothing"],
            failed_rows=c["failed"],
            calls_cancelled=c["calls"],
            not_sent=len(self._items) - c["done"] - self._in_flight,
            elapsed_seconds=time.monotonic() - self.started_at,
            not_found_rows=c["not found"],
        )

    def _set(self, item: BulkItem) -> BulkProgress:
        """Under the lock: store the new snapshot and count it."""
        self._items[item.index] = item
        if item.finished:
            self._counts["done"] += 1
            self._counts[item.state] += 1
            self._counts["calls"] += item.count if item.state == "cancelled" else 0
        return BulkProgress(item, self._totals())

    def _give_back(self, index: int) -> None:
        """A row taken but not sent (the run was stopped): it waits again, and the last row out
        finishes the run (its waiting rows become "not sent")."""
        with self._lock:
            self._in_flight -= 1
            self._waiting.append(index)
            last = self._in_flight == 0
        if last:
            self._finish()

    def _send(self, index: int) -> None:
        if self._stopping.is_set():  # stopped while this row waited for a thread: never sent
            self._give_back(index)
            return
        with self._lock:
            progress = self._set(replace(self._items[index], state="sending"))
        self.on_update(progress)
        try:
            count = self.work(progress.item.value)
        except Exception as error:  # recorded per row; the run goes on
            done = replace(progress.item, state="failed", message=str(error) or type(error).__name__)
        else:
            done = replace(progress.item, state="cancelled" if count > 0 else "nothing", count=count)
        with self._lock:
            self._in_flight -= 1
            progress = self._set(done)
            following = self._take() if self._waiting and not self._stopping.is_set() else None
            last = following is None and self._in_flight == 0  # exactly one worker sees this
        self.on_update(progress)
        if following is not None:
            try:
                self.pool.submit(self._send, following)
            except RuntimeError:  # the pool was shut down (the app is closing): send nothing more
                self._stopping.set()
                self._give_back(following)
        if last:
            self._finish()

    def _finish(self) -> None:
        with self._lock:
            for index in self._waiting:
                self._items[index] = replace(self._items[index], state="not sent")
            self._waiting.clear()
            outcome = BulkOutcome(tuple(self._items.values()), self._totals(), self._stopping.is_set())
        self.on_finished(outcome)
        self._done.set()
