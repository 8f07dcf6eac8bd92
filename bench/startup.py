"""Start-up time: launch to the main window on screen, against a bare PySide6 window.

    python bench/startup.py [--runs 7] [--frozen dist/VoiceBroadcastDesk/VoiceBroadcastDesk]

Each program prints "ready" one turn of the event loop after its window's first paint: the window
is on screen and answers input (bench/first_paint.py; the app's own probe follows the same rule).
The time is from launch to that line, median of the runs. The programs take turns (one run of
each per round), so that a slow spell on a shared machine falls on all of them alike. The app then does the rest of its
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
from collections.abc import Callable
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


def medians(runs: int, commands: dict[str, Callable[[], list[str]]]) -> dict[str, Run]:
    """Each command's median run; one run of each per round, after a round that warms the file cache."""
    results: dict[str, list[Run]] = {name: [] for name in commands}
    for round_number in range(runs + 1):
        for name, command_for_run in commands.items():
            run = run_once(command_for_run())
            if round_number:
                results[name].append(run)
    fields = ("ready", "settled", "stall_ms")
    return {
        name: Run(*(statistics.median(getattr(r, field) for r in runs_of) for field in fields))
        for name, runs_of in results.items()
    }


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

    def app_command(executable: list[str]) -> Callable[[], list[str]]:
        return lambda: [*executable, "--sandbox", "--profile", tempfile.mkdtemp(prefix="vbd-bench-")]

    commands: dict[str, Callable[[], list[str]]] = {
        "bare": lambda: [sys.executable, str(ROOT / "bench" / "startup_bare.py")],
        "floor": lambda: [sys.executable, str(ROOT / "bench" / "startup_floor.py")],
        "app": app_command([sys.executable, "-m", "desktop_app"]),
    }
    frozen_built = args.frozen.exists()
    if frozen_built:
        frozen_bare_program = str(frozen_bare_window())
        commands["frozen bare"] = lambda: [frozen_bare_program]
        commands["frozen"] = app_command([str(args.frozen)])
    result = medians(args.runs, commands)
    bare, floor = result["bare"].ready, result["floor"].ready

    print(f"start-up to the window on screen (median of {args.runs}, taking turns, offscreen)")
    print(f"{'program':<32} | {'on screen':>9} | {'ratio':>5} | {'settled':>7} | {'longest stall after':>19}")

    def plain(name: str, seconds: float, note: str = "") -> None:
        print(f"{name:<32} | {seconds:8.3f}s | {seconds / bare:5.2f} | {'':>7} | {note}")

    def report(name: str, run: Run) -> None:
        print(
            f"{name:<32} | {run.ready:8.3f}s | {run.ready / bare:5.2f} | {run.settled:6.3f}s | {run.stall_ms:16.1f} ms"
        )

    plain("bare PySide6 QMainWindow", bare)
    plain("same first screen, plain PySide", floor, " (no app code)")
    report("app from source, --sandbox", result["app"])
    print(f"  the app from source is {(result['app'].ready - floor) * 1000:.0f} ms above the plain-PySide6 floor")
    if frozen_built:
        frozen_bare, frozen = result["frozen bare"].ready, result["frozen"]
        plain("bare window, frozen", frozen_bare)
        report("frozen bundle, --sandbox", frozen)
        print(f"  the frozen bundle is {frozen.ready / frozen_bare:.2f}x the frozen bare window")
    else:
        print(f"frozen bundle: not built ({args.frozen}); run ./dev installers first")


if __name__ == "__main__":
    main()
