"""Soak: schedule and cancel many calls through the app's own Desk (client + journal) against a
sandbox that injects faults, then settle every lost answer by looking the call up.

    python bench/soak.py --url URL [--calls 2000] [--journal FILE]

The sandbox is started by the caller (tests/test_soak.py starts one with 1 fault in 10). The run
stops after the first phase and waits for a line on stdin before settling, so the caller can turn
the faults off first. Prints one JSON line: the journal's counts and the process's memory samples.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.desk import Desk
from desktop_app.service import PhoneNotifyClient, ServiceError, new_call_request
from desktop_app.storage.history import History
from desktop_app.storage.secrets import KeyStore
from tests.support import MemoryKeyring

if TYPE_CHECKING:
    from desktop_app.service import CallRequest

ACCOUNT = "Soak"
KEY = "5a1e5d3c-0b7f-4c2e-9d8a-7e6f5a4b3c2d"


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * 4096 / 1e6


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--journal", type=Path, default=Path(tempfile.mkdtemp()) / "history.sqlite3")
    return parser.parse_args()


@dataclass
class FaultPhase:
    """What the first phase lost: schedules whose outcome is unknown, cancels whose answer never came."""

    unknown_schedules: list[CallRequest] = field(default_factory=list)
    lost_cancels: list[str] = field(default_factory=list)  # reference IDs
    errors: int = 0


def schedule_and_cancel(desk: Desk, calls: int, memory: list[float]) -> FaultPhase:
    """Schedule each call for tomorrow and cancel it by its reference ID; a memory sample every 200 calls."""
    phase = FaultPhase()
    when = datetime.now(UTC) + timedelta(days=1)
    for i in range(calls):
        reference = f"soak-{i}"
        call = new_call_request(
            phone_number=f"757{2_000_000 + i:07d}", text_to_say="Soak test", scheduled=when, reference_id=reference
        )
        try:
            desk.schedule(ACCOUNT, call)
        except ServiceError as error:
            phase.errors += 1
            if error.outcome_unknown:
                phase.unknown_schedules.append(call)
        try:
            desk.cancel_by_reference_id(ACCOUNT, reference)
        except ServiceError:
            phase.errors += 1
            phase.lost_cancels.append(reference)
        if (i + 1) % 200 == 0:
            memory.append(round(rss_mb(), 1))
    return phase


def settle(desk: Desk, history: History, phase: FaultPhase) -> None:
    """Look up every schedule whose outcome was lost, then confirm every lost cancel of a booked call."""
    booked_by_reference = {}
    for call in phase.unknown_schedules:
        found = desk.confirm_schedule(ACCOUNT, call)
        if found is not None:
            booked_by_reference[call.reference_id] = found.queue_id
    for record in history.records(limit=10**6):
        if record.action == "schedule" and record.outcome == "ok" and record.queue_id:
            booked_by_reference.setdefault(record.reference_id, record.queue_id)
    for reference in phase.lost_cancels:
        if reference in booked_by_reference:
            desk.confirm_cancel(ACCOUNT, reference, booked_by_reference[reference])


def report(calls: int, phase: FaultPhase, history: History, seconds: float, memory: list[float]) -> dict:
    """The journal's counts after settling, beside what the first phase saw."""
    records = history.records(limit=10**6)
    return {
        "calls": calls,
        "errors_seen": phase.errors,
        "unknown_schedules": len(phase.unknown_schedules),
        "lost_cancels": len(phase.lost_cancels),
        "journal_booked": sum(r.action == "schedule" and r.outcome == "ok" for r in records),
        "journal_cancelled": sum(r.count or 0 for r in records if r.action == "cancel_reference" and r.outcome == "ok"),
        "journal_rows": len(records),
        "seconds": round(seconds, 1),
        "rss_mb": memory,
    }


def main() -> None:
    args = parse_args()
    keys = KeyStore(MemoryKeyring())
    keys.set(ACCOUNT, KEY)
    history = History(args.journal)
    desk = Desk(lambda: PhoneNotifyClient(args.url, timeout=10), keys, history)
    memory = [round(rss_mb(), 1)]  # before the first call, then every 200 calls
    started = time.monotonic()
    phase = schedule_and_cancel(desk, args.calls, memory)
    phase_seconds = time.monotonic() - started
    print(json.dumps({"phase": "faults done"}), flush=True)
    sys.stdin.readline()  # the caller turns the faults off

    settle(desk, history, phase)
    memory.append(round(rss_mb(), 1))  # after settling (the last sample, taken before the final count)
    print(json.dumps(report(args.calls, phase, history, phase_seconds, memory)), flush=True)


if __name__ == "__main__":
    main()
