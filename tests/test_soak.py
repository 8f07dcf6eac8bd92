"""Soak: 2,000 calls scheduled and cancelled through the app's Desk with 1 request in 10 failing;
after every lost answer is settled, the journal matches the sandbox's own ledger exactly, and the
app process's memory stays flat."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from desktop_app.sandbox import FaultPlan, Sandbox

REPO = Path(__file__).resolve().parent.parent
KEY = "5a1e5d3c-0b7f-4c2e-9d8a-7e6f5a4b3c2d"


def test_soak_journal_matches_the_ledger(tmp_path):
    plan = FaultPlan(fault_rate=0.1, seed=20261127)
    with Sandbox(faults=plan) as sandbox:
        process = subprocess.Popen(
            [
                sys.executable,
                str(REPO / "bench" / "soak.py"),
                "--url",
                sandbox.url,
                "--calls",
                "2000",
                "--journal",
                str(tmp_path / "history.sqlite3"),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert json.loads(process.stdout.readline()) == {"phase": "faults done"}
        plan.clear()
        process.stdin.write("go\n")
        process.stdin.flush()
        report = json.loads(process.stdout.readline())
        assert process.wait(60) == 0
        process.stdin.close()
        process.stdout.close()
        ledger = sandbox.state.ledger(KEY)
    print("soak:", json.dumps(report), "ledger:", ledger)
    assert report["errors_seen"] > 100  # the faults really happened
    assert report["journal_booked"] == ledger.scheduled
    assert report["journal_cancelled"] == ledger.cancelled == ledger.credited_calls
    during = report["rss_mb"][1:-1]  # every 200 calls, after the first 200 (warm-up)
    assert max(during) - during[0] < 10, f"memory grew: {report['rss_mb']}"
