"""The start-up probe of bench/startup.py (VBD_STARTUP_PROBE=1).

It prints "ready" one turn of the event loop after the window's first paint, when the window's
own start-up steps begin (`window.startup`, ui/startup.py): the window is on screen and answers
input. The benchmark's bare window prints "ready" by the same rule. Then, once those steps have run
and the work they started on the executor has answered too (the sandbox, the keyring, the voices
and response codes, the namespace), it prints "settled <longest gap in ms between the probe's 5 ms
ticks since ready>", the sandbox's address, and quits the app. Each line ends with the page modules
imported by then (`pages=cancel`) and whether the app's icon is set yet (`icon=none`); "ready" also
names what of `AFTER_THE_PAINT` is already loaded (`early=-`: none). A test checks both lines.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from .main_window import MainWindow

TICK_MS = 5  # the stall meter's timer: a gap longer than this is time the GUI thread was busy
# Modules the first paint must not wait for (each was once imported before it): they load on first use.
AFTER_THE_PAINT = (
    "sqlite3",
    "concurrent.futures",
    "desktop_app.desk",
    "desktop_app.storage.history",
)


def imported_pages() -> str:
    from .pages import PAGES

    return "pages=" + ",".join(spec.module for spec in PAGES if f"{__package__}.pages.{spec.module}" in sys.modules)


def early_modules() -> str:
    early = [name for name in AFTER_THE_PAINT if name in sys.modules]
    return "early=" + (",".join(early) or "-")


def icon_state() -> str:
    return "icon=" + ("none" if QApplication.windowIcon().isNull() else "set")


class StartupProbe(QObject):
    def __init__(self, app: QApplication, window: MainWindow) -> None:
        super().__init__(window)
        self.app, self.window = app, window
        self.ticker = QTimer(self)
        self.ticker.setInterval(TICK_MS)
        self.ticker.timeout.connect(self._tick)
        self.longest = self.last = 0.0
        self.steps_done = False
        window.startup.started.connect(self._ready)
        window.startup.finished.connect(self._settled)

    def _ready(self) -> None:
        print(f"ready {imported_pages()} {icon_state()} {early_modules()}", flush=True)
        self.last = time.perf_counter()
        self.ticker.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest, self.last = max(self.longest, now - self.last), now
        controller = self.window.controller
        if self.steps_done and controller.executor.pending == 0:
            self.ticker.stop()
            address = controller.connection.service_url
            print(f"settled {1000 * self.longest:.1f} {address} {imported_pages()} {icon_state()}", flush=True)
            self.app.quit()

    def _settled(self) -> None:
        self.steps_done = True
