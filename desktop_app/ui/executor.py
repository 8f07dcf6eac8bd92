"""The one seam for background work in the UI.

`Executor` owns one bounded thread pool (a `concurrent.futures.ThreadPoolExecutor`: its threads
live as long as the pool, so per-thread HTTP sessions and their connections are reused between
tasks). Everything that may wait on the network, the keyring or the disk goes through it: single
requests, start-up chores and bulk runs alike.

Every job first makes sure the keyring and SOAP stacks are imported (`heavy_stacks.load`: once,
by one worker, in a fixed order; the others wait), so no two threads ever import them at once.

Results reach the GUI thread only through one queued Qt signal carrying the value the job
returned; jobs return immutable values (frozen dataclasses, named tuples, tuples), so nothing is
shared with the worker afterwards. Callbacks whose `owner` widget has been deleted are dropped,
and after `shutdown()` nothing is delivered at all (the jobs still record their own history).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from .. import heavy_stacks
from ..service.reference_data import MAX_CONCURRENCY
from .threads import require_gui_thread

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)

# A bulk run may use up to MAX_CONCURRENCY threads; a few more keep look-ups and chores moving.
POOL_THREADS = MAX_CONCURRENCY + 4


class _Job:
    __slots__ = ("future", "keep", "on_done", "on_error", "owner", "user_action")

    def __init__(
        self,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None,
        owner: QObject | None,
        user_action: bool,
        keep: bool = False,  # a channel: delivers many values, stays registered
    ) -> None:
        self.on_done = on_done
        self.on_error = on_error
        self.owner = owner
        self.user_action = user_action
        self.keep = keep
        self.future: Future | None = None  # while it waits for a thread, shutdown() may drop it


class Executor(QObject):
    _delivered = Signal(int, bool, object)  # job id, succeeded, value or exception
    busyChanged = Signal(bool)  # a user action (schedule, cancel) started or the last one ended

    def __init__(self, parent: QObject | None = None, threads: int = POOL_THREADS) -> None:
        super().__init__(parent)
        self._threads = threads
        self._started_threads: list[threading.Thread] = []  # the pool keeps no public list
        self._jobs: dict[int, _Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._closed = False
        self._delivered.connect(self._deliver)  # emitted on workers: queued to this (GUI) thread

    @cached_property
    def pool(self) -> ThreadPoolExecutor:
        """Made on first use (on the GUI thread): the first paint does not need it."""
        from concurrent.futures import ThreadPoolExecutor

        require_gui_thread()
        return ThreadPoolExecutor(
            max_workers=self._threads, thread_name_prefix="vbd-worker", initializer=self._thread_started
        )

    def _thread_started(self) -> None:  # on each new worker, before its first job
        with self._lock:
            self._started_threads.append(threading.current_thread())

    # -- submitting --------------------------------------------------------------------------------

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
        *,
        owner: QObject | None = None,
        user_action: bool = False,
    ) -> Future | None:
        """Run `fn()` on the pool; then `on_done(result)` or `on_error(exception)` on the GUI thread.

        `user_action`: a schedule or cancel the user asked for (closing the window asks while one
        runs; chores do not count). Returns None once the executor is shut down."""
        require_gui_thread()
        if self._closed:
            return None
        job = _Job(on_done, on_error, owner, user_action)
        job.future = self.pool.submit(self._run, self._register(job), fn)
        return job.future

    def channel(self, on_value: Callable[[Any], None], owner: QObject | None = None) -> Channel:
        """A callable that any thread may call many times: each value reaches `on_value` on the
        GUI thread, in order. For long jobs (bulk runs) that report progress."""
        return Channel(self, self._register(_Job(on_value, None, owner, False, keep=True)))

    def batch_channel(
        self, on_values: Callable[[tuple[Any, ...]], None], owner: QObject | None = None, interval_ms: int = 50
    ) -> BatchChannel:
        """Like `channel`, but the values are gathered and handed over together, at most once every
        `interval_ms`: the GUI thread's cost follows the clock, not the rate of values (a 10,000-row
        bulk run reports 20,000 changes)."""
        batch = BatchChannel(on_values, interval_ms)
        batch.attach(self, self._register(_Job(batch.wake, None, owner, False, keep=True)))
        return batch

    def _forget(self, job_id: int) -> None:
        with self._lock:
            self._jobs.pop(job_id, None)

    def _register(self, job: _Job) -> int:
        with self._lock:
            job_id = next(self._ids)
            self._jobs[job_id] = job
            busy_now = job.user_action and sum(j.user_action for j in self._jobs.values()) == 1
        if busy_now:
            self.busyChanged.emit(True)
        return job_id

    def _run(self, job_id: int, fn: Callable[[], Any]) -> None:
        try:
            heavy_stacks.load()
            result = fn()
        except Exception as error:
            if not getattr(error, "title", None):  # service, keyring and history errors are expected
                log.exception("background task failed")
            self._emit(job_id, False, error)
        else:
            self._emit(job_id, True, result)

    def _emit(self, job_id: int, ok: bool, value: Any) -> None:
        try:
            self._delivered.emit(job_id, ok, value)
        except RuntimeError:  # the executor was deleted at shutdown: nobody is listening
            log.debug("a background result was dropped after shutdown")

    @Slot(int, bool, object)
    def _deliver(self, job_id: int, ok: bool, value: Any) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None and not job.keep:
                del self._jobs[job_id]
            idle_now = job is not None and job.user_action and not any(j.user_action for j in self._jobs.values())
        if job is None or self._closed:
            return
        try:
            if job.owner is None or shiboken6.isValid(job.owner):
                if ok:
                    job.on_done(value)
                elif job.on_error is not None:
                    job.on_error(value)
        finally:
            if idle_now:
                self.busyChanged.emit(False)

    # -- state and shutdown ----------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while a user action runs."""
        with self._lock:
            return any(job.user_action for job in self._jobs.values())

    @property
    def pending(self) -> int:
        """Jobs submitted whose result has not been delivered yet (channels excluded)."""
        with self._lock:
            return sum(not job.keep for job in self._jobs.values())

    def shutdown(self) -> None:
        """Deliver nothing more and start nothing new. Never blocks: jobs already running finish
        on their own (within the request timeout) and record their results themselves. A schedule
        or cancel the user asked for runs even if no thread had taken it yet; chores that had not
        started are dropped."""
        self._closed = True
        with self._lock:
            chores = [job.future for job in self._jobs.values() if not job.user_action and job.future is not None]
        for future in chores:
            future.cancel()  # False once it has started: it then ends by itself
        if "pool" in self.__dict__:  # made
            self.pool.shutdown(wait=False)

    def wait(self, timeout: float) -> bool:
        """Block until the pool's threads have ended (only after the window is gone). True if so."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._started_threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in threads)


class Channel:
    """See `Executor.channel`. `close()` drops whatever is still sent afterwards."""

    def __init__(self, executor: Executor, job_id: int) -> None:
        self._executor, self._job_id = executor, job_id

    def __call__(self, value: Any) -> None:
        self._executor._emit(self._job_id, True, value)

    def close(self) -> None:
        self._executor._forget(self._job_id)


class BatchChannel:
    """See `Executor.batch_channel`. Only the first value after a hand-over sends a signal."""

    def __init__(self, on_values: Callable[[tuple[Any, ...]], None], interval_ms: int) -> None:
        self._on_values, self._interval_ms = on_values, interval_ms
        self._values: list[Any] = []
        self._lock = threading.Lock()
        self._timer: QTimer | None = None
        self._closed = False

    def attach(self, executor: Executor, job_id: int) -> None:
        self._executor, self._job_id = executor, job_id

    def __call__(self, value: Any) -> None:  # any thread
        with self._lock:
            self._values.append(value)
            first = len(self._values) == 1
        if first:
            self._executor._emit(self._job_id, True, None)

    def wake(self, _: object) -> None:  # GUI thread: hand over after the interval
        if self._timer is None:
            self._timer = QTimer()
            self._timer.setSingleShot(True)
            self._timer.timeout.connect(self.flush)
        if not self._timer.isActive():
            self._timer.start(self._interval_ms)

    def flush(self) -> None:
        """Hand over what has gathered now (GUI thread)."""
        with self._lock:
            values, self._values = tuple(self._values), []
        if values and not self._closed:
            self._on_values(values)

    def close(self) -> None:
        self._closed = True
        if self._timer is not None:
            self._timer.stop()
        self._executor._forget(self._job_id)
