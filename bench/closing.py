"""Closing the window while a request is slow: how fast the window goes, how long the process lives.

    python bench/closing.py [--latency 10] [--timeout 5] [--stuck-keyring]

Runs the real app (controller, window, executor, `app.finish`) in a child process against a sandbox
that answers after `--latency` seconds. A cancel by reference ID is sent, then the window is closed.
Prints how long `close()` kept the window on screen and when the process ended. With
`--stuck-keyring`, the request never gets its key (the keyring hangs), so it is still in flight when
the exit deadline passes: the cancel is then recorded as "outcome unknown" and the process exits.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, {root!r})
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from desktop_app.app import finish
from desktop_app.sandbox import Sandbox
from desktop_app.storage.history import History
from desktop_app.storage.profile import Profile
from desktop_app.storage.secrets import KeyStore
from desktop_app.storage.settings import Settings
from desktop_app.ui.controller import AppContext, AppController
from desktop_app.ui.gc_guard import collect_garbage_on_the_gui_thread
from desktop_app.ui.main_window import MainWindow
from tests.support import MemoryKeyring

class StuckKeyring(MemoryKeyring):
    def get_password(self, service, username):
        time.sleep(3600)

app = QApplication([])
collect_garbage_on_the_gui_thread()  # as app.main does
sandbox = Sandbox().start()
sandbox.faults.latency_seconds = {latency}
profile = Profile.isolated(Path({profile!r})).ensure()
keys = KeyStore(StuckKeyring() if {stuck} else MemoryKeyring())
keys.keep_for_session("Main office", "5a1e5d3c-0b7f-4c2e-9d8a-7e6f5a4b3c2d") if not {stuck} else None
settings = Settings(timeout_seconds={timeout}, accounts=["Main office"], default_account="Main office")
controller = AppController(AppContext(profile, settings, keys, History(profile.history_file), sandbox))
window = MainWindow(controller)
window.show()
report = {{}}

def cancel():
    page = window.cancel_page
    page.reference.setText("closing-bench")
    page.cancel_button.click()
    confirm_when_asked(page)

def confirm_when_asked(page):  # the page first asks the history what this desk booked
    box = page.findChild(QMessageBox)
    if box is None:
        QTimer.singleShot(20, lambda: confirm_when_asked(page))
        return
    next(b for b in box.buttons() if b.text() == "Cancel the calls").click()
    QTimer.singleShot(500, close)

def close():
    started = time.perf_counter()
    window.close()
    report["hidden_ms"] = (time.perf_counter() - started) * 1000
    report["visible_after_close"] = window.isVisible()
    report["closed_at"] = time.time()
    print(json.dumps(report), flush=True)

QTimer.singleShot(300, cancel)
app.exec()
code = finish(controller, 0)
print(json.dumps({{"returned": True}}), flush=True)
sys.exit(code)
"""


def run(latency: float, timeout: float, stuck: bool) -> dict:
    profile = tempfile.mkdtemp(prefix="vbd-close-")
    script = CHILD.format(root=str(ROOT), latency=latency, timeout=timeout, stuck=stuck, profile=profile)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    first = json.loads(process.stdout.readline())
    rest = process.stdout.read()
    process.wait(timeout + 30)
    ended = time.time()
    sys.path.insert(0, str(ROOT))
    from desktop_app.storage.history import History
    from desktop_app.storage.profile import Profile

    history = History(Profile.isolated(Path(profile)).history_file)
    records = [(r.reference_id, r.outcome, r.message) for r in history.records()]
    history.close()
    return {
        **first,
        "exit_after_close_s": ended - first["closed_at"],
        "returned_normally": '"returned": true' in rest,
        "exit_code": process.returncode,
        "records": records,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--stuck-keyring", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.latency, args.timeout, args.stuck_keyring)
    if args.json:
        print(json.dumps(result))
        return
    print(f"closing during a request with {args.latency:.0f} s latency, request timeout {args.timeout:.0f} s")
    print(f"window gone after close(): {result['hidden_ms']:.1f} ms (target < 100 ms)")
    print(f"process ended {result['exit_after_close_s']:.2f} s after the close (target <= the timeout + 1 s)")
    for reference_id, outcome, message in result["records"]:
        print(f"history: {reference_id} {outcome}: {message}")


if __name__ == "__main__":
    main()
