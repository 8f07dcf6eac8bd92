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
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from tests.stall import StallMeter  # noqa: E402

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


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bulk", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=200)
    return parser.parse_args()


def window_opener() -> Callable[[str], Any]:
    """Import the app now (before the sandbox starts, so a failed import leaves no process behind) and
    return what opens its main window, with one account, on a sandbox URL."""
    from desktop_app.storage.history import History
    from desktop_app.storage.profile import Profile
    from desktop_app.storage.secrets import KeyStore
    from desktop_app.storage.settings import Settings
    from desktop_app.ui.controller import AppContext, AppController
    from desktop_app.ui.main_window import MainWindow
    from tests.support import MemoryKeyring

    def open_window(url: str) -> MainWindow:
        profile = Profile.isolated(Path(tempfile.mkdtemp())).ensure()
        keys = KeyStore(MemoryKeyring())
        keys.set("Bench", KEY)
        settings = Settings(endpoint=url, accounts=["Bench"], default_account="Bench")
        window = MainWindow(AppController(AppContext(profile, settings, keys, History(profile.history_file))))
        window.resize(860, 680)
        window.show()
        return window

    return open_window


def start_sandbox(latency_ms: float) -> tuple[subprocess.Popen, str]:
    """The sandbox in its own process, and its URL."""
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "desktop_app.sandbox", "--port", "0", "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE,
        text=True,
    )
    url = re.search(r"(http://\S+)", sandbox.stdout.readline()).group(1)
    return sandbox, url


def longest_stall(app: QApplication, finished, start=None) -> float:
    """The longest GUI stall from start() (if given) until finished() holds."""
    with StallMeter() as meter:
        if start is not None:
            start()
        wait(app, finished)
    return meter.longest


def schedule_one(app: QApplication, page) -> float:
    page.phone.setText("757-555-0100")
    page.text.setPlainText("Benchmark call")
    page.reference.setText("bench-1")
    return longest_stall(app, lambda: not page.in_flight and page.result.kind, start=page.schedule_button.click)


def cancel_by_reference(app: QApplication, cancel) -> float:
    """Measured from the confirmation on."""
    cancel.reference.setText("bench-1")
    cancel.cancel_button.click()
    confirm(app, cancel)
    return longest_stall(app, lambda: not cancel.in_flight and cancel.result.kind)


def look_up_by_number(app: QApplication, lookup) -> float:
    lookup.query.setText("757-555-0100")
    return longest_stall(app, lambda: not lookup.in_flight, start=lookup.look_up)


def bulk_cancel(app: QApplication, bulk, rows: int, concurrency: int) -> tuple[float, float]:
    """The longest stall and the seconds the run took, both from the confirmation on."""
    bulk.paste.setPlainText("\n".join(f"bulk-{i}" for i in range(rows)))
    bulk.check()
    bulk.concurrency.setValue(concurrency)
    bulk.start_button.click()
    confirm(app, bulk)
    started = time.monotonic()
    longest = longest_stall(app, lambda: bulk.run is None and bulk.result.kind)
    return longest, time.monotonic() - started


def bare_window_rss() -> float:
    """The resident memory (MB) of a bare PySide6 window, in a process of its own."""
    bare = subprocess.run(
        [sys.executable, "-c", BARE],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    return int(bare.stdout.split()[-1]) / 1e6


def print_report(
    latency_ms: float, results: list[tuple[str, float]], bulk_seconds: float, idle_rss: float, after_bulk_rss: float
) -> None:
    bare_rss = bare_window_rss()
    print(f"longest GUI event-loop stall, {latency_ms:.0f} ms sandbox latency (target: under 50 ms)")
    print(f"{'action':<42} | {'longest stall (ms)':>18}")
    for name, longest in results:
        print(f"{name:<42} | {longest * 1000:18.1f}")
    print(f"(the bulk run took {bulk_seconds:.1f} s)")
    print(
        f"resident memory (MB): bare PySide6 window {bare_rss:.1f}; app idle after start-up {idle_rss:.1f} "
        f"(+{idle_rss - bare_rss:.1f}); after the bulk run {after_bulk_rss:.1f} (+{after_bulk_rss - bare_rss:.1f})"
    )


def main() -> None:
    args = parse_args()
    open_window = window_opener()
    sandbox, url = start_sandbox(args.latency_ms)
    app = QApplication.instance() or QApplication([])
    from desktop_app.ui.gc_guard import collect_garbage_on_the_gui_thread

    collect_garbage_on_the_gui_thread()  # as app.main does
    window = open_window(url)
    wait(app, lambda: window.controller.store is not None and window.schedule_page.voice.count() > 0)
    wait(app, lambda: window.controller.executor.pending == 0)
    idle_rss = rss_mb()
    results = []
    try:
        results.append(("schedule", schedule_one(app, window.schedule_page)))
        results.append(("cancel by reference ID", cancel_by_reference(app, window.cancel_page)))
        results.append(("look up by number", look_up_by_number(app, window.lookup_page)))
        longest, bulk_seconds = bulk_cancel(app, window.bulk_page, args.bulk, args.concurrency)
        results.append((f"bulk cancel, {args.bulk} rows at {args.concurrency} at a time", longest))
        after_bulk_rss = rss_mb()
    finally:
        window.close()
        sandbox.terminate()
        sandbox.wait()
    print_report(args.latency_ms, results, bulk_seconds, idle_rss, after_bulk_rss)


if __name__ == "__main__":
    main()
