"""Responsiveness and memory of the real window, with 200 ms of sandbox latency per request.

    python bench/responsiveness.py [--bulk 1000] [--concurrency 8]

Drives the main window offscreen (the sandbox runs in its own process) through a schedule, a cancel,
a look-up and a bulk cancel, and reports the longest gap between 10 ms timer ticks on the GUI
thread during each (target: under 50 ms). Then the resident memory of the idle app after start-up
and after the bulk run, against a bare PySide6 window.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

KEY = "5a1e5d3c-0b7f-4c2e-9d8a-7e6f5a4b3c2d"
BARE = """
import time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow(); window.resize(860, 680); window.show()
QTimer.singleShot(500, app.quit)
app.exec()
print(int(open("/proc/self/statm").read().split()[1]) * 4096)
"""


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 1e6


def wait(app: QApplication, condition, limit: float = 600) -> None:
    end = time.monotonic() + limit
    while not condition():
        if time.monotonic() > end:
            raise SystemExit("timed out")
        app.processEvents()
        time.sleep(0.001)


def confirm(app: QApplication, page) -> None:
    wait(app, lambda: any(b.isVisible() for b in page.findChildren(QMessageBox)))
    next(b for b in page.findChildren(QMessageBox) if b.isVisible()).buttons()[0].click()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bulk", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=200)
    args = parser.parse_args()
    from desktop_app.storage.history import History
    from desktop_app.storage.profile import Profile
    from desktop_app.storage.secrets import KeyStore
    from desktop_app.storage.settings import Settings
    from desktop_app.ui.controller import AppContext, AppController
    from desktop_app.ui.main_window import MainWindow
    from tests.stall import StallMeter
    from tests.support import MemoryKeyring

    sandbox = subprocess.Popen(
        [sys.executable, "-m", "desktop_app.sandbox", "--port", "0", "--latency-ms", str(args.latency_ms)],
        stdout=subprocess.PIPE,
        text=True,
    )
    url = re.search(r"(http://\S+)", sandbox.stdout.readline()).group(1)
    app = QApplication.instance() or QApplication([])
    profile = Profile.isolated(Path(tempfile.mkdtemp())).ensure()
    keys = KeyStore(MemoryKeyring())
    keys.set("Bench", KEY)
    settings = Settings(endpoint=url, accounts=["Bench"], default_account="Bench")
    window = MainWindow(AppController(AppContext(profile, settings, keys, History(profile.history_file))))
    window.resize(860, 680)
    window.show()
    wait(app, lambda: window.controller.store is not None and window.schedule_page.voice.count() > 0)
    wait(app, lambda: window.controller.executor.pending == 0)
    idle_rss = rss_mb()
    results = []
    try:
        page = window.schedule_page
        page.phone.setText("757-555-0100")
        page.text.setPlainText("Benchmark call")
        page.reference.setText("bench-1")
        with StallMeter() as meter:
            page.schedule_button.click()
            wait(app, lambda: not page.in_flight and page.result.kind)
        results.append(("schedule", meter.longest))

        cancel = window.cancel_page
        cancel.reference.setText("bench-1")
        cancel.cancel_button.click()
        confirm(app, cancel)
        with StallMeter() as meter:
            wait(app, lambda: not cancel.in_flight and cancel.result.kind)
        results.append(("cancel by reference ID", meter.longest))

        lookup = window.lookup_page
        lookup.query.setText("757-555-0100")
        with StallMeter() as meter:
            lookup.look_up()
            wait(app, lambda: not lookup.in_flight)
        results.append(("look up by number", meter.longest))

        bulk = window.bulk_page
        bulk.paste.setPlainText("\n".join(f"bulk-{i}" for i in range(args.bulk)))
        bulk.check()
        bulk.concurrency.setValue(args.concurrency)
        bulk.start_button.click()
        confirm(app, bulk)
        started = time.monotonic()
        with StallMeter() as meter:
            wait(app, lambda: bulk.run is None and bulk.result.kind)
        bulk_seconds = time.monotonic() - started
        results.append((f"bulk cancel, {args.bulk} rows at {args.concurrency} at a time", meter.longest))
        after_bulk_rss = rss_mb()
    finally:
        window.close()
        sandbox.terminate()
        sandbox.wait()
    bare = subprocess.run(
        [sys.executable, "-c", BARE],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    bare_rss = int(bare.stdout.split()[-1]) / 1e6
    print(f"longest GUI event-loop stall, {args.latency_ms:.0f} ms sandbox latency (target: under 50 ms)")
    print(f"{'action':<42} | {'longest stall (ms)':>18}")
    for name, longest in results:
        print(f"{name:<42} | {longest * 1000:18.1f}")
    print(f"(the bulk run took {bulk_seconds:.1f} s)")
    print(
        f"resident memory (MB): bare PySide6 window {bare_rss:.1f}; app idle after start-up {idle_rss:.1f} "
        f"(+{idle_rss - bare_rss:.1f}); after the bulk run {after_bulk_rss:.1f} (+{after_bulk_rss - bare_rss:.1f})"
    )


if __name__ == "__main__":
    main()
