"""The whole `--self-test` against a bare script doing the same work.

    python bench/selftest.py [--runs 5]

Both run in a fresh process, offscreen, against the built-in sandbox: the self-test (the app's
window, controller, executor and pages, storing a key, scheduling a call and cancelling it by
reference ID) and a bare script that shows a QMainWindow and does the same schedule and cancel with
plain zeep (the bundled WSDL) on a thread. Median wall time of each, from compiled bytecode
(as_installed.py); target: self-test <= 1.5x.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from as_installed import environment

ROOT = Path(__file__).resolve().parent.parent
BARE = """
import threading, uuid
from datetime import datetime, timedelta, timezone
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
import zeep
from desktop_app.resources import wsdl_path
from desktop_app.sandbox import Sandbox

app = QApplication([])
window = QMainWindow()
window.resize(860, 680)
window.show()
sandbox = Sandbox("127.0.0.1", 0).start()
result = {}

def work():
    client = zeep.Client(str(wsdl_path()))
    service = client.create_service("{https://ws.esendex.us/NotifyWS/}PhoneNotifySoap", sandbox.url)
    key, reference = str(uuid.uuid4()), "bare-" + uuid.uuid4().hex[:8]
    request = {
        "PhoneNumberToDial": "7575550100", "TransferNumber": "", "VoiceID": 1, "CallerIDNumber": "",
        "CallerIDName": "", "TextToSay": "bare", "LicenseKey": key, "TryCount": 1, "NextTryInSeconds": 0,
        "UTCScheduledDateTime": datetime.now(timezone.utc) + timedelta(days=1), "TTSrate": 10,
        "TTSvolume": 100, "MaxCallLength": 0, "StatusChangePostUrl": "", "ReferenceID": reference,
    }
    booked = service.NotifyPhoneAdvanced(request)
    result["count"] = service.CancelNotifyByReferenceID(reference, key)
    result["queue_id"] = booked.QueueID

def done():
    if "count" in result:
        assert result["count"] == 1, result
        print("bare passed", result["queue_id"], flush=True)
        app.quit()
    else:
        QTimer.singleShot(5, done)

threading.Thread(target=work, daemon=True).start()
QTimer.singleShot(5, done)
app.exec()
sandbox.stop()
"""


def timed(command: list[str]) -> float:
    env = environment()
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    elapsed = time.perf_counter() - started
    if result.returncode != 0 or "passed" not in result.stdout:
        raise SystemExit(f"{command[:3]} failed: {result.stdout[-500:]} {result.stderr[-1500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    commands = {
        "bare script (QMainWindow + zeep on a thread)": [sys.executable, "-c", BARE],
        "voice-broadcast-desk --self-test": [sys.executable, "-m", "desktop_app", "--self-test"],
    }
    medians = {}
    for name, command in commands.items():
        timed(command)  # warm the file cache
        medians[name] = statistics.median(timed(command) for _ in range(args.runs))
    bare = medians["bare script (QMainWindow + zeep on a thread)"]
    print(f"schedule + cancel by reference ID against the built-in sandbox (median of {args.runs}, offscreen)")
    print(f"{'program':<48} | {'seconds':>7} | {'ratio':>5}")
    for name, seconds in medians.items():
        print(f"{name:<48} | {seconds:7.3f} | {seconds / bare:5.2f}")
    print("target: self-test <= 1.5 x the bare script")


if __name__ == "__main__":
    main()
