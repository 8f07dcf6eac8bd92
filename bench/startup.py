"""Start-up time: launch to main window shown and idle, against a bare PySide6 window.

    python bench/startup.py [--runs 7] [--frozen dist/VoiceBroadcastDesk/VoiceBroadcastDesk]

Each program prints "ready" from a zero-timer after `show()` (so the first paint has happened) and
quits; the time is from launch to that line, median of the runs. Offscreen Qt, throwaway profiles,
compiled bytecode as an installed copy has (as_installed.py).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from as_installed import environment

ROOT = Path(__file__).resolve().parent.parent
BARE = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(860, 680)
window.show()
def ready():
    print("ready", flush=True)
    app.quit()
QTimer.singleShot(0, lambda: QTimer.singleShot(0, ready))
app.exec()
"""


def time_to_ready(command: list[str]) -> float:
    env = environment(VBD_STARTUP_PROBE="1")
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    line = process.stdout.readline()
    elapsed = time.perf_counter() - started
    process.wait(30)
    process.stdout.close()
    if line.strip() != "ready":
        raise SystemExit(f"{command[0]} did not report ready: {line!r}")
    return elapsed


def median_of(runs: int, command_for_run) -> float:
    time_to_ready(command_for_run())  # warm the file cache
    return statistics.median(time_to_ready(command_for_run()) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--frozen", type=Path, default=ROOT / "dist" / "VoiceBroadcastDesk" / "VoiceBroadcastDesk")
    args = parser.parse_args()

    def app_command(executable: list[str]):
        return lambda: [*executable, "--sandbox", "--profile", tempfile.mkdtemp(prefix="vbd-bench-")]

    bare = median_of(args.runs, lambda: [sys.executable, "-c", BARE])
    source = median_of(args.runs, app_command([sys.executable, "-m", "desktop_app"]))
    print(f"start-up to a shown, idle window (median of {args.runs}, offscreen)")
    print(f"{'program':<40} | {'seconds':>7} | {'ratio':>6}")
    print(f"{'bare PySide6 QMainWindow':<40} | {bare:7.3f} | {1:6.2f}")
    print(f"{'app from source, --sandbox':<40} | {source:7.3f} | {source / bare:6.2f}  (target <= 1.5)")
    if args.frozen.exists():
        frozen = median_of(args.runs, app_command([str(args.frozen)]))
        print(
            f"{'frozen bundle, --sandbox':<40} | {frozen:7.3f} | {frozen / bare:6.2f}  "
            f"({frozen / source:.2f} x from source)"
        )
    else:
        print(f"frozen bundle: not built ({args.frozen}); run ./dev installers first")


if __name__ == "__main__":
    main()
