"""Garbage that holds Qt objects is collected on the GUI thread, never on a worker (where a QObject
destructor would run on the wrong thread and could deadlock against the GUI thread)."""

from __future__ import annotations

import gc
import threading
from typing import ClassVar

from PySide6.QtCore import QObject

from desktop_app.ui.executor import Executor
from desktop_app.ui.gc_guard import collect_garbage_on_the_gui_thread


class Cyclic:
    """A Python object in a reference cycle with a parentless QObject."""

    collected_on: ClassVar[list[str]] = []

    def __init__(self) -> None:
        self.qobject = QObject()
        self.qobject.setProperty("owner", 1)
        self.me = self  # the cycle: only the cyclic collector can free it

    def __del__(self) -> None:
        Cyclic.collected_on.append(threading.current_thread().name)


def test_cycles_with_qt_objects_are_collected_on_the_gui_thread(qtbot):
    guard = collect_garbage_on_the_gui_thread()
    assert not gc.isenabled() and collect_garbage_on_the_gui_thread() is guard
    Cyclic.collected_on.clear()
    executor = Executor(threads=2)

    def make_garbage() -> None:
        for _ in range(1000):  # far past the collector's first threshold (700 new objects)
            Cyclic()  # dropped at once, still in its cycle

    done: list = []
    executor.submit(make_garbage, done.append)
    qtbot.waitUntil(lambda: bool(done))
    # The GUI thread's timer may already have collected some while the worker ran; none on the worker.
    assert set(Cyclic.collected_on) <= {threading.main_thread().name}
    qtbot.waitUntil(lambda: len(Cyclic.collected_on) == 1000, timeout=5_000)
    assert set(Cyclic.collected_on) == {threading.main_thread().name}
    executor.shutdown()
    assert executor.wait(5)
