"""Closing the real app while a request hangs: the window goes at once, the process ends soon after
the request timeout, and what never answered is recorded as "outcome unknown" (bench/closing.py runs
the app in a child process; here with a keyring that never answers and a 1 s timeout)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from desktop_app.desk import ABANDONED_MESSAGE

ROOT = Path(__file__).resolve().parent.parent


def test_closing_during_a_hung_request_exits_and_records_outcome_unknown():
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "closing.py"),
            "--latency",
            "5",
            "--timeout",
            "1",
            "--stuck-keyring",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["visible_after_close"] is False
    assert report["exit_after_close_s"] < 10  # the timeout (1 s) + 1 s, with room for a loaded machine
    assert not report["returned_normally"] and report["exit_code"] == 0  # it did not wait for the hung thread
    assert report["records"] == [["closing-bench", "unknown", ABANDONED_MESSAGE]]
