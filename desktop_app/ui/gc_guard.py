"""Python's cyclic garbage collector runs on whichever thread happens to allocate when a threshold is
crossed: often a worker. If the garbage holds a PySide object, its C++ destructor then runs on that
worker, which deletes it on the wrong thread and can deadlock: the destructor holds Qt's
signal-slot mutex and waits for the GIL, while the GUI thread holds the GIL and waits for that
mutex (seen in the test suite: a QTableView being built waited forever).

So the automatic collector is switched off and the GUI thread collects instead, a couple of times a
second, generation by generation, exactly when the automatic collector would have (the recipe
PyQt's authors give for this).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

from .threads import require_gui_thread

INTERVAL_MS = 500

_guard: GuiThreadGarbageCollector | None = None


class GuiThreadGarbageCollector(QObject):
    def __init__(self, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__()
        self.thresholds = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect)
        self.timer.start(interval_ms)
        gc.disable()

    def collect(self) -> None:
        first, second, third = gc.get_count()
        if first > self.thresholds[0]:
            gc.collect(0)
            if second > self.thresholds[1]:
                gc.collect(1)
                if third > self.thresholds[2]:
                    gc.collect(2)


def collect_garbage_on_the_gui_thread() -> GuiThreadGarbageCollector:
    """Install the guard once per process, on the GUI thread, before the first worker starts
    (app.main does; so do the tests' and the self-test's set-up)."""
    require_gui_thread()
    global _guard
    if _guard is None:
        _guard = GuiThreadGarbageCollector()
    return _guard
