"""The local history journal: every schedule and cancel, in SQLite.

Each record says when, which OS user, which account *name* (never the key), what was done, with
which inputs, and what came of it. Writes are single transactions in WAL mode with full sync, so
a crash (even kill -9) mid-write leaves a readable journal. Any failure raises `HistoryError` with
a plain message; callers show it and carry on (history must never stop a cancel).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..service.redaction import redact

if TYPE_CHECKING:
    import sqlite3

# The history's format: MIGRATIONS[n] turns a file of version n (PRAGMA user_version) into version
# n + 1. Append steps; never edit one that has shipped (a file made by it exists on someone's disk).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 0 -> 1: the journal, as the first release made it. IF NOT EXISTS: that release created the table
    # and set the version in two steps, so a file from a crash between them has the table at version 0.
    (
        """CREATE TABLE IF NOT EXISTS records (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            when_utc TEXT NOT NULL,
            os_user TEXT NOT NULL,
            account TEXT NOT NULL,
            action TEXT NOT NULL,
            inputs TEXT NOT NULL,
            outcome TEXT NOT NULL,
            reference_id TEXT NOT NULL DEFAULT '',
            queue_id INTEGER,
            count INTEGER,
            message TEXT NOT NULL DEFAULT ''
        )""",
    ),
    # 1 -> 2: indexes for what the app asks on every cancel confirmation and watch round (a booked
    # QueueID; an account's reference IDs; the recent outcomes), so a years-long history stays quick.
    (
        "CREATE INDEX IF NOT EXISTS records_by_queue_id ON records (queue_id)",
        "CREATE INDEX IF NOT EXISTS records_by_account_reference ON records (account, reference_id)",
        "CREATE INDEX IF NOT EXISTS records_by_action_time ON records (action, when_utc)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
ACTIONS = {
    "schedule": "Schedule call",
    "cancel_reference": "Cancel by reference ID",
    "cancel_queue": "Cancel one call",
    "outcome": "Call outcome",  # how a call booked here ended, written by the watch list (record_outcome)
}  # look-ups change nothing and are not recorded
OUTCOMES = ("ok", "error", "unknown")  # "unknown": the answer was lost (e.g. a timed-out schedule)
WATCH_ENDED = timedelta(hours=24)  # the watch list keeps calls that ended this recently
WATCH_BOOKED = timedelta(days=62)  # and follows calls booked this recently
CSV_COLUMNS = [
    "when_utc",
    "os_user",
    "account",
    "action",
    "reference_id",
    "queue_id",
    "count",
    "outcome",
    "message",
    "inputs",
]


class HistoryError(Exception):
    """`str(error)` is a plain message for the user."""

    title = "The history is unavailable"


class Record(NamedTuple):
    id: int
    when_utc: datetime
    os_user: str
    account: str
    action: str
    inputs: dict
    outcome: str
    reference_id: str = ""
    queue_id: int | None = None
    count: int | None = None  # type: ignore[assignment]  # a field, as meant: it hides tuple.count
    message: str = ""

    @property
    def action_label(self) -> str:
        return ACTIONS.get(self.action, self.action)


def _record(row: tuple[Any, ...]) -> Record:
    """A Record from a row of "SELECT id, when_utc, os_user, account, action, inputs, outcome,
    reference_id, queue_id, count, message"."""
    return Record(
        id=row[0],
        when_utc=datetime.fromisoformat(row[1]),
        os_user=row[2],
        account=row[3],
        action=row[4],
        inputs=json.loads(row[5]),
        outcome=row[6],
        reference_id=row[7],
        queue_id=row[8],
        count=row[9],
        message=row[10],
    )


def _header_version(path: Path) -> int:
    """The version in an existing history file's header (bytes 60-63 of an SQLite file), read without
    SQLite: a file from a newer app is refused before SQLite opens it and makes its -wal and -shm
    files. 0 when there is no file yet or it is not an SQLite file (SQLite then says what is wrong)."""
    try:
        with path.open("rb") as file:
            header = file.read(100)
    except OSError:
        return 0
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return 0
    return int.from_bytes(header[60:64], "big", signed=True)  # SQLite's user_version is signed


def _close(connection: sqlite3.Connection | None) -> None:
    if connection is not None:
        connection.close()


def _os_user() -> str:
    import getpass  # here: the first paint does not need it

    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers and services
        return "unknown"


class History:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    @contextmanager
    def _database(self) -> Iterator[sqlite3.Connection]:
        """The connection, opened on first use, under the lock; SQLite's errors become a
        `HistoryError` in plain words."""
        import sqlite3  # on first use: the first paint does not need it

        with self._lock:
            try:
                yield self._connect()
            except sqlite3.DatabaseError as exc:
                raise HistoryError(self._explain(exc)) from None

    def _connect(self) -> sqlite3.Connection:
        import sqlite3

        if self._connection is not None:
            return self._connection
        self._refuse_a_newer_history(_header_version(self.path))
        connection = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, check_same_thread=False, timeout=5, isolation_level=None)
            connection.execute("PRAGMA synchronous=FULL")
            self._migrate(connection)
            connection.execute("PRAGMA journal_mode=WAL")  # after the check: a refused file is not touched
            connection.execute("SELECT count(*) FROM records").fetchone()
        except OSError:
            _close(connection)
            raise HistoryError(
                f"The history file could not be opened ({self.path}). Check that the folder exists and is writable. "
                "You can still schedule and cancel calls; they will not be recorded until this is fixed."
            ) from None
        except BaseException:
            _close(connection)
            raise
        self._connection = connection
        return connection

    def _migrate(self, connection: sqlite3.Connection) -> None:
        """Bring the file to SCHEMA_VERSION: every step from its version on, and the new version
        number, in one transaction (a failure or a crash leaves the file as it was). A file from a
        newer app is refused before anything is written."""
        import sqlite3

        connection.execute("BEGIN IMMEDIATE")  # also waits for another copy of the app that is migrating
        try:
            found = connection.execute("PRAGMA user_version").fetchone()[0]
            self._refuse_a_newer_history(found)
            if found < 0:  # no version of this app writes that
                raise HistoryError(self._explain(sqlite3.DatabaseError("file is not a database")))
            for step in MIGRATIONS[found:]:
                for statement in step:
                    connection.execute(statement)
            if found != SCHEMA_VERSION:
                connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def _refuse_a_newer_history(self, found: int) -> None:
        if found > SCHEMA_VERSION:
            raise HistoryError(
                "This history was written by a newer version of Voice Broadcast Desk (history format "
                f"{found}; this version reads formats up to {SCHEMA_VERSION}), so this version leaves it "
                f"as it is ({self.path}). Install the newer version again to see and add to it. You can "
                "still schedule and cancel calls, but they will not be recorded here."
            )

    def _explain(self, exc: sqlite3.DatabaseError) -> str:
        text = str(exc).lower()
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            problem = "is damaged"
        elif "readonly" in text or "unable to open" in text or "permission" in text:
            problem = "cannot be written"
        else:
            problem = "cannot be used right now"
        return (
            f"The history file {problem} ({self.path}). You can still schedule and cancel calls, "
            "but they will not be recorded until this is fixed. Move the file aside to start a new history."
        )

    def record(
        self,
        *,
        account: str,
        action: str,
        inputs: dict,
        outcome: str,
        reference_id: str = "",
        queue_id: int | None = None,
        count: int | None = None,
        message: str = "",
        when: datetime | None = None,
    ) -> int:
        if action not in ACTIONS or outcome not in OUTCOMES:
            raise ValueError(f"unknown action {action!r} or outcome {outcome!r}")
        when = (when or datetime.now(UTC)).astimezone(UTC)
        row = (
            when.isoformat(timespec="milliseconds"),
            _os_user(),
            account,
            action,
            redact(json.dumps(inputs, ensure_ascii=False, sort_keys=True)),
            outcome,
            reference_id,
            queue_id,
            count,
            redact(message),
        )
        with self._database() as connection, connection:  # one transaction
            connection.execute("BEGIN IMMEDIATE")
            cursor = connection.execute(
                "INSERT INTO records (when_utc, os_user, account, action, inputs, outcome, reference_id,"
                " queue_id, count, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        row_id = cursor.lastrowid
        assert row_id is not None  # sqlite3 sets it after every one-row INSERT
        return row_id

    def records(self, limit: int = 5000) -> list[Record]:
        """Newest first."""
        with self._database() as connection:
            rows = connection.execute(
                "SELECT id, when_utc, os_user, account, action, inputs, outcome, reference_id, queue_id,"
                " count, message FROM records ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [_record(row) for row in rows]

    def booked_queue_ids(self) -> set[int]:
        """Every QueueID a recorded schedule got back."""
        with self._database() as connection:
            rows = connection.execute(
                "SELECT queue_id FROM records WHERE action = 'schedule' AND queue_id IS NOT NULL"
            ).fetchall()
        return {row[0] for row in rows}

    def scheduled_times(self, queue_ids: Iterable[int]) -> dict[int, datetime]:
        """When calls booked from this app were scheduled for (the service's status has no such field)."""
        wanted = list(dict.fromkeys(int(q) for q in queue_ids))
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        with self._database() as connection:
            rows = connection.execute(
                f"SELECT queue_id, inputs FROM records WHERE action = 'schedule' AND queue_id IN ({marks})",
                wanted,
            ).fetchall()
        times = {}
        for queue_id, inputs in rows:
            text = json.loads(inputs).get("scheduled_utc", "")
            try:
                times[queue_id] = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                continue
        return times

    # -- call outcomes and the watch list ----------------------------------------------------------
    # An outcome record: action "outcome", the call's queue_id, account and reference_id; outcome
    # "ok" (answered or cancelled) or "error" (not answered, busy, failed); message in plain words
    # ("Answered by a machine, 0:08"); inputs {"final", "code", "answered_by", "duration_seconds",
    # "digits", "tries", "ended_utc"} (see desktop_app/watch.py). Append-only: the latest one wins.

    def record_outcome(
        self, *, account: str, queue_id: int, outcome: str, message: str, inputs: dict, reference_id: str = ""
    ) -> int:
        return self.record(
            account=account,
            action="outcome",
            inputs=inputs,
            outcome=outcome,
            reference_id=reference_id,
            queue_id=queue_id,
            message=message,
        )

    def _select(self, where: str, params: tuple) -> list[Record]:
        with self._database() as connection:
            rows = connection.execute(
                "SELECT id, when_utc, os_user, account, action, inputs, outcome, reference_id, queue_id,"
                f" count, message FROM records WHERE {where} ORDER BY id",
                params,
            ).fetchall()
        return [_record(row) for row in rows]

    def watch_list(
        self, now: datetime, ended_within: timedelta = WATCH_ENDED, booked_within: timedelta = WATCH_BOOKED
    ) -> list[tuple[Record, Record | None]]:
        """The calls booked here (schedule records with a QueueID, booked within `booked_within`)
        that have no outcome yet or whose outcome was recorded within `ended_within`: (booking,
        latest outcome or None), oldest booking first. Rebuilds the watch list after a restart."""
        since = (now - booked_within).astimezone(UTC).isoformat(timespec="milliseconds")
        booking = "action = 'schedule' AND outcome = 'ok' AND queue_id IS NOT NULL AND when_utc >= ?"
        booked = self._select(booking, (since,))
        latest = {r.queue_id: r for r in self._select("action = 'outcome' AND when_utc >= ?", (since,))}
        bookings = {r.queue_id: r for r in booked}  # a QueueID booked (or confirmed) twice: the last record
        return [
            (booking, latest.get(queue_id))
            for queue_id, booking in sorted(bookings.items(), key=lambda item: item[1].id)
            if queue_id not in latest or latest[queue_id].when_utc >= now - ended_within
        ]

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    # -- what this desk booked under a reference ID, or as one QueueID (the cancel confirmations) ----

    def bookings_with_reference(self, account: str, reference_id: str) -> list[ReferenceBookings]:
        """The calls this desk booked on `account` under `reference_id` or under a reference ID that
        differs from it only in capitals or spaces: one `ReferenceBookings` per spelling, the exact
        one first, then the most recently booked. Booked: a schedule record with a QueueID (a call
        booked and then confirmed counts once)."""
        wanted = reference_key(reference_id)
        if not wanted:
            return []
        found = [b for b in self.booked_references(account) if reference_key(b.reference_id) == wanted]
        found.sort(key=lambda b: b.last_booked, reverse=True)
        found.sort(key=lambda b: b.reference_id != reference_id)  # stable: the exact spelling first
        return found

    def booked_references(self, account: str) -> list[ReferenceBookings]:
        """Every reference ID this desk booked calls under on `account`, with the count and the
        last booking."""
        with self._database() as connection:
            rows = connection.execute(
                "SELECT reference_id, count(DISTINCT queue_id), max(when_utc) FROM records"
                " WHERE action = 'schedule' AND outcome = 'ok' AND queue_id IS NOT NULL AND account = ?"
                " AND reference_id != '' GROUP BY reference_id",
                (account,),
            ).fetchall()
        return [ReferenceBookings(ref, count, datetime.fromisoformat(last)) for ref, count, last in rows]

    def booking(self, queue_id: int) -> Record | None:
        """The latest schedule record that got this QueueID back (None: not a call this desk booked)."""
        found = self._select("action = 'schedule' AND outcome = 'ok' AND queue_id = ?", (queue_id,))
        return found[-1] if found else None


def reference_key(reference_id: str) -> str:
    """A reference ID without its capitals and spaces: two spellings with the same key are "the
    same letters" to a person, whatever the service makes of them."""
    return "".join(reference_id.split()).casefold()


class ReferenceBookings(NamedTuple):
    """Calls this desk booked on one account under one spelling of a reference ID."""

    reference_id: str  # as booked
    count: int  # type: ignore[assignment]  # calls (distinct QueueIDs); a field, as meant: it hides tuple.count
    last_booked: datetime  # when the last of them was booked (UTC)


def export_csv(records: Iterable[Record], path: Path) -> int:
    """Write records to a spreadsheet-safe CSV (see csv_export). Returns the count."""
    from .csv_export import write_csv  # only when the user exports

    return write_csv(
        path,
        CSV_COLUMNS,
        (
            [
                record.when_utc.isoformat(timespec="seconds"),
                record.os_user,
                record.account,
                record.action_label,
                record.reference_id,
                "" if record.queue_id is None else record.queue_id,
                "" if record.count is None else record.count,
                record.outcome,
                record.message,
                json.dumps(record.inputs, ensure_ascii=False, sort_keys=True),
            ]
            for record in records
        ),
    )
