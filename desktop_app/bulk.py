"""Bulk cancels without Qt: clean a pasted list, then run it with bounded concurrency.

`parse_paste` reads what people paste: a plain list (one per line, or separated by commas or
semicolons) or a table from a spreadsheet (tabs) or a CSV file (commas), of which one column is
taken, and a first line that looks like a header is skipped and reported. It returns valid,
de-duplicated values and keeps every duplicate and invalid entry with its reason and its pasted
line number (blank lines count, so they match the spreadsheet's rows): nothing is dropped
silently. `parse_list` is its plain-list part. `BulkRun` sends them on the app's one thread pool with never more than
`concurrency` requests in flight; `stop()` sends nothing more and lets the requests already sent
finish (their results are reported and recorded like any other). Progress is kept as running
counters (O(1) a row), and every report is an immutable snapshot, so no other thread ever reads
what the workers change.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from typing import Literal, NamedTuple

from .service import InvalidInput
from .service import validation as check
from .service.reference_data import MAX_CONCURRENCY

log = logging.getLogger(__name__)
Kind = Literal["reference", "queue"]
LINE_BREAKS = re.compile(r"\r\n|\r|\n")
PIECE_SEPARATORS = re.compile(r"[,;]")  # several values on one line of a plain list
DEFAULT_CONCURRENCY = 4
MAX_ITEMS = 10_000
CSV_COLUMN_NAMES = {
    "reference": ("reference_id", "referenceid", "reference", "ref"),
    "queue": ("queue_id", "queueid", "queue"),
}
# A pasted header's words (as `header_key` writes them: no case, spaces, _ - . : #).
KIND_HEADERS: dict[Kind, tuple[str, ...]] = {
    "reference": ("referenceid", "reference", "referenceids", "ref", "refid", "referenceno", "referencenumber"),
    "queue": ("queueid", "queue", "queueids", "queueno", "queuenumber", "qid"),
}
HEADER_WORDS = frozenset(
    (
        *KIND_HEADERS["reference"],
        *KIND_HEADERS["queue"],
        *("id", "ids", "callid", "bookingid", "appointmentid", "name", "customer", "phone", "phonenumber"),
        *("number", "telephone", "mobile", "account", "status", "date", "time", "notes"),
    )
)
HEADER_PUNCTUATION = re.compile(r"[\s_.:#-]+")


@dataclass(frozen=True)
class Rejected:
    position: int  # 1-based position among the list's entries (blank ones skipped)
    text: str
    reason: str
    # The pasted line number (blank lines count): what the page shows. Where the entry was, not
    # what it is: two rejections compare by position, text and reason, as before lines existed.
    line: int = field(default=0, compare=False)


def list_summary(kind: Kind, ready: int, duplicates: int, invalid: int) -> str:
    """ "3 reference IDs ready, 2 duplicates removed, 2 not valid (listed below, not sent)." """
    noun = "reference ID" if kind == "reference" else "QueueID"
    parts = [f"{ready} {noun}{'' if ready == 1 else 's'} ready"]
    if duplicates:
        parts.append(f"{duplicates} duplicate{'' if duplicates == 1 else 's'} removed")
    if invalid:
        parts.append(f"{invalid} not valid (listed below, not sent)")
    return ", ".join(parts) + "."


@dataclass
class ParsedList:
    """What `parse_list` found in a plain list (no table, no header)."""

    kind: Kind
    values: list[str] = field(default_factory=list)  # normalised, unique, in order
    duplicates: list[Rejected] = field(default_factory=list)
    invalid: list[Rejected] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return list_summary(self.kind, len(self.values), len(self.duplicates), len(self.invalid))


def normalise(kind: Kind, text: str) -> str:
    """The value as it is sent; raises InvalidInput."""
    if kind == "reference":
        return check.reference_id(text)
    return str(check.queue_id(text))


def _is_valid(kind: Kind, text: str) -> bool:
    try:
        normalise(kind, text)
    except InvalidInput:
        return False
    return True


def _lines(text: str) -> list[str]:
    """The pasted lines, as a text editor numbers them (blank ones too)."""
    return LINE_BREAKS.split(text or "")


def _list_entries(lines: Sequence[str], skip_line: int = 0) -> Iterator[tuple[int, str]]:
    """(line number, piece) for each non-blank piece of a plain list: one per line, or separated
    by commas or semicolons. `skip_line`: a header's line."""
    for number, line in enumerate(lines, start=1):
        if number != skip_line:
            yield from ((number, piece) for piece in PIECE_SEPARATORS.split(line) if piece.strip())


class Entries(NamedTuple):
    values: tuple[str, ...]  # normalised, unique, in order
    lines: tuple[int, ...]  # the pasted line of each value
    duplicates: tuple[Rejected, ...]
    invalid: tuple[Rejected, ...]


def _parse_entries(kind: Kind, entries: Iterable[tuple[int, str]]) -> Entries:
    """The (line number, text) entries read: normalised unique values in order with their lines,
    and every entry left out with its reason."""
    values: list[str] = []
    value_lines: list[int] = []
    duplicates: list[Rejected] = []
    invalid: list[Rejected] = []
    seen: set[str] = set()
    for position, (line, piece) in enumerate(entries, start=1):
        shown = piece.strip()[:80]
        if position > MAX_ITEMS:
            invalid.append(Rejected(position, shown, f"More than {MAX_ITEMS} entries: split the list.", line))
            continue
        try:
            value = normalise(kind, piece)
        except InvalidInput as error:
            invalid.append(Rejected(position, shown, error.message, line))
            continue
        if value in seen:
            duplicates.append(Rejected(position, shown, "Already in the list.", line))
            continue
        seen.add(value)
        values.append(value)
        value_lines.append(line)
    return Entries(tuple(values), tuple(value_lines), tuple(duplicates), tuple(invalid))


def parse_list(text: str, kind: Kind) -> ParsedList:
    """A plain list: one per line, or separated by commas or semicolons; no header, no columns
    (`parse_paste` reads what people paste)."""
    values, _lines_of_values, duplicates, invalid = _parse_entries(kind, _list_entries(_lines(text)))
    return ParsedList(kind, list(values), list(duplicates), list(invalid))


# -- pastes: a plain list, or a table from a spreadsheet (tabs) or a CSV file (commas) --------------


@dataclass(frozen=True)
class Columns:
    """A paste read as a table: how its columns were separated, their names (the header's cells,
    else "Column 2"), and the one whose cells were taken (0-based)."""

    separator: Literal["tabs", "commas"]
    names: tuple[str, ...]
    chosen: int


@dataclass(frozen=True)
class PastedList:
    """What `parse_paste` found: the values to send, and everything left out (duplicates, values
    that are not valid, a header line) with its pasted line number."""

    kind: Kind
    values: tuple[str, ...] = ()  # normalised, unique, in order
    duplicates: tuple[Rejected, ...] = ()
    invalid: tuple[Rejected, ...] = ()
    header: Rejected | None = None  # the line skipped as a header (position 0)
    columns: Columns | None = None  # None: a plain list
    lines: tuple[int, ...] = ()  # the pasted line of each value (empty for rows kept from a run)

    @property
    def header_note(self) -> str:
        """ "Line 1 looks like a header (Reference) and was skipped." ("" without one)"""
        if self.header is None:
            return ""
        return f"Line {self.header.line} looks like a header ({self.header.text}) and was skipped."

    @property
    def summary(self) -> str:
        counts = list_summary(self.kind, len(self.values), len(self.duplicates), len(self.invalid))
        return f"{counts} {self.header_note}" if self.header is not None else counts


def header_key(text: str) -> str:
    """A cell as a header word: "Reference ID", "reference_id" and "Ref #" read as one word."""
    return HEADER_PUNCTUATION.sub("", text.strip().strip('"').casefold())


def _cells(line: str, delimiter: str) -> list[str]:
    """The cells of one line of a table (quoted as spreadsheets and CSV files quote them)."""
    try:
        row = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # a stray quote or NUL: split it plainly
        row = line.split(delimiter)
    return [cell.strip() for cell in row]


def _is_header_cell(kind: Kind, cell: str, others: Sequence[str]) -> bool:
    """A header's cell: a known header word; or words (no digit) that are not a valid value while
    the others in its column are (a mistyped value has digits: it is reported as not valid)."""
    if header_key(cell) in HEADER_WORDS:
        return True
    filled = [other for other in others if other.strip()]
    return (
        bool(cell.strip() and filled)
        and not any(ch.isdigit() for ch in cell)
        and not _is_valid(kind, cell)
        and all(_is_valid(kind, other) for other in filled)
    )


def _has_header_cell(kind: Kind, first: Sequence[str], rest: Sequence[Sequence[str]]) -> bool:
    """A table's first row is a header when one of its cells is (`_is_header_cell`) in its column."""
    return any(
        _is_header_cell(kind, cell, [cells[index] if index < len(cells) else "" for cells in rest])
        for index, cell in enumerate(first)
    )


def _table_delimiter(kind: Kind, filled: Sequence[str]) -> str:
    """The cell delimiter: a tab for a spreadsheet paste, a comma for CSV rows, "" for a plain
    list. Comma rows are a table only when every line has the same number of cells (at least 2, no
    semicolons) and the first line is a header or some cell is not a valid value: a list of valid
    IDs written two to a line stays a list, so nothing in it is left out."""
    if any("\t" in line for line in filled):
        return "\t"
    if len(filled) < 2 or any(";" in line for line in filled):
        return ""
    rows = [_cells(line, ",") for line in filled]
    if len(rows[0]) < 2 or any(len(row) != len(rows[0]) for row in rows):
        return ""
    if any(header_key(cell) in HEADER_WORDS for cell in rows[0]):
        return ","
    return "," if any(cell and not _is_valid(kind, cell) for row in rows for cell in row) else ""


def _default_column(kind: Kind, header: Sequence[str]) -> int:
    """The column a header names for this kind ("Reference ID", "QueueID"), else the first."""
    keys = [header_key(cell) for cell in header]
    return next((keys.index(word) for word in KIND_HEADERS[kind] if word in keys), 0)


def parse_paste(text: str, kind: Kind, column: int | None = None) -> PastedList:
    """Read what was pasted: a plain list (one per line, or separated by commas or semicolons), or
    a table (cells separated by tabs, as a spreadsheet copies them, or CSV rows), whose `column`
    (0-based; by default the one its header names for `kind`, else the first) is taken. A first
    line that looks like a header is skipped and reported. Line numbers are the pasted lines."""
    lines = _lines(text)
    filled = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    delimiter = _table_delimiter(kind, [line for _, line in filled])
    if not delimiter:
        return _parse_plain(kind, lines, filled)
    rows = [(number, _cells(line, delimiter)) for number, line in filled]
    width = max(len(cells) for _, cells in rows)
    first_line, first = rows[0]
    named = any(header_key(cell) in HEADER_WORDS for cell in first)
    chosen = column if column is not None and 0 <= column < width else (_default_column(kind, first) if named else 0)
    cell_of = [(number, cells[chosen] if chosen < len(cells) else "") for number, cells in rows]
    is_header = named or _has_header_cell(kind, first, [cells for _, cells in rows[1:]])
    names = tuple(
        (first[index][:40] if is_header and index < len(first) and first[index] else f"Column {index + 1}")
        for index in range(width)
    )
    header = None
    if is_header:
        shown = (cell_of[0][1] or ", ".join(cell for cell in first if cell))[:80]
        header = Rejected(0, shown, "Looks like a header.", first_line)
        cell_of = cell_of[1:]
    entries = _parse_entries(kind, ((n, cell) for n, cell in cell_of if cell.strip()))
    separator: Literal["tabs", "commas"] = "tabs" if delimiter == "\t" else "commas"
    return PastedList(
        kind,
        entries.values,
        entries.duplicates,
        entries.invalid,
        header,
        Columns(separator, names, chosen),
        entries.lines,
    )


def _parse_plain(kind: Kind, lines: Sequence[str], filled: Sequence[tuple[int, str]]) -> PastedList:
    """A plain list whose first line may be a header: a header word, or a lone piece of words that
    is not valid while the rest are."""
    header = None
    if filled:
        number, line = filled[0]
        pieces = [piece for piece in PIECE_SEPARATORS.split(line) if piece.strip()]
        rest = [piece for _, piece in _list_entries(lines, skip_line=number)]
        words = bool(pieces) and all(header_key(piece) in HEADER_WORDS for piece in pieces)  # ',,' has none
        if header_key(line) in HEADER_WORDS or words or (len(pieces) == 1 and _is_header_cell(kind, pieces[0], rest)):
            header = Rejected(0, line.strip()[:80], "Looks like a header.", number)
    entries = _parse_entries(kind, _list_entries(lines, header.line if header else 0))
    return PastedList(kind, entries.values, entries.duplicates, entries.invalid, header, lines=entries.lines)


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
    line: int = 0  # its line in what was pasted (0: not pasted), the number shown to the user

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
        self._hooks: list[Callable[[BulkOutcome], None]] = []
        self._outcome: BulkOutcome | None = None

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

    def when_finished(self, hook: Callable[[BulkOutcome], None]) -> None:
        """Also call `hook(outcome)` once the run has ended, on the worker that ends it and before
        `on_finished`: for what must be done even when nobody is listening any more (the window
        was closed and the app is exiting). A run that has already ended calls it on the pool."""
        with self._lock:
            if self._outcome is None:
                self._hooks.append(hook)
                return
            outcome = self._outcome
        try:
            self.pool.submit(hook, outcome)
        except RuntimeError:  # the pool was shut down: here, then
            hook(outcome)

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
            outcome = self._outcome = BulkOutcome(tuple(self._items.values()), self._totals(), self._stopping.is_set())
            hooks, self._hooks = self._hooks, []
        for hook in hooks:
            try:
                hook(outcome)
            except Exception:  # a hook's failure is logged; the outcome is still delivered
                log.exception("a bulk run's finishing hook failed")
        self.on_finished(outcome)
        self._done.set()
