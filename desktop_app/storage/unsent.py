"""Bulk rows that were never sent. A bulk cancel stopped before its end (Stop, or the window
closed) keeps the rows it did not send here, in the profile beside the history, until they are
sent or discarded: after a restart the Bulk cancel page offers them again. No Qt.

The file is `unsent-bulk.json` in the profile's data folder (where `history.sqlite3` is):

    {"version": 1, "batches": [{"id": "9c1f03ab52e4", "account": "Main office",
      "kind": "reference", "all_accounts": false, "why": "closed",
      "when_utc": "2025-01-02T10:42:07.120+00:00", "values": ["appt-12", "appt-13"]}]}

One batch per run that left rows unsent, oldest first. It holds reference IDs or QueueIDs and the
account's name, never a key. Every change rewrites the whole file atomically (a temporary file,
flushed to disk, then renamed over it), so a crash leaves the old file or the new one, never half
of one. A file that cannot be read is moved aside (never overwritten) before a new one is written.

`record_not_sent` writes the history's record of a batch: one "cancel" record, outcome "error",
whose message says which rows were not sent and whose inputs list them all ("not_sent").
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from .history import History

log = logging.getLogger(__name__)

FILE_NAME = "unsent-bulk.json"
VERSION = 1
SHOWN_IN_MESSAGE = 10  # values named in the history's message; the inputs keep them all
Why = Literal["stopped", "closed"]
UnsentKind = Literal["reference", "queue"]
_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_LOCK = threading.Lock()


class UnsentError(Exception):
    """`str(error)` is a plain message for the user."""

    title = "The unsent rows could not be read"


@dataclass(frozen=True)
class UnsentRows:
    """The rows one bulk run did not send, in their list order."""

    id: str
    account: str
    kind: UnsentKind
    values: tuple[str, ...]
    when_utc: datetime
    why: Why  # "stopped": Stop was pressed; "closed": the window was closed during the run
    all_accounts: bool = False  # QueueIDs cancelled "In all accounts"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "account": self.account,
            "kind": self.kind,
            "all_accounts": self.all_accounts,
            "why": self.why,
            "when_utc": self.when_utc.astimezone(UTC).isoformat(timespec="milliseconds"),
            "values": list(self.values),
        }

    @classmethod
    def from_json(cls, data: Any) -> UnsentRows:
        """Raises ValueError, KeyError or TypeError when `data` is not a batch."""
        kind, why, values = data["kind"], data.get("why", "stopped"), data["values"]
        if kind not in ("reference", "queue") or not isinstance(values, list):
            raise ValueError("not a batch of unsent rows")
        when = datetime.fromisoformat(str(data["when_utc"]))
        return cls(
            id=str(data["id"]),
            account=str(data["account"]),
            kind=kind,
            values=tuple(str(value) for value in values),
            when_utc=when if when.tzinfo else when.replace(tzinfo=UTC),
            why="closed" if why == "closed" else "stopped",
            all_accounts=bool(data.get("all_accounts", False)),
        )


def _lock_for(path: Path) -> threading.Lock:
    """One lock per file in this process, whichever store (or window) uses it."""
    with _LOCKS_LOCK:
        return _LOCKS.setdefault(path.resolve(), threading.Lock())


class UnsentStore:
    """The unsent-rows file. Thread-safe; every method may wait on the disk (call it on a worker)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = _lock_for(path)

    @classmethod
    def beside(cls, history_file: Path) -> UnsentStore:
        return cls(history_file.with_name(FILE_NAME))

    def load(self) -> tuple[UnsentRows, ...]:
        """The batches, oldest first (none when there is no file). Raises UnsentError."""
        with self._lock:
            return self._read()

    def settle(self, remove: Collection[str] = (), add: UnsentRows | None = None) -> None:
        """One change: forget the batches `remove` (sent, or discarded) and keep `add` (a run's
        unsent rows). Raises OSError when the file cannot be written."""
        with self._lock:
            try:
                batches = list(self._read())
            except UnsentError:
                batches = []
                self._move_aside()
            kept = [batch for batch in batches if batch.id not in remove]
            if add is not None and add.values:
                kept.append(add)
            if kept == batches:
                return
            self._write(kept)

    def discard(self, batch_id: str) -> None:
        self.settle(remove=(batch_id,))

    def _read(self) -> tuple[UnsentRows, ...]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ()
        except (OSError, UnicodeDecodeError) as error:
            raise UnsentError(f"The list of unsent bulk rows ({self.path}) could not be read: {error}.") from None
        try:
            return tuple(UnsentRows.from_json(batch) for batch in json.loads(text)["batches"])
        except (ValueError, KeyError, TypeError):
            raise UnsentError(
                f"The list of unsent bulk rows ({self.path}) is damaged. It is kept as it is; "
                "the History page shows what was not sent."
            ) from None

    def _write(self, batches: list[UnsentRows]) -> None:
        if not batches:
            self.path.unlink(missing_ok=True)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        document = {"version": VERSION, "batches": [batch.to_json() for batch in batches]}
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    def _move_aside(self) -> None:
        """A file that cannot be read is kept for a person to look at, under another name."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.stem}.damaged-{stamp}{self.path.suffix}")
        try:
            os.replace(self.path, aside)
            log.warning("unreadable unsent-rows file moved to %s", aside)
        except FileNotFoundError:
            pass


def noun(kind: UnsentKind, count: int) -> str:
    """ "1 reference ID", "11 QueueIDs"."""
    word = "reference ID" if kind == "reference" else "QueueID"
    return f"{count} {word}{'' if count == 1 else 's'}"


def not_sent_message(batch: UnsentRows) -> str:
    """The history's words for a batch: which rows were not sent, and why."""
    count = len(batch.values)
    word = "reference ID" if batch.kind == "reference" else "QueueID"
    these = f"this {word} was" if count == 1 else f"these {count} {word}s were"
    if batch.why == "closed":
        why = f"Not sent: the window was closed during a bulk cancel, before {these} sent"
    else:
        why = f"Not sent: the bulk cancel was stopped before {these} sent"
    named = ", ".join(batch.values[:SHOWN_IN_MESSAGE])
    more = f" and {count - SHOWN_IN_MESSAGE} more" if count > SHOWN_IN_MESSAGE else ""
    return f"{why}: {named}{more}. Their calls were not cancelled; the Bulk cancel page offers them again."


def record_not_sent(history: History, batch: UnsentRows) -> None:
    """One history record for the batch (a cancel whose outcome is "error"). Raises HistoryError."""
    one = batch.values[0] if len(batch.values) == 1 else ""
    history.record(
        account=batch.account,
        action="cancel_reference" if batch.kind == "reference" else "cancel_queue",
        inputs={"not_sent": list(batch.values), "bulk_stopped": batch.why, "all_accounts": batch.all_accounts},
        outcome="error",
        reference_id=one if batch.kind == "reference" else "",
        queue_id=int(one) if batch.kind == "queue" and one else None,
        message=not_sent_message(batch),
        when=batch.when_utc,
    )
