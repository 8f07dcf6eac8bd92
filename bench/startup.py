"""Start-up time: launch to the main window on screen, against a bare PySide6 window.

    python bench/startup.py [--runs 7] [--frozen dist/VoiceBroadcastDesk/VoiceBroadcastDesk]

Each program prints "ready" one turn of the event loop after its window's first paint: the window
is on screen and answers input (bench/first_paint.py; the app's own probe follows the same rule).
The time is from launch to that line, median of the runs. The app then does the rest of its
start-up in steps (the icon, the hidden pages, then the sandbox, the keyring, the
voices), and once all of it has answered prints "settled <ms>" with the longest GUI-thread stall
since "ready" (desktop_app/ui/startup_probe.py); that is reported too. bench/startup_bare.py is the bare window;
bench/startup_floor.py a plain-PySide6 copy of the first screen (the same widgets; placeholder menu
items) with none of the app's code: the floor under the app's figure. With a frozen bundle, the
bare window is frozen too (PyInstaller's one-folder defaults; built once per PyInstaller and
PySide6 version into build/bench/), so that the bundle's figure can be read against what freezing
alone costs. Offscreen Qt, throwaway profiles, compiled bytecode as an installed copy has
(as_installed.py).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from as_installed import environment

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    ready: float  # seconds from launch to "ready"
    settled: float = 0.0  # seconds from launch to "settled" (the app only)
    stall_ms: float = 0.0  # the longest GUI-thread stall between the two


def run_once(command: list[str]) -> Run:
    env = environment(VBD_STARTUP_PROBE="1")
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    line = process.stdout.readline()
    run = Run(time.perf_counter() - started)
    if line.split()[:1] != ["ready"]:
        raise SystemExit(f"{command[0]} did not report ready: {line!r}")
    settled = process.stdout.readline().split()
    if settled:
        run.settled, run.stall_ms = time.perf_counter() - started, float(settled[1])
    process.wait(30)
    process.stdout.close()
    return run


def median_of(runs: int, command_for_run) -> Run:
    run_once(command_for_run())  # warm the file cache
    results = [run_once(command_for_run()) for _ in range(runs)]
    return Run(*(statistics.median(getattr(r, name) for r in results) for name in ("ready", "settled", "stall_ms")))


def frozen_bare_window() -> Path:
    """bench/startup_bare.py frozen into one folder, built on first use for these versions."""
    from importlib.metadata import version

    work = ROOT / "build" / "bench" / f"pyinstaller-{version('pyinstaller')}-pyside6-{version('PySide6-Essentials')}"
    program = work / "dist" / "startup_bare" / "startup_bare"
    if not program.exists():
        bench = ROOT / "bench"
        folders = ["--distpath", work / "dist", "--workpath", work / "build", "--specpath", work, "--paths", bench]
        command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--onedir", "--log-level", "WARN", *folders]
        subprocess.run([*map(str, command), str(bench / "startup_bare.py")], check=True, capture_output=True)
    return program


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--frozen", type=Path, default=ROOT / "dist" / "VoiceBroadcastDesk" / "VoiceBroadcastDesk")
    args = parser.parse_args()

    def app_command(executable: list[str]):
        return lambda: [*executable, "--sandbox", "--profile", tempfile.mkdtemp(prefix="vbd-bench-")]

    bare = median_of(args.runs, lambda: [sys.executable, str(ROOT / "bench" / "startup_bare.py")]).ready
    print(f"start-up to the window on screen (median of {args.runs}, offscreen)")
    print(f"{'program':<32} | {'on screen':>9} | {'ratio':>5} | {'settled':>7} | {'longest stall after':>19}")
    print(f"{'bare PySide6 QMainWindow':<32} | {bare:8.3f}s | {1:5.2f} | {'':>7} |")

    def report(name: str, run: Run) -> None:
        print(
            f"{name:<32} | {run.ready:8.3f}s | {run.ready / bare:5.2f} | {run.settled:6.3f}s | {run.stall_ms:16.1f} ms"
        )

    floor = median_of(args.runs, lambda: [sys.executable, str(ROOT / "bench" / "startup_floor.py")]).ready
    print(f"{'same first screen, plain PySide':<32} | {floor:8.3f}s | {floor / bare:5.2f} | {'':>7} |  (no app code)")
    report("app from source, --sandbox", median_of(args.runs, app_command([sys.executable, "-m", "desktop_app"])))
    if args.frozen.exists():
        frozen_bare = median_of(args.runs, lambda: [str(frozen_bare_window())]).ready
        print(f"{'bare window, frozen':<32} | {frozen_bare:8.3f}s | {frozen_bare / bare:5.2f} | {'':>7} |")
        frozen = median_of(args.runs, app_command([str(args.frozen)]))
        report("frozen bundle, --sandbox", frozen)
        print(f"  the frozen bundle is {frozen.ready / frozen_bare:.2f}x the frozen bare window")
    else:
        print(f"frozen bundle: not built ({args.frozen}); run ./dev installers first")


if __name__ == "__main__":
    main()
