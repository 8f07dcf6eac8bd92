"""The Qt side of the watch list: rounds of status requests on the controller's executor.

`Watcher` keeps the watched calls (immutable `watch.Watched` values), rebuilds them from the
history at start and after every recorded action, and runs one round at a time: one request per
account, all on the executor; the next round is armed only when the last account answered, after
the delay `watch.next_delay` asks for. No round runs while the network is down (Qt's network
information says so) or while nothing is pending; a wake from sleep waits a few seconds first.

The clock and the timer are injectable so tests run rounds on the sandbox's manual clock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from ..watch import (
    FAST_SECONDS,
    KEY_PROBLEM,
    MID_SECONDS,
    AccountRound,
    Watched,
    from_history,
    next_delay,
    poll_account,
)

if TYPE_CHECKING:
    from PySide6.QtNetwork import QNetworkInformation

    from ..desk import Desk

log = logging.getLogger(__name__)
WAKE_GRACE_SECONDS = 10.0  # after the computer slept: give the network time to come back


class RoundTimer(Protocol):
    def arm(self, seconds: float | None) -> None:
        """Call the watcher's `poll_now` after `seconds` (None: not at all)."""


class QtRoundTimer:
    """The real timer: one single-shot QTimer. Notices a sleep (the wall clock jumped); `wall` and
    `monotonic` are the clocks it compares, `grace` how long it waits after a sleep."""

    def __init__(
        self,
        watcher: Watcher,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        grace: float = WAKE_GRACE_SECONDS,
    ) -> None:
        self.watcher = watcher
        self._wall, self._monotonic, self._grace = wall, monotonic, grace
        self.timer = QTimer(watcher)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._fire)
        self._armed_at = (0.0, 0.0)  # (wall, monotonic)
        self._seconds = 0.0

    def arm(self, seconds: float | None) -> None:
        self.timer.stop()
        if seconds is not None:
            self._armed_at, self._seconds = (self._wall(), self._monotonic()), seconds
            self.timer.start(int(seconds * 1000))

    def _fire(self) -> None:
        wall, monotonic = self._wall() - self._armed_at[0], self._monotonic() - self._armed_at[1]
        if wall - monotonic > 30 or wall > self._seconds + 60:  # asleep meanwhile
            log.info("the computer slept: the watch list waits %s s", self._grace)
            self._armed_at, self._seconds = (self._wall(), self._monotonic()), self._grace
            self.timer.start(int(self._grace * 1000))
            return
        self.watcher.poll_now()


def _network_information() -> QNetworkInformation | None:
    try:
        from PySide6.QtNetwork import QNetworkInformation

        if QNetworkInformation.instance() is None:
            QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability)
        return QNetworkInformation.instance()
    except Exception:  # no backend on this desktop: assume online, errors back off anyway
        return None


def _poll_in_turn(
    desk: Desk, jobs: tuple[tuple[str, tuple[Watched, ...]], ...], now: datetime
) -> tuple[AccountRound | tuple[str, BaseException], ...]:
    """One round, on one worker: each account's request in turn. A round lasts the sum of the
    answers instead of the longest (a few tenths of a second for a few accounts, against rounds
    at least 5 s apart), and only one worker parses at a time, so the window's thread waits less
    for Python's lock than with one worker per account (bench/watch.py; docs/performance.md)."""
    results: list[AccountRound | tuple[str, BaseException]] = []
    for account, calls in jobs:
        try:
            results.append(poll_account(desk, account, calls, now))
        except Exception as error:  # a bug: reported for this account, the others still asked
            log.exception("the watch round failed for one account")  # the traceback, redacted
            results.append((account, error))
    return tuple(results)


class Watcher(QObject):
    changed = Signal()  # the calls changed: repaint
    callEnded = Signal(str)  # a watched call has just ended: a plain sentence for a notification
    roundFinished = Signal()  # every account of the round answered
    stateChanged = Signal()  # paused, blocked accounts or errors changed: the page's status line

    def __init__(
        self,
        controller: Any,  # the AppController, which creates the watcher (no import: no circle)
        now: Callable[[], datetime] | None = None,
        timer: RoundTimer | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self._now = now or self._service_now
        self.timer = timer or QtRoundTimer(self)
        self.calls: dict[int, Watched] = {}
        self.blocked: dict[str, str] = {}  # account -> why its key could not be read
        self.errors = 0  # failed rounds in a row
        self.last_error = ""
        self.history_problem = ""
        self.next_delay: float | None = None
        self.running = 0  # accounts whose answer the round still waits for
        self.loaded = False
        self._reload_again = False
        self._poll_again = False  # asked for while a round ran: one more right after it
        self._loading = False
        self._stopped = False
        self._round_failed = False
        self._held = False  # a round was due while paused: it runs when the pause ends
        self.network = _network_information()
        if self.network is not None:
            self.network.reachabilityChanged.connect(self._reachability_changed)
        controller.connection.endpointChanged.connect(self._reachability_changed)  # e.g. the sandbox has started
        controller.actionRecorded.connect(self.reload)
        controller.accounts.accountsChanged.connect(self._accounts_changed)

    def _service_now(self) -> datetime:
        """The sandbox's clock when it runs (tests move it), else the computer's."""
        sandbox = self.controller.connection.sandbox
        return sandbox.now() if sandbox is not None else datetime.now(UTC)

    def now(self) -> datetime:
        return self._now()

    # -- the list ---------------------------------------------------------------------------------

    @property
    def rows(self) -> tuple[Watched, ...]:
        return tuple(self.calls.values())

    def pending(self) -> list[Watched]:
        return [c for c in self.calls.values() if c.pending]

    def start(self) -> None:
        self.reload()

    def stop(self) -> None:
        self._stopped = True
        self.timer.arm(None)

    def reload(self) -> None:
        """Rebuild the list from the history (after a restart, a booking or a cancel)."""
        if self._loading:
            self._reload_again = True
            return
        self._loading = True
        history, now = self.controller.desk.history, self.now()
        self.controller.run(lambda: tuple(history.watch_list(now)), self._loaded, self._load_failed, self)

    def _loaded(self, pairs: tuple) -> None:
        self._loading = False
        known, fresh = self.calls, {}
        for booking, outcome in pairs:
            rebuilt = from_history(booking, outcome)
            old = known.get(rebuilt.queue_id)
            fresh[rebuilt.queue_id] = old if old is not None and (old.final or not rebuilt.final) else rebuilt
        new_pending = any(q not in known and c.pending for q, c in fresh.items())
        self.calls, self.loaded, self.history_problem = fresh, True, ""
        self._mark_blocked()
        self.changed.emit()
        if self._reload_again:
            self._reload_again = False
            self.reload()
        elif new_pending or (not self.errors and any(c.pending for c in fresh.values())):
            # A booking or a cancel from this desk: the statuses now, not after the slow wait (a
            # round already running may have asked just before the cancel). While the service
            # fails, the back-off decides instead.
            self.poll_now()
        elif not self.running:
            self._arm()
        self.stateChanged.emit()

    def _load_failed(self, error: BaseException) -> None:
        self._loading = False
        self.history_problem = str(error)
        self.stateChanged.emit()

    def _mark_blocked(self) -> None:
        for queue_id, call in list(self.calls.items()):
            if not call.final and call.account in self.blocked and not call.problem:
                self.calls[queue_id] = replace(call, problem=KEY_PROBLEM)

    def _accounts_changed(self) -> None:
        """Keys may have been entered again: blocked accounts are tried once more."""
        if self.blocked:
            self.blocked.clear()
            self.calls = {q: replace(c, problem="") for q, c in self.calls.items()}
            self.stateChanged.emit()
            self.changed.emit()
            self.poll_now()

    # -- rounds -------------------------------------------------------------------------------------

    @property
    def starting(self) -> bool:
        """No address to ask yet: the sandbox is still starting (or could not start)."""
        return not self.controller.connection.service_url

    @property
    def paused(self) -> bool:
        """No round runs until this changes: the sandbox is still starting, or the network is down."""
        if self.starting:
            return True
        if self.network is None:
            return False
        from PySide6.QtNetwork import QNetworkInformation

        return self.network.reachability() == QNetworkInformation.Reachability.Disconnected

    def _reachability_changed(self, *_args: object) -> None:
        """The network or the service address changed: resume a round that was held back."""
        self.stateChanged.emit()
        if self._held and not self.paused:
            self.poll_now()

    def poll_now(self) -> None:
        """Start a round now (the timer, a booking or a cancel, "Check now"); if one is running,
        another follows it at once."""
        if self._stopped:
            return
        if self.running:
            self._poll_again = True
            return
        self.timer.arm(None)
        self._held = self.paused
        if self.paused:
            self.next_delay = None
            self.stateChanged.emit()
            return
        accounts = self.controller.settings.accounts
        by_account: dict[str, list[Watched]] = {}
        for call in self.pending():
            if call.account in accounts:
                by_account.setdefault(call.account, []).append(call)
        if not by_account:
            self._arm()
            self.roundFinished.emit()
            return
        self.running = len(by_account)
        now, desk = self.now(), self.controller.desk
        jobs = tuple((account, tuple(calls)) for account, calls in by_account.items())
        self.controller.run(lambda: _poll_in_turn(desk, jobs, now), self._round_done, self._round_failed_outright, self)

    def _round_done(self, results: tuple[AccountRound | tuple[str, BaseException], ...]) -> None:
        for result in results:
            if isinstance(result, AccountRound):
                self._account_done(result)
            else:
                self._account_failed(*result)

    def _round_failed_outright(self, error: BaseException) -> None:
        for _ in range(self.running):
            self._account_failed("", error)

    def _account_done(self, result: AccountRound) -> None:
        for call in result.calls:
            if call.queue_id in self.calls:
                self.calls[call.queue_id] = call
        if result.key_problem:
            self.blocked[result.account] = result.key_problem
        if result.error:
            self.last_error = result.error
        self.history_problem = result.history_problem or self.history_problem
        for call in result.ended:
            self.callEnded.emit(call.ended_text())
        self._one_done(failed=bool(result.error))

    def _account_failed(self, account: str, error: BaseException) -> None:  # a bug, not the service
        log.error("the watch round for an account failed: %s", type(error).__name__)
        self.last_error = "An unexpected problem occurred. Details are in the log file."
        self._one_done(failed=True)

    def _one_done(self, failed: bool) -> None:
        self._round_failed = self._round_failed or failed
        self.running -= 1
        if self.running:
            return
        self.errors = self.errors + 1 if self._round_failed else 0
        if not self._round_failed:
            self.last_error = ""
        self._round_failed = False
        self._arm()
        self.changed.emit()
        self.stateChanged.emit()
        self.roundFinished.emit()
        if self._poll_again:
            self._poll_again = False
            if not self.errors:  # after a failed round the back-off's wait stands
                self.poll_now()

    def _arm(self) -> None:
        self.next_delay = None if self._stopped else next_delay(self.calls.values(), self.now(), self.errors)
        self.timer.arm(self.next_delay)

    # -- for the page -------------------------------------------------------------------------------

    def state_text(self) -> str:
        """One plain line: how the list is followed right now."""
        if not self.loaded:
            return "Reading the history…"
        if self.history_problem:
            return f"The history could not be read or written: {self.history_problem}"
        parts = [
            f"Calls of “{account}” are not checked: {problem}" for account, problem in sorted(self.blocked.items())
        ]
        parts.append(self._pace_text())
        return "\n".join(parts)

    def _pace_text(self) -> str:
        if self.starting:
            problem = self.controller.connection.sandbox_problem
            if problem:
                return f"The sandbox could not start: {problem}"
            return "The sandbox is starting: checking begins when it is ready."
        if self.paused:
            return "The network is down: checking resumes when it is back."
        if self.last_error:
            return f"The last check failed: {self.last_error} Trying again in {round(self.next_delay or 0)} s."
        if self.next_delay is None:
            return (
                "Checking the calls now…" if self.running else "Nothing to follow: no call is waiting or in progress."
            )
        if self.next_delay <= FAST_SECONDS:
            return "A call is due or in progress: checking every 5 seconds."
        if self.next_delay <= MID_SECONDS:
            return "The next call starts within 10 minutes: checking every 15 seconds."
        return "The next call starts in more than 10 minutes: checking once a minute."
