"""Measure how long the GUI thread goes without processing events (shared by tests and bench)."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer


class StallMeter:
    """`with StallMeter() as meter:` ticks a 10 ms timer on the GUI thread; afterwards `longest` is
    the longest gap between ticks and `ticks` how many there were."""

    def __init__(self, interval_ms: int = 10) -> None:
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.longest, self.ticks, self.last = 0.0, 0, 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now
        self.ticks += 1

    def __enter__(self) -> StallMeter:
        self.longest, self.ticks, self.last = 0.0, 0, time.perf_counter()
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()
