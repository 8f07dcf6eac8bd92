"""The sandbox's state file: training survives a restart (off unless a path is given).

The app's training mode passes a file in its profile's data folder (local_sandbox.py); tests and
benchmarks run without one and keep everything in memory. The file is JSON (UTF-8):

    {"format": "voice-broadcast-desk/training-sandbox", "version": 1,
     "next_queue_id": 4093253,
     "calls": [{"queue_id": 4093250, "owner": "<SHA-256 of the normalised key>",
                "phone_number": "7575551230", "scheduled_utc": "2030-01-01T12:01:00+00:00",
                "cancelled_utc": null, ...}],
     "ledgers": {"<SHA-256 of the normalised key>": {"scheduled": 1, ...}}}

A call is stored as booked (its times, not its status): the status is worked out from the clock
when it is asked for, so a call booked for 10:00 has rung when the sandbox is asked at 11:00.
No license key is ever written, only the one-way hash that owns each call.

Each write goes to a temporary file in the same folder (private to the user), flushed to disk,
then put in place with `os.replace`, so a reader or a crash sees the old file or the new one,
never half of one. A file that cannot be read or understood is set aside as `*.damaged` with a
warning in the sandbox's log, and the sandbox starts empty rather than failing.

One sandbox at a time keeps the file: it holds a lock (`*.lock`, released by the system when the
process ends, however it ends). A second one (the app started twice on one profile) reads the
calls but writes nothing, with a warning in its log, so neither overwrites the other's calls.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import tempfile
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from .accounts import Ledger
from .rules import Call

log = logging.getLogger(__name__)

FORMAT = "voice-broadcast-desk/training-sandbox"
VERSION = 1
DAMAGED_SUFFIX = ".damaged"
LOCK_SUFFIX = ".lock"
TEMPORARY_SUFFIX = ".tmp"
_TIMES = ("scheduled_utc", "created_utc", "cancelled_utc")
_TYPES: dict[str, type | tuple[type, ...]] = {
    "queue_id": int,
    "owner": str,
    "phone_number": str,
    "extension": str,
    "reference_id": str,
    "text_to_say": str,
    "voice_id": int,
    "caller_id": str,
    "caller_id_name": str,
    "attempts": int,
    "next_try_seconds": int,
    "max_call_length": int,
    "demo": bool,
}


class DamagedState(ValueError):
    """The file is not a state file this sandbox can read."""


@dataclass
class Snapshot:
    next_queue_id: int
    calls: list[Call] = field(default_factory=list)
    ledgers: dict[str, Ledger] = field(default_factory=dict)


def _time(value: object, name: str) -> datetime | None:
    if value is None and name == "cancelled_utc":
        return None
    if not isinstance(value, str):
        raise DamagedState(f"{name} is not a time")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise DamagedState(f"{name} has no time zone")
    return moment


def _call(item: object) -> Call:
    if not isinstance(item, dict):
        raise DamagedState("a call is not an object")
    values: dict[str, Any] = {}
    for name, kind in _TYPES.items():
        value = item.get(name)
        # bool is an int in Python: an int field must not accept true/false, nor the other way round
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise DamagedState(f"a call's {name} is missing or not a {getattr(kind, '__name__', kind)}")
        values[name] = value
    for name in _TIMES:
        values[name] = _time(item.get(name), name)
    return Call(**values)


def _ledger(item: object) -> Ledger:
    names = [f.name for f in fields(Ledger)]
    if not isinstance(item, dict) or not all(type(item.get(n)) is int for n in names):
        raise DamagedState("a ledger is not four counts")
    return Ledger(**{n: item[n] for n in names})


def decode(data: bytes) -> Snapshot:
    """A snapshot from the file's bytes; DamagedState if they are not one."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DamagedState(f"not JSON ({error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DamagedState("not a training sandbox state file")
    if document.get("version") != VERSION:
        raise DamagedState(f"version {document.get('version')!r}, expected {VERSION}")
    next_id, calls, ledgers = document.get("next_queue_id"), document.get("calls"), document.get("ledgers")
    if type(next_id) is not int or not isinstance(calls, list) or not isinstance(ledgers, dict):
        raise DamagedState("next_queue_id, calls or ledgers is missing")
    try:
        snapshot = Snapshot(next_id, [_call(c) for c in calls], {str(k): _ledger(v) for k, v in ledgers.items()})
    except (TypeError, ValueError, OverflowError) as error:  # e.g. fromisoformat on a bad time
        raise DamagedState(str(error)) from None
    if len({c.queue_id for c in snapshot.calls}) != len(snapshot.calls):
        raise DamagedState("two calls have the same QueueID")
    return snapshot


def encode(snapshot: Snapshot) -> bytes:
    calls = []
    for call in snapshot.calls:
        item = asdict(call)
        for name in _TIMES:
            item[name] = item[name].isoformat() if item[name] is not None else None
        calls.append(item)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "next_queue_id": snapshot.next_queue_id,
        "calls": calls,
        "ledgers": {owner: asdict(ledger) for owner, ledger in snapshot.ledgers.items()},
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _exclusive_lock(path: Path) -> IO[bytes] | None:
    """An open lock file this process alone holds, or None if another process holds it."""
    stream = open(path, "a+b")  # noqa: SIM115 (held open while the sandbox runs: that is the lock)
    try:
        if sys.platform == "win32":
            import msvcrt

            stream.seek(0)
            msvcrt.locking(stream.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        stream.close()
        return None
    return stream


class StateFile:
    """Where the sandbox keeps its state. `load()` once at start, `save()` after each change,
    `close()` at the end (it lets another sandbox keep the file)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.writable = False  # until `load()` holds the lock; never after a file it could not set aside
        self._lock: IO[bytes] | None = None
        self._save_failed = False

    def load(self) -> Snapshot | None:
        """Take the lock and read the file: what it holds, or None (no file yet, or a damaged one
        now set aside)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = _exclusive_lock(self.path.with_name(self.path.name + LOCK_SUFFIX))
        except OSError as error:
            log.warning("The training sandbox cannot keep its state in %s: %s", self.path, error)
            return None
        self.writable = self._lock is not None
        if self._lock is None:
            log.warning(
                "Another sandbox is keeping its state in %s: this one reads it but keeps nothing this session.",
                self.path,
            )
        else:
            self._remove_leftovers()
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            self._set_aside(f"it cannot be read ({type(error).__name__}: {error.strerror or error})")
            return None
        try:
            return decode(data)
        except DamagedState as error:
            self._set_aside(str(error))
            return None

    def close(self) -> None:
        self.writable = False
        if self._lock is not None:
            self._lock.close()  # closing releases the lock
            self._lock = None

    def _remove_leftovers(self) -> None:
        """Temporary files of a sandbox stopped in the middle of a write (it held the lock then)."""
        for leftover in self.path.parent.glob(f"{self.path.name}.*{TEMPORARY_SUFFIX}"):
            with contextlib.suppress(OSError):
                leftover.unlink()

    def _set_aside(self, why: str) -> None:
        if not self.writable:  # another sandbox keeps this file: not ours to move
            log.warning("The training sandbox's state file %s cannot be used (%s).", self.path, why)
            return
        target = self._free_damaged_name()
        try:
            os.replace(self.path, target)
        except OSError as error:
            self.writable = False
            log.warning(
                "The training sandbox's state file %s is damaged (%s) and could not be set aside (%s): "
                "the sandbox starts empty and keeps nothing this session.",
                self.path,
                why,
                error.strerror or error,
            )
            return
        log.warning(
            "The training sandbox's state file %s is damaged (%s): set aside as %s; the sandbox starts empty.",
            self.path,
            why,
            target.name,
        )

    def _free_damaged_name(self) -> Path:
        target = self.path.with_name(self.path.name + DAMAGED_SUFFIX)
        number = 2
        while target.exists():
            target = self.path.with_name(f"{self.path.name}.{number}{DAMAGED_SUFFIX}")
            number += 1
        return target

    def save(self, snapshot: Snapshot) -> None:
        """Write atomically. A failure is logged (once until a write succeeds), never raised: the
        sandbox goes on answering from memory."""
        if not self.writable:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(
                prefix=self.path.name + ".", suffix=TEMPORARY_SUFFIX, dir=self.path.parent
            )
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(encode(snapshot))
                    stream.flush()
                    os.fsync(stream.fileno())
                os.replace(temporary, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as error:
            if not self._save_failed:
                log.warning("The training sandbox could not save its state to %s: %s", self.path, error)
            self._save_failed = True
            return
        self._save_failed = False
