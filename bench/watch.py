"""The watch list under load: 200 pending calls over three accounts, shown on the watch page.

The sandbox runs in its own process, as the app runs it, on a manual clock moved through its
`--control` routes; the rounds are real HTTP through the app's executor, fired as soon as the
previous round ends (so each round's parsing overlaps the last one's repaint: harsher than the
app, where timed rounds are at least 5 s apart), while the clock moves by the delay the watcher
asked for.
So 40 simulated minutes take a few seconds, and the figures are:
- status requests per account per simulated minute, in each phase of the schedule;
- the longest GUI stall (tests/stall.py) while the rounds repaint the page: target under 50 ms.

    python bench/watch.py [--calls 200] [--minutes 40]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from desktop_app.local_sandbox import SandboxProcess
from desktop_app.sandbox import ManualClock
from desktop_app.sandbox.accounts import normalise_key
from desktop_app.sandbox.control import key_digest
from desktop_app.service import new_call_request
from desktop_app.storage.history import History
from desktop_app.storage.profile import Profile
from desktop_app.storage.secrets import KeyStore
from desktop_app.storage.settings import Settings
from desktop_app.ui.controller import AppContext, AppController
from desktop_app.ui.gc_guard import collect_garbage_on_the_gui_thread
from desktop_app.ui.pages.watch import WatchPage
from desktop_app.ui.watcher import Watcher
from tests.stall import StallMeter
from tests.support import MemoryKeyring

KEYS = {
    "Main office": "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d",
    "Branch": "7c6d5e4f-3a2b-4c1d-8e9f-0a1b2c3d4e5f",
    "Night desk": "1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d",
}


FRAME_MS = 16


class ManualTimer:
    def __init__(self) -> None:
        self.seconds: float | None = None

    def arm(self, seconds: float | None) -> None:
        self.seconds = seconds


def wait_for(signal, app: QApplication) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(30_000, loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


class RemoteClock(ManualClock):
    """A local copy of the sandbox's manual clock: read here, moved here and there together."""

    def __init__(self, sandbox: SandboxProcess) -> None:
        self.control = sandbox.url.split("/NotifyWS/")[0] + "/_sandbox/"
        super().__init__(datetime.fromisoformat(self._post(0)))

    def _post(self, seconds: float) -> str:
        reply = requests.post(f"{self.control}clock?advance={seconds}", timeout=5)
        reply.raise_for_status()
        return reply.text

    def advance(self, seconds: float) -> None:
        super().advance(seconds)
        self._post(seconds)

    def status_requests(self) -> dict[str, int]:
        return requests.get(f"{self.control}counters", timeout=5).json()["status_requests"]


def one_frame(app: QApplication) -> None:
    """Let the event loop run for one frame (the page's first paint, before measuring)."""
    loop = QEventLoop()
    QTimer.singleShot(FRAME_MS, loop.quit)
    loop.exec()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--minutes", type=int, default=40)
    return parser.parse_args()


def open_controller(sandbox: SandboxProcess) -> AppController:
    """The app's controller on the sandbox, with the three accounts of KEYS."""
    profile = Profile.isolated(Path(tempfile.mkdtemp())).ensure()
    keys, settings = KeyStore(MemoryKeyring()), Settings(timeout_seconds=10)
    for name, key in KEYS.items():
        keys.set(name, key)
        settings.accounts.append(name)
    return AppController(AppContext(profile, settings, keys, History(profile.history_file), sandbox))


def schedule_calls(controller: AppController, start: datetime, calls: int) -> None:
    """Book the calls, spread over 15 to 35 minutes from start and over the accounts in turn."""
    names = list(KEYS)
    for i in range(calls):  # last digits 0-7 all answer
        when = start + timedelta(minutes=15 + 20 * i / calls)
        number = f"757{2_000_000 + i * 10 + i % 8:07d}"
        call = new_call_request(phone_number=number, text_to_say="Bench.", scheduled=when, reference_id=f"w{i}")
        assert controller.desk.schedule(names[i % 3], call).booked


def run_rounds(
    app: QApplication, clock: RemoteClock, watcher: Watcher, timer: ManualTimer, end: datetime
) -> tuple[Counter[str], list[float], float]:
    """Round after round until the watcher stops or the clock reaches end, the clock moved by the delay
    the watcher asked for: the rounds by phase, each round's wall time, and the longest GUI stall."""
    rounds_by_phase: Counter[str] = Counter()
    wall = []
    with StallMeter() as meter:
        watcher.start()
        wait_for(watcher.roundFinished, app)
        while timer.seconds is not None and clock.now() < end:
            clock.advance(timer.seconds)
            pending = [c.due for c in watcher.pending() if c.due]
            until = (min(pending) - clock.now()).total_seconds() if pending else 0
            rounds_by_phase["far" if until > 600 else "near" if until > 60 else "due"] += 1
            began = time.perf_counter()
            watcher.poll_now()
            wait_for(watcher.roundFinished, app)
            wall.append(time.perf_counter() - began)
    return rounds_by_phase, wall, meter.longest


def print_report(
    calls: int,
    clock: RemoteClock,
    start: datetime,
    watcher: Watcher,
    rounds_by_phase: Counter[str],
    wall: list[float],
    longest: float,
) -> None:
    simulated = (clock.now() - start).total_seconds() / 60
    counted = clock.status_requests()
    by_account = {name: counted.get(key_digest(normalise_key(key)), 0) for name, key in KEYS.items()}
    ended = sum(c.final for c in watcher.rows)
    print(f"calls watched: {calls} over {len(KEYS)} accounts; ended: {ended}; simulated minutes: {simulated:.1f}")
    for name, count in by_account.items():
        print(f"  {name}: {count} status requests, {count / simulated:.2f} per minute")
    print(f"rounds by phase: {dict(rounds_by_phase)} (one request per account per round)")
    print(f"round time (wall): median {sorted(wall)[len(wall) // 2] * 1000:.1f} ms, longest {max(wall) * 1000:.1f} ms")
    verdict = "OK" if longest < 0.050 else "OVER"
    print(f"longest GUI stall: {longest * 1000:.1f} ms ({verdict}, target < 50 ms)")


def main() -> None:
    args = parse_args()
    app = QApplication([])
    collect_garbage_on_the_gui_thread()  # as app.main does
    sandbox = SandboxProcess.start(extra=("--control", "--manual-clock"))
    clock = RemoteClock(sandbox)
    controller = open_controller(sandbox)
    start = clock.now()
    schedule_calls(controller, start, args.calls)

    timer = ManualTimer()
    watcher = Watcher(controller, now=clock.now, timer=timer)
    controller._watcher = watcher  # the page uses this watcher (the manual timer)
    page = WatchPage(controller)
    page.resize(860, 600)
    page.show()
    one_frame(app)  # its first paint (fonts, glyphs: about 30 ms offscreen) is the page's, not the rounds'
    rounds_by_phase, wall, longest = run_rounds(app, clock, watcher, timer, start + timedelta(minutes=args.minutes))
    print_report(args.calls, clock, start, watcher, rounds_by_phase, wall, longest)
    page.close()
    controller.shutdown()
    controller.executor.wait(10)
    sandbox.stop()


if __name__ == "__main__":
    main()
