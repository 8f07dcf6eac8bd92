"""The rest of start-up, once the window is on screen.

The window shows after building only what its first paint needs. `AfterFirstPaint` waits for
that paint (or, if none comes, a moment after the window is shown: a window shown minimised), then
runs the remaining start-up steps one per turn of the event loop, so that the window answers input
between them and no single stall is long (figures in docs/performance.md, from bench/startup.py).
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from ..resources import resource_path

START_WITHOUT_PAINT_MS = 1000  # start anyway if no paint comes (a window shown minimised)
# Between two steps: a timer, not a zero-timer. Qt runs due timers only when no posted event waits,
# so zero-timer steps back to back would hold the window's own timers off until the last one.
STEP_GAP_MS = 1
Step = Callable[[], object]


class AfterFirstPaint(QObject):
    started = Signal()  # one turn of the event loop after the first paint: the steps begin
    finished = Signal()  # every step has run

    def __init__(self, window: QWidget, steps: Callable[[], list[Step]], stopped: Callable[[], bool]) -> None:
        """`steps()` gives the steps when they are about to start; `stopped()` is true once the
        window is closing, and no further step runs."""
        super().__init__(window)
        self._window, self._steps_for, self._stopped = window, steps, stopped
        self._steps: deque[Step] | None = None
        window.installEventFilter(self)

    @property
    def begun(self) -> bool:
        return self._steps is not None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, self._begin)  # after the paint has reached the screen
        elif event.type() == QEvent.Type.Show:
            QTimer.singleShot(START_WITHOUT_PAINT_MS, self._begin)
        return False

    def _begin(self) -> None:
        if self.begun:
            return
        self._window.removeEventFilter(self)
        self._steps = deque(self._steps_for())
        self.started.emit()
        self._next()

    def _next(self) -> None:
        if self._stopped() or self._steps is None:
            return
        if not self._steps:
            self.finished.emit()
            return
        self._steps.popleft()()
        QTimer.singleShot(STEP_GAP_MS, self._next)


def set_app_icon() -> None:
    """The app's icon, for the window and every dialog (loading it can wait for the first paint)."""
    from PySide6.QtGui import QIcon

    with contextlib.suppress(FileNotFoundError):
        QApplication.setWindowIcon(QIcon(str(resource_path("icons/voice-broadcast-desk.png"))))
