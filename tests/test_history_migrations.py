"""Upgrades lose nothing (issue 22): the history file carries its format in `PRAGMA user_version`
and `MIGRATIONS` brings an older file up to date in one transaction. A history written by the first
release's code is opened and every record found; a history from a newer app is refused in plain
words and left byte-for-byte as it was, and the app goes on working without it."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop_app.storage import history as history_module
from desktop_app.storage.history import MIGRATIONS, SCHEMA_VERSION, History, HistoryError
from tests.conftest import KEY_A, make_window

# The first release's history (schema 1), as its History._connect made it (commit 0b7a2c6, unchanged
# up to the release before migrations): WAL, full sync, this table, then user_version=1 on every open.
FIRST_RELEASE = [
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
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
    "PRAGMA user_version=1",
]
FIRST_RELEASE_INSERT = (
    "INSERT INTO records (when_utc, os_user, account, action, inputs, outcome, reference_id,"
    " queue_id, count, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
NEWER_APP_MESSAGE = "This history was written by a newer version of Voice Broadcast Desk"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def first_release_rows() -> list[tuple]:
    """Rows of every kind the first release wrote: each action and outcome, NULL QueueID and count,
    text outside ASCII, a long message."""
    rows = []
    for n in range(40):
        when = (T0 + timedelta(minutes=n)).isoformat(timespec="milliseconds")
        inputs = {"phone_number": f"757555{n:04d}", "scheduled_utc": (T0 + timedelta(hours=1)).isoformat()}
        rows.append((when, "amy", "Main office", "schedule", json.dumps(inputs, sort_keys=True), "ok", f"ref-{n % 7}",
                     4093000 + n, None, f"Booked — QueueID {4093000 + n}"))  # fmt: skip
    rows.append((T0.isoformat(timespec="milliseconds"), "bob", "Zürich Büro", "cancel_reference", "{}", "ok",
                 "ref-3", None, 5, "5 calls cancelled. " + "Credit " * 200))  # fmt: skip
    rows.append((T0.isoformat(timespec="milliseconds"), "bob", "Main office", "cancel_queue", '{"queue_id": 4093001}',
                 "error", "", 4093001, None, "The call is already in progress"))  # fmt: skip
    rows.append((T0.isoformat(timespec="milliseconds"), "amy", "Main office", "outcome", '{"final": true}', "ok",
                 "ref-2", 4093002, None, "Answered by a machine, 0:08"))  # fmt: skip
    rows.append((T0.isoformat(timespec="milliseconds"), "amy", "Main office", "schedule", "{}", "unknown", "lost",
                 None, None, "The answer was lost"))  # fmt: skip
    return rows


def write_first_release_history(path: Path) -> list[tuple]:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    for statement in FIRST_RELEASE:
        connection.execute(statement)
    rows = first_release_rows()
    for row in rows:
        connection.execute(FIRST_RELEASE_INSERT, row)
    connection.close()
    return rows


def user_version(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA user_version").fetchone()[0]
    finally:
        connection.close()


def indexes(path: Path) -> set[str]:
    connection = sqlite3.connect(path)
    try:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    finally:
        connection.close()


def folder_snapshot(folder: Path) -> dict[str, str]:
    """Every file in the folder (the history and any -wal, -shm or -journal beside it) by its bytes."""
    return {file.name: hashlib.sha256(file.read_bytes()).hexdigest() for file in sorted(folder.iterdir())}


def test_the_migrations_start_with_the_first_release_table():
    """A shipped step is never edited: step 0 -> 1 is the first release's table, word for word."""
    assert SCHEMA_VERSION == len(MIGRATIONS) == 2
    assert " ".join(MIGRATIONS[0][0].split()) == " ".join(FIRST_RELEASE[2].split())


def test_a_history_from_the_first_release_keeps_every_record(tmp_path):
    path = tmp_path / "history.sqlite3"
    rows = write_first_release_history(path)
    history = History(path)
    try:
        records = history.records()
        assert len(records) == len(rows)
        for record, row in zip(reversed(records), rows, strict=True):  # records(): newest first
            assert (
                record.when_utc.isoformat(timespec="milliseconds"),
                record.os_user,
                record.account,
                record.action,
                json.dumps(record.inputs, sort_keys=True),
                record.outcome,
                record.reference_id,
                record.queue_id,
                record.count,
                record.message,
            ) == row
        assert [r.id for r in records] == list(range(len(rows), 0, -1))
        # What the app asks of an upgraded history still works, and new records follow the old ones.
        assert history.booking(4093005).reference_id == "ref-5"
        assert [b.count for b in history.bookings_with_reference("Main office", "ref-3")] == [6]
        assert len(history.booked_queue_ids()) == 40
        new_id = history.record(account="Main office", action="cancel_reference", inputs={}, outcome="ok", count=0)
        assert new_id == len(rows) + 1
    finally:
        history.close()
    assert user_version(path) == SCHEMA_VERSION
    assert {"records_by_queue_id", "records_by_account_reference", "records_by_action_time"} <= indexes(path)
    reopened = History(path)
    try:
        assert len(reopened.records()) == len(rows) + 1  # a second open migrates nothing and loses nothing
    finally:
        reopened.close()


def test_a_first_release_file_left_at_version_0_by_a_crash_keeps_its_records(tmp_path):
    """The first release made the table, then set the version, in two steps: a crash between them
    left the table at version 0. Step 0 -> 1 keeps it."""
    path = tmp_path / "history.sqlite3"
    rows = write_first_release_history(path)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA user_version=0")
    connection.close()
    history = History(path)
    try:
        assert len(history.records()) == len(rows)
    finally:
        history.close()
    assert user_version(path) == SCHEMA_VERSION


def test_a_new_history_gets_the_current_format(tmp_path):
    path = tmp_path / "new" / "history.sqlite3"
    history = History(path)
    try:
        history.record(account="Main office", action="schedule", inputs={}, outcome="ok", queue_id=1)
        assert len(history.records()) == 1
    finally:
        history.close()
    assert user_version(path) == SCHEMA_VERSION
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        connection.close()


def test_a_failed_migration_changes_nothing(tmp_path, monkeypatch):
    """Every step and the new version number are one transaction: a step that fails takes back the
    steps before it, and the file keeps its version and its records."""
    path = tmp_path / "history.sqlite3"
    rows = write_first_release_history(path)
    broken = (*MIGRATIONS, ("CREATE INDEX records_by_os_user ON records (os_user)", "SELECT no_such_function()"))
    monkeypatch.setattr(history_module, "MIGRATIONS", broken)
    monkeypatch.setattr(history_module, "SCHEMA_VERSION", len(broken))
    history = History(path)
    with pytest.raises(HistoryError, match="cannot be used right now"):
        history.records()
    history.close()
    assert user_version(path) == 1
    assert not indexes(path) & {"records_by_queue_id", "records_by_os_user"}
    monkeypatch.undo()
    history = History(path)
    try:
        assert len(history.records()) == len(rows)  # the real migrations still work on it
    finally:
        history.close()


def write_newer_history(path: Path, journal_mode: str) -> None:
    """A history from a later app: a format this one does not know, with a change it cannot read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_first_release_history(path)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute(f"PRAGMA journal_mode={journal_mode}")
    connection.execute("ALTER TABLE records ADD COLUMN campaign TEXT NOT NULL DEFAULT ''")
    connection.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    connection.close()


@pytest.mark.parametrize("journal_mode", ["wal", "delete"])
def test_a_history_from_a_newer_app_is_refused_and_left_untouched(tmp_path, journal_mode):
    path = tmp_path / "data" / "history.sqlite3"
    write_newer_history(path, journal_mode)
    before = folder_snapshot(path.parent)
    history = History(path)
    for attempt in (
        history.records,
        lambda: history.record(account="Main office", action="schedule", inputs={}, outcome="ok"),
        lambda: history.booking(4093001),
    ):
        with pytest.raises(HistoryError) as refused:
            attempt()
        message = str(refused.value)
        assert message.startswith(NEWER_APP_MESSAGE)
        assert f"format {SCHEMA_VERSION + 1}" in message and str(path) in message
        assert "You can still schedule and cancel calls" in message
    history.close()
    assert folder_snapshot(path.parent) == before  # the same files, byte for byte: no -wal or -shm made


def test_a_newer_format_still_in_the_write_ahead_log_is_refused_too(tmp_path):
    """While a newer app runs, its format may be only in the -wal file, not yet in the file's header:
    the check inside the migration transaction refuses it, and writes nothing."""
    path = tmp_path / "history.sqlite3"
    rows = write_first_release_history(path)
    newer = sqlite3.connect(path, isolation_level=None)
    try:
        newer.execute("PRAGMA wal_autocheckpoint=0")
        newer.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
        assert int.from_bytes(path.read_bytes()[60:64], "big") == 1  # the header still says 1
        history = History(path)
        with pytest.raises(HistoryError, match=NEWER_APP_MESSAGE):
            history.records()
        history.close()
        assert newer.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert newer.execute("SELECT count(*) FROM records").fetchone()[0] == len(rows)
        assert not {name for (name,) in newer.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    finally:
        newer.close()


def test_the_app_keeps_working_with_a_history_from_a_newer_app(qtbot, tmp_path, app_sandbox, memory_keyring):
    """A cancel still runs and says its result; the window and the History page say why nothing is
    recorded; the newer app's file is not touched."""
    from tests.test_ui import cancel_via_ui

    path = tmp_path / "profile" / "data" / "history.sqlite3"
    write_newer_history(path, "wal")
    before = folder_snapshot(path.parent)
    window = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    try:
        text = cancel_via_ui(qtbot, window, "still-works")
        assert text.startswith("No calls were cancelled")
        assert window.notice.isVisible() and NEWER_APP_MESSAGE in window.notice.body.text()
        qtbot.waitUntil(lambda: window.history_page.problem.isVisibleTo(window.history_page))
        assert NEWER_APP_MESSAGE in window.history_page.problem.body.text()
    finally:
        window.close()
        window.controller.context.history.close()
    assert folder_snapshot(path.parent) == before


def test_a_negative_format_number_is_called_damaged_and_left_alone(tmp_path):
    path = tmp_path / "history.sqlite3"
    write_first_release_history(path)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA user_version=-1")
    connection.close()
    history = History(path)
    with pytest.raises(HistoryError, match="is damaged"):
        history.records()
    history.close()
    assert user_version(path) == -1 and not indexes(path)
