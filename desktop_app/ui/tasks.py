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
from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

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
        self.user_action = False
        # Owned by the relay, so Qt deletes it on the GUI thread, never on a pool thread.
        self.signals = _Signals(self)
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


def _task(fn: Callable[[], Any], signals: _Signals) -> Callable[[], None]:
    """The pool's work item: run `fn`, then report through `signals`."""

    def run() -> None:
        try:
            result = fn()
        except Exception as error:
            if not getattr(error, "title", None):  # service errors are expected; others are bugs
                log.exception("background task failed")
            outcome, signal = error, signals.failed
        else:
            outcome, signal = result, signals.done
        try:
            signal.emit(outcome)
        except RuntimeError:  # the window was torn down meanwhile: nobody is listening
            log.debug("result of a background task dropped after shutdown")

    return run


class TaskRunner(QObject):
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
        user_action: bool = False,
    ) -> None:
        """Run `fn` on the pool; then `on_done(result)` or `on_error(exception)` on the GUI thread,
        unless `owner` (the widget the callbacks update) has been deleted meanwhile.

        `user_action`: a schedule or cancel the user asked for. Closing the window while one runs
        asks first; background chores (voices, history reloads) do not count."""
        relay = _Relay(self, on_done, on_error, owner)
        relay.user_action = user_action
        self.pending.add(relay)
        self.pool.start(_task(fn, relay.signals))

    def _finished(self, relay: _Relay) -> None:
        self.pending.discard(relay)
        relay.deleteLater()

    @property
    def busy(self) -> bool:
        """True while a user action runs."""
        return any(relay.user_action for relay in self.pending)

    def wait(self, timeout_seconds: float) -> bool:
        """Block until every task has finished (for shutdown). True if they all did."""
        deadline = time.monotonic() + timeout_seconds
        return self.pool.waitForDone(max(0, int((deadline - time.monotonic()) * 1000)))
