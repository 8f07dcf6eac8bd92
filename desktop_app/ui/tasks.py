"""Run work off the GUI thread: the one seam for threading in the UI.

A `TaskRunner` lives on the GUI thread and owns a QThreadPool. `submit(fn, on_done, on_error)`
runs `fn` on a pool thread; the callbacks run back on the GUI thread. The worker only gets the
function and a signals object: it never touches widgets. Signals are connected to slots of a
GUI-thread relay, so callbacks (lambdas included) are always delivered on the GUI thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Relay(QObject):
    """Lives on the GUI thread; turns worker signals into callback calls there."""

    def __init__(
        self,
        runner: TaskRunner,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        owner: QObject | None,
    ):
        super().__init__(runner)
        self.runner, self.on_done, self.on_error, self.owner = runner, on_done, on_error, owner
        self.signals = _Signals()
        self.signals.done.connect(self._done)
        self.signals.failed.connect(self._failed)

    def wanted(self) -> bool:
        """False after "close anyway", or once the widget the callbacks update is gone."""
        return not self.runner.abandoned and (self.owner is None or shiboken6.isValid(self.owner))

    @Slot(object)
    def _done(self, result: Any) -> None:
        try:
            if self.wanted():
                self.on_done(result)
        finally:
            self.runner._finished(self)

    @Slot(object)
    def _failed(self, error: BaseException) -> None:
        try:
            if self.wanted():
                self.on_error(error)
        finally:
            self.runner._finished(self)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.fn, self.signals = fn, signals

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as error:
            if not getattr(error, "title", None):  # service errors are expected; others are bugs
                log.exception("background task failed")
            self.signals.failed.emit(error)
        else:
            self.signals.done.emit(result)


class TaskRunner(QObject):
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self.pending: set[_Relay] = set()
        self.abandoned = False  # after "close anyway": results are recorded by the jobs, not shown

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        owner: QObject | None = None,
    ) -> None:
        """Run `fn` on the pool; then `on_done(result)` or `on_error(exception)` on the GUI thread,
        unless `owner` (the widget the callbacks update) has been deleted meanwhile."""
        relay = _Relay(self, on_done, on_error, owner)
        self.pending.add(relay)
        if len(self.pending) == 1:
            self.busy_changed.emit(True)
        self.pool.start(_Task(fn, relay.signals))

    def _finished(self, relay: _Relay) -> None:
        self.pending.discard(relay)
        relay.deleteLater()
        if not self.pending:
            self.busy_changed.emit(False)

    @property
    def busy(self) -> bool:
        return bool(self.pending)

    def wait(self, timeout_seconds: float) -> bool:
        """Block until every task has finished (for shutdown). True if they all did."""
        deadline = time.monotonic() + timeout_seconds
        return self.pool.waitForDone(max(0, int((deadline - time.monotonic()) * 1000)))
