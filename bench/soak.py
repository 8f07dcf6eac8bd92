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
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.desk import Desk
from desktop_app.service import PhoneNotifyClient, ServiceError, new_call_request
from desktop_app.storage.history import History
from desktop_app.storage.secrets import KeyStore
from tests.support import MemoryKeyring

ACCOUNT = "Soak"
KEY = "5a1e5d3c-0b7f-4c2e-9d8a-7e6f5a4b3c2d"


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * 4096 / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--journal", type=Path, default=Path(tempfile.mkdtemp()) / "history.sqlite3")
    args = parser.parse_args()
    keys = KeyStore(MemoryKeyring())
    keys.set(ACCOUNT, KEY)
    history = History(args.journal)
    desk = Desk(lambda: PhoneNotifyClient(args.url, timeout=10), keys, history)
    memory = [round(rss_mb(), 1)]  # before the first call, then every 200 calls
    unknown_schedules, lost_cancels, errors = [], [], 0
    started = time.monotonic()
    when = datetime.now(UTC) + timedelta(days=1)
    for i in range(args.calls):
        reference = f"soak-{i}"
        call = new_call_request(
            phone_number=f"757{2_000_000 + i:07d}", text_to_say="Soak test", scheduled=when, reference_id=reference
        )
        try:
            desk.schedule(ACCOUNT, call)
        except ServiceError as error:
            errors += 1
            if error.outcome_unknown:
                unknown_schedules.append(call)
        try:
            desk.cancel_by_reference_id(ACCOUNT, reference)
        except ServiceError:
            errors += 1
            lost_cancels.append(reference)
        if (i + 1) % 200 == 0:
            memory.append(round(rss_mb(), 1))
    phase_seconds = time.monotonic() - started
    print(json.dumps({"phase": "faults done"}), flush=True)
    sys.stdin.readline()  # the caller turns the faults off

    booked_by_reference = {}
    for call in unknown_schedules:
        found = desk.confirm_schedule(ACCOUNT, call)
        if found is not None:
            booked_by_reference[call.reference_id] = found.queue_id
    for record in history.records(limit=10**6):
        if record.action == "schedule" and record.outcome == "ok" and record.queue_id:
            booked_by_reference.setdefault(record.reference_id, record.queue_id)
    for reference in lost_cancels:
        if reference in booked_by_reference:
            desk.confirm_cancel(ACCOUNT, reference, booked_by_reference[reference])
    memory.append(round(rss_mb(), 1))  # after settling (the last sample, taken before the final count)
    records = history.records(limit=10**6)
    print(
        json.dumps(
            {
                "calls": args.calls,
                "errors_seen": errors,
                "unknown_schedules": len(unknown_schedules),
                "lost_cancels": len(lost_cancels),
                "journal_booked": sum(r.action == "schedule" and r.outcome == "ok" for r in records),
                "journal_cancelled": sum(
                    r.count or 0 for r in records if r.action == "cancel_reference" and r.outcome == "ok"
                ),
                "journal_rows": len(records),
                "seconds": round(phase_seconds, 1),
                "rss_mb": memory,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
