"""The app's controller: what the pages and dialogs talk to.

`AppController` owns the `Desk` (service + history + keyring), the settings, the one background
`Executor`, and two parts with signals of their own: `accounts` (which account is chosen, changes
to the list) and `connection` (where requests go, the sandbox, the namespace). Pages call its
methods and its parts', and listen to their signals; they never see the main window, and the
window only composes them. Every method that may wait (network, keyring, disk) runs its work on
the executor and answers on the GUI thread through callbacks that receive immutable values.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal

from ..service.reference_data import RESPONSE_CODES
from ..storage.namespaces import NamespaceCache
from ..storage.profile import Profile
from ..storage.secrets import KeyStore, StoreInfo
from ..storage.settings import Settings
from .accounts import Accounts
from .connection import Connection, start_sandbox_process
from .executor import Executor
from .threads import require_gui_thread

if TYPE_CHECKING:
    from ..bulk import BulkItem, BulkOutcome, BulkProgress, BulkRun, Kind
    from ..desk import Desk
    from ..local_sandbox import SandboxProcess
    from ..sandbox import Sandbox
    from ..storage.history import History
    from .watcher import Watcher

log = logging.getLogger(__name__)
T = TypeVar("T")
# Bulk progress reaches the page four times a second, as a progress bar usually moves: each batch
# costs one repaint whatever the number of rows (docs/performance.md).
BULK_PROGRESS_MS = 250
Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


@dataclass
class AppContext:
    profile: Profile
    settings: Settings
    keys: KeyStore
    history: History | None = None  # None: the profile's, opened when the desk is first needed
    sandbox: Sandbox | SandboxProcess | None = None  # in-process in tests, a child process in the app
    start_sandbox: bool = False  # start the built-in sandbox right after the first paint
    sandbox_namespace: str = "esendex"  # which namespace that sandbox speaks ("esendex" or "cdyne")
    # How that sandbox is got, on a worker: by default its own process started then; the self-test
    # passes one it started earlier.
    sandbox_source: Callable[[], SandboxProcess] | None = None


class Waiting:
    """A user action in flight. After `stop()` (the user stopped waiting) its answer is no longer
    handed to the page; the desk still records it in History when it comes."""

    def __init__(self) -> None:
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


class AppController(QObject):
    actionRecorded = Signal()  # a schedule or cancel ended: the history has a new row
    historyProblem = Signal(str)  # why the last action was not written to the history ("" = fine)
    busyChanged = Signal(bool)  # a user action is running / the last one ended
    keyStoreChanged = Signal(object, str)  # StoreInfo once the keyring answered; the backend used before
    keyStoreFailed = Signal(str)
    voicesLoaded = Signal(object)  # tuple of (voice_id, summary)
    cancelCallRequested = Signal(int)  # "Cancel this call" somewhere: open Cancel with this QueueID
    cancelReferenceRequested = Signal(str)  # "Cancel this test broadcast": open Cancel with this reference ID

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        require_gui_thread()
        self.context = context
        self.settings = context.settings
        self.keys = context.keys
        self.store: StoreInfo | None = None
        self.voices: tuple[tuple[int, str], ...] = ()
        self.response_texts = dict(RESPONSE_CODES)  # replaced by GetResponseCodes when it answers
        self.executor = Executor(self)
        self.executor.busyChanged.connect(self.busyChanged)
        self.accounts = Accounts(context.settings, context.keys, self.executor, self.save_settings, self)
        self.connection = Connection(
            context.settings,
            self.executor,
            NamespaceCache(context.profile.cache_dir / "namespaces.json"),
            context.sandbox,
            sandbox_mode=context.sandbox is not None or context.start_sandbox,
            keys=context.keys,
            save_settings=self.save_settings,
            parent=self,
        )
        self.connection.clientChanged.connect(self._reconfigure_desk)
        self._load_reference_data = True
        self._bulk_run: BulkRun | None = None  # the bulk run going on, if one is
        self._watcher: Watcher | None = None

    @cached_property
    def desk(self) -> Desk:
        """Made on first use, after the first paint (the first screen needs neither the desk nor
        the history behind it). Read it on the GUI thread only (workers get the desk itself), so
        only one is ever made."""
        require_gui_thread()
        from ..desk import Desk
        from ..storage.history import History

        context = self.context
        if context.history is None:
            context.history = History(context.profile.history_file)
        return Desk(self.connection.client_factory(), context.keys, context.history)

    def _reconfigure_desk(self) -> None:
        self.desk.reconfigure(self.connection.client_factory())

    # -- start-up ----------------------------------------------------------------------------------

    def start(self, reference_data: bool = True) -> None:
        """After the first paint: the sandbox (when asked for), the keyring, the namespace, and
        (unless `reference_data` is False, as in the self-test) the voices and response codes."""
        self._load_reference_data = reference_data
        if self.connection.sandbox_needed:
            namespace, log_file = self.context.sandbox_namespace, self.context.profile.log_dir / "sandbox.log"
            state_file = self.context.profile.data_dir / "training-sandbox.json"  # training survives a restart
            source = self.context.sandbox_source or (lambda: start_sandbox_process(namespace, log_file, state_file))
            self.connection.start_sandbox(source, self._sandbox_started)
            return  # the rest follows once the sandbox answers
        self._start_chores()

    def _sandbox_started(self) -> None:
        self.context.sandbox = self.connection.sandbox  # app.finish stops it
        self._start_chores()

    def _start_chores(self) -> None:
        self.executor.submit(self.keys.info, self._store_known, self._store_failed)
        self.connection.discover_namespace()
        if self._load_reference_data:
            desk = self.desk  # made here, on the GUI thread, before any worker needs it
            self.executor.submit(lambda: self._load_voices(desk), self._voices_loaded, lambda _e: None)
            self.executor.submit(desk.response_codes, self.response_texts.update, lambda _e: None)

    def _store_known(self, info: StoreInfo) -> None:
        self.store = info
        previous = self.settings.keyring_backend
        if info.secure:
            self.settings.keyring_backend = info.name
            self.save_settings()
        self.keyStoreChanged.emit(info, previous)

    def _store_failed(self, error: BaseException) -> None:
        self.keyStoreFailed.emit(str(error))

    def _load_voices(self, desk: Desk) -> tuple[tuple[int, str], ...]:
        cache = self.context.profile.voices_file
        try:
            voices = tuple((v.voice_id, v.summary or v.name) for v in desk.voices())
        except Exception:
            return tuple(tuple(v) for v in json.loads(cache.read_text())) if cache.exists() else ()
        if voices:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(voices))
        return voices

    def _voices_loaded(self, voices: tuple[tuple[int, str], ...]) -> None:
        if voices:
            self.voices = voices
            self.voicesLoaded.emit(voices)

    # -- the service ------------------------------------------------------------------------------

    def response_text(self, code: int) -> str:
        return self.response_texts.get(code, "")

    def run(self, job: Callable[[], T], on_done: Done, on_error: Failed, owner: QObject | None = None) -> None:
        """A chore or look-up that changes nothing (not a user action)."""
        self.executor.submit(job, on_done, on_error, owner=owner)

    def act(self, job: Callable[[Desk], T], on_done: Done, on_error: Failed, owner: QObject | None = None) -> Waiting:
        """A user action that the desk records (schedule, cancel). Afterwards the history changed."""
        desk, waiting = self.desk, Waiting()

        def finished(result: Any) -> None:
            self._after_action()
            if not waiting.stopped:
                on_done(result)

        def failed(error: BaseException) -> None:
            self._after_action()
            if not waiting.stopped:
                on_error(error)

        self.executor.submit(lambda: job(desk), finished, failed, owner=owner, user_action=True)
        return waiting

    @property
    def namespace_in_use(self) -> str:
        """What the client speaks now: it may have switched after a SOAPAction fault."""
        return self.desk.namespace_in_use or self.connection.namespace

    def _after_action(self) -> None:
        self.historyProblem.emit(self.desk.history_problem)
        self.actionRecorded.emit()

    def start_bulk(
        self,
        account: str,
        kind: Kind,
        items: Sequence[BulkItem],
        concurrency: int,
        on_progress: Callable[[tuple[BulkProgress, ...]], None],
        on_finished: Callable[[BulkOutcome], None],
        owner: QObject,
        owners: Mapping[str, str] | None = None,
        on_ended: Callable[[BulkOutcome], None] | None = None,
    ) -> BulkRun:
        """Cancel `items` on the executor's pool, at most `concurrency` at a time. Progress and
        the outcome arrive on the GUI thread as immutable snapshots; progress in batches, a few
        times a second, so the GUI's cost does not grow with the number of rows. `owners`
        (QueueID -> account) cancels each QueueID with its own account ("All accounts").
        `on_ended(outcome)` runs on the worker that ends the run, even after the window has gone
        (keeping the rows that were never sent)."""
        from ..bulk import BulkRun

        progress = self.executor.batch_channel(on_progress, owner, interval_ms=BULK_PROGRESS_MS)

        def finished(outcome: BulkOutcome) -> None:
            progress.close()  # what it still holds is older than the outcome
            done.close()
            self._bulk_run = None
            self.desk.reconfigure()  # the run's many sessions close now
            self._after_action()
            if shiboken6.isValid(owner):  # the page may be gone; the controller's state is not
                on_finished(outcome)

        done = self.executor.channel(finished)
        work = self.desk.bulk_worker(account, kind, owners)
        run = BulkRun(items, work, concurrency, self.executor.pool, progress, done)
        self._bulk_run = run
        if on_ended is not None:
            run.when_finished(on_ended)
        run.start()
        return run

    def request_cancel_call(self, queue_id: int) -> None:
        self.cancelCallRequested.emit(queue_id)

    @property
    def watcher(self) -> Watcher:
        """The watch list's poller ("Calls from this desk"): created and started on first use,
        which is after the first paint (by the page, or by the window's notifier)."""
        if self._watcher is None:
            from .watcher import Watcher

            self._watcher = Watcher(self, parent=self)
            self._watcher.start()
        return self._watcher

    def reset_training_data(self, on_done: Callable[[int], None], on_error: Failed, owner: QObject) -> None:
        """Empty the training sandbox (sandbox mode only); the calls the watch list followed are
        closed in the history as deleted, so they are not looked up and reported as failed."""
        from ..watch import forget_after_training_reset

        sandbox, history, now = self.connection.sandbox, self.desk.history, datetime.now(UTC)
        if sandbox is None:
            raise RuntimeError("reset_training_data needs the built-in sandbox")

        def reset() -> int:
            deleted = sandbox.reset_training_data()
            forget_after_training_reset(history, now)
            return deleted

        def done(deleted: int) -> None:
            self.watcher.reload()
            on_done(deleted)

        self.run(reset, done, on_error, owner)

    def request_cancel_reference(self, reference_id: str) -> None:
        """Open Cancel with this reference ID filled in (the window wires it; the user confirms)."""
        self.cancelReferenceRequested.emit(reference_id)

    def find_bulk_owners(
        self, queue_ids: Sequence[str], on_done: Done, on_error: Failed, owner: QObject | None = None
    ) -> None:
        """All accounts: which account owns each QueueID (bulk_owners.find_owners: one keyed
        status look-up per account, nothing cancelled or recorded). Answers an `Owners`."""
        from ..bulk_owners import find_owners

        names = self.accounts.names()  # the chosen account first: the likeliest owner
        accounts = tuple(sorted(names, key=lambda name: name != self.accounts.current))
        desk, values = self.desk, tuple(queue_ids)
        self.run(lambda: find_owners(desk.watch_statuses, accounts, values), on_done, on_error, owner)

    # -- settings and closing ---------------------------------------------------------------------------

    def settings_saved(self) -> None:
        """The Settings dialog changed the settings."""
        self.save_settings()
        self.connection.settings_changed()

    def save_settings(self) -> None:
        try:
            self.settings.save(self.context.profile.settings_file)
        except OSError as exc:
            log.error("settings not saved: %s", exc)

    @property
    def bulk_running(self) -> bool:
        return self._bulk_run is not None

    @property
    def work_in_progress(self) -> bool:
        """A schedule, a cancel or a bulk run the user started is still going."""
        return self.executor.busy or self.bulk_running

    def shutdown(self) -> None:
        """The window is closing: deliver nothing more, start nothing new (a bulk run sends
        nothing more). Never blocks: what is in flight ends within the timeout and is recorded."""
        if self._bulk_run is not None:
            self._bulk_run.stop()
        self.executor.shutdown()
