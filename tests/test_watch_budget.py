"""The watch list's polling budget, proved on the sandbox's manual clock: real HTTP through the
controller's executor, rounds driven by a timer the test fires (no real minutes are waited). And
the real round timer (QtRoundTimer) on real QTimers with short delays, its sleep detection driven
by making the clocks it reads jump."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

import keyring.errors
import pytest
from PySide6.QtCore import QObject, QTimer

from desktop_app.sandbox.accounts import normalise_key
from desktop_app.service import new_call_request
from desktop_app.ui import watcher as watcher_module
from desktop_app.ui.watcher import QtRoundTimer, Watcher
from desktop_app.watch import ERROR_SECONDS, FAST_SECONDS, KEY_PROBLEM
from tests.conftest import KEY_A, KEY_B, make_controller
from tests.support import MemoryKeyring

ACCOUNTS = {"Main office": KEY_A, "Branch": KEY_B}
# The budget stated in desktop_app/watch.py and docs/watch.md, per account: requests per minute
# while the nearest call is more than 10 min away, 1 to 10 min away, and due or in progress.
PER_MINUTE = {"far": 1, "near": 4, "due": 12}
HOUR_BUDGET = 80  # an hour in which calls booked 30 minutes ahead ring and end (docs/watch.md)


class ManualTimer:
    """Records the delay the watcher asks for; the test moves the clock and fires it."""

    def __init__(self) -> None:
        self.seconds: float | None = None

    def arm(self, seconds: float | None) -> None:
        self.seconds = seconds


def book(controller, account: str, number: str, when, reference: str) -> int:
    call = new_call_request(phone_number=number, text_to_say="Hello there.", scheduled=when, reference_id=reference)
    booked = controller.desk.schedule(account, call)
    assert booked.booked
    return booked.queue_id


@pytest.fixture
def controller(tmp_path, app_sandbox, memory_keyring):
    controller = make_controller(tmp_path, app_sandbox, memory_keyring, ACCOUNTS)
    yield controller
    controller.shutdown()
    controller.executor.wait(10)
    controller.desk.close()
    controller.context.history.close()


def run_round(qtbot, watcher: Watcher) -> None:
    with qtbot.waitSignal(watcher.roundFinished, timeout=10_000):
        watcher.poll_now()


def test_one_hour_of_polling_stays_within_the_stated_budget(qtbot, controller, app_sandbox):
    clock = app_sandbox.state.clock
    start = clock.now()
    due = start + timedelta(minutes=30)
    for account in ACCOUNTS:
        for number in ("757-555-1237", "757-555-1230", "757-555-1231"):
            book(controller, account, number, due, "budget")
    timer = ManualTimer()
    watcher = Watcher(controller, now=clock.now, timer=timer)
    with qtbot.waitSignal(watcher.roundFinished, timeout=10_000):
        watcher.start()  # rebuilt from the history; the new calls get their first status at once
    assert len(watcher.pending()) == 6

    phase_of_round = []
    while timer.seconds is not None:
        clock.advance(timer.seconds)
        until = due - clock.now()
        phase = "far" if until > timedelta(minutes=10) else "near" if until > timedelta(minutes=1) else "due"
        phase_of_round.append(phase)
        run_round(qtbot, watcher)
    ended_at = clock.now()
    assert ended_at - start < timedelta(minutes=32)  # the calls last about 25 seconds
    assert all(call.final for call in watcher.rows)

    clock.advance((start + timedelta(hours=1) - clock.now()).total_seconds())  # the rest of the hour
    assert timer.seconds is None  # nothing pending: no polling at all

    rounds = 1 + len(phase_of_round)
    for key in ACCOUNTS.values():
        assert app_sandbox.status_requests[normalise_key(key)] == rounds  # one request per account per round
    minutes = {"far": 20, "near": 9, "due": (ended_at - (due - timedelta(minutes=1))).total_seconds() / 60}
    for phase, per_minute in PER_MINUTE.items():
        assert phase_of_round.count(phase) <= per_minute * minutes[phase] + 1, phase
    assert rounds <= HOUR_BUDGET  # 20 far + 36 near + about 17 due: 73 here
    outcomes = [r for r in controller.context.history.records() if r.action == "outcome"]
    assert len(outcomes) == 6 and {r.message for r in outcomes} == {
        "Answered by a machine, 0:06",
        "Answered by a person, 0:06",
    }


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        if username == "Branch":
            raise keyring.errors.KeyringLocked("locked")
        return super().get_password(service, username)


@pytest.mark.parametrize("why", ["gone", "locked"])
def test_an_account_whose_key_is_gone_or_locked_is_never_polled(qtbot, tmp_path, app_sandbox, why):
    backend = LockedKeyring() if why == "locked" else MemoryKeyring()
    controller = make_controller(tmp_path, app_sandbox, backend, ACCOUNTS)
    clock = app_sandbox.state.clock
    due = clock.now() + timedelta(minutes=5)
    main = book(controller, "Main office", "757-555-1230", due, "keys")
    branch_key = normalise_key(KEY_B)
    if why == "gone":
        branch = book(controller, "Branch", "757-555-1231", due, "keys")
        controller.keys.delete("Branch")
    else:
        call = new_call_request(phone_number="757-555-1231", text_to_say="Hi.", scheduled=due, reference_id="keys")
        branch = controller.desk.client.schedule_call(KEY_B, call).queue_id
        controller.context.history.record(
            account="Branch", action="schedule", inputs={"phone_number": "7575551231"}, outcome="ok", queue_id=branch
        )
    before = app_sandbox.status_requests[branch_key]
    timer = ManualTimer()
    watcher = Watcher(controller, now=clock.now, timer=timer)
    with qtbot.waitSignal(watcher.roundFinished, timeout=10_000):
        watcher.start()
    for _ in range(3):
        clock.advance(timer.seconds)
        run_round(qtbot, watcher)

    assert app_sandbox.status_requests[branch_key] == before  # never asked
    assert app_sandbox.status_requests[normalise_key(KEY_A)] == 4
    assert watcher.calls[branch].problem == KEY_PROBLEM
    assert watcher.calls[branch].live_words(clock.now()) == "not checked: the license key is missing or locked"
    assert watcher.calls[main].live_words(clock.now()).startswith("starts in")
    assert "Calls of “Branch” are not checked" in watcher.state_text()
    assert ("no license key saved" if why == "gone" else "keyring is locked") in watcher.state_text()
    controller.shutdown()
    controller.executor.wait(10)
    controller.desk.close()
    controller.context.history.close()


def test_a_cancel_while_a_round_runs_gets_its_own_round_right_after(qtbot, controller, app_sandbox):
    """The round in flight asked just before the cancel: its answer says "scheduled", so one more
    round follows it at once rather than after the slow wait (up to a minute)."""
    clock = app_sandbox.state.clock
    queue_id = book(controller, "Main office", "757-555-1237", clock.now() + timedelta(hours=2), "late-cancel")
    timer = ManualTimer()
    watcher = Watcher(controller, now=clock.now, timer=timer)
    with qtbot.waitSignal(watcher.roundFinished, timeout=10_000):
        watcher.start()
    rounds: list[None] = []
    watcher.roundFinished.connect(lambda: rounds.append(None))
    statuses_read = threading.Event()
    read_statuses = app_sandbox.service.GetMultipleQueueIdStatus

    def read_then_hold(**arguments):  # the answer is made now, then held back by the latency
        answer = read_statuses(**arguments)
        statuses_read.set()
        return answer

    app_sandbox.service.GetMultipleQueueIdStatus = read_then_hold
    app_sandbox.faults.latency_seconds = 1.0
    watcher.poll_now()
    qtbot.waitUntil(statuses_read.is_set)
    assert app_sandbox.state.cancel_by_reference_id(normalise_key(KEY_A), "late-cancel") == 1  # at the server
    controller.actionRecorded.emit()  # as after a cancel from the Cancel page
    qtbot.waitUntil(lambda: watcher.loaded and not watcher._loading)
    assert watcher.running and len(rounds) == 0  # the reload came while the held round still waits
    app_sandbox.faults.latency_seconds = 0
    qtbot.waitUntil(lambda: len(rounds) == 2, timeout=10_000)  # the held round, then the one asked for
    assert watcher.calls[queue_id].outcome == "Cancelled"
    assert timer.seconds is None  # nothing left to follow: no slow wait was ever needed


def fire(qtbot, timer: ManualTimer, watcher: Watcher, clock) -> None:
    """The wait the watcher asked for passes on the manual clock and its timer fires: the round it
    starts, to its end."""
    assert timer.seconds is not None, "the watcher armed no timer"
    clock.advance(timer.seconds)
    run_round(qtbot, watcher)


def test_while_the_service_fails_an_action_does_not_cut_the_back_off_short(qtbot, controller, app_sandbox):
    """A call 50 s away is checked every 5 s; while the service fails, the back-off (10 s, then
    20 s) sets the wait instead, and an action recorded meanwhile does not start a round early."""
    clock = app_sandbox.state.clock
    book(controller, "Main office", "757-555-1237", clock.now() + timedelta(seconds=50), "backing-off")
    timer = ManualTimer()
    watcher = Watcher(controller, now=clock.now, timer=timer)
    with qtbot.waitSignal(watcher.roundFinished, timeout=10_000):
        watcher.start()
    assert watcher.errors == 0 and timer.seconds == FAST_SECONDS  # due within a minute: every 5 s

    app_sandbox.faults.inject("html500", times=2, operation="GetMultipleQueueIdStatus")
    served = app_sandbox.requests_served
    fire(qtbot, timer, watcher, clock)
    assert app_sandbox.requests_served == served + 1  # one account, one request
    assert watcher.errors == 1 and timer.seconds == ERROR_SECONDS  # the back-off, not the 5 s pace
    assert "The last check failed" in watcher.state_text() and "Trying again in 10 s" in watcher.state_text()

    served = app_sandbox.requests_served
    with qtbot.waitSignal(watcher.changed, timeout=10_000):  # the list rebuilt from the history
        controller.actionRecorded.emit()  # the user cancels something else while the service fails
    assert not watcher.running and controller.executor.pending == 0  # no round was started
    assert app_sandbox.requests_served == served and timer.seconds == ERROR_SECONDS  # the back-off's wait stands

    fire(qtbot, timer, watcher, clock)  # fails again: the wait doubles
    assert watcher.errors == 2 and timer.seconds == 2 * ERROR_SECONDS
    fire(qtbot, timer, watcher, clock)  # the service answers again: back to the call's own pace
    assert app_sandbox.requests_served == served + 2
    assert watcher.errors == 0 and timer.seconds == FAST_SECONDS and watcher.last_error == ""


# -- the real timer -------------------------------------------------------------------------------


class Polls(QObject):
    """Stands in for the Watcher the real timer belongs to: records when it is asked to poll."""

    def __init__(self) -> None:
        super().__init__()
        self.at: list[float] = []

    def poll_now(self) -> None:
        self.at.append(time.monotonic())


class JumpingClock:
    """Stands in for the `time` module watcher.py reads: the real clocks, plus the jump a sleep
    makes (the wall clock moves on while the computer sleeps; the monotonic clock may or may not)."""

    def __init__(self) -> None:
        self.wall_jump = self.monotonic_jump = 0.0

    def time(self) -> float:
        return time.time() + self.wall_jump

    def monotonic(self) -> float:
        return time.monotonic() + self.monotonic_jump


def wait_for_a_real_timer(qtbot, seconds: float) -> None:
    """Let `seconds` pass on a real QTimer of the test's own (a deadline, not an assertion)."""
    deadline = QTimer()
    deadline.setSingleShot(True)
    with qtbot.waitSignal(deadline.timeout, timeout=int(seconds * 1000) + 5000):
        deadline.start(int(seconds * 1000))


@pytest.fixture
def jumping_clock() -> JumpingClock:
    return JumpingClock()


def test_the_real_round_timer_fires_once_after_its_delay_and_can_be_rearmed_or_stopped(
    qtbot, monkeypatch, jumping_clock, caplog
):
    caplog.set_level(logging.INFO, logger=watcher_module.__name__)
    polls = Polls()
    # A grace of 30 s: a sleep wrongly seen would mean no poll in time.
    timer = QtRoundTimer(polls, jumping_clock.time, jumping_clock.monotonic, grace=30.0)
    timer.arm(60)  # replaced by the next arm
    armed = time.monotonic()
    timer.arm(0.2)
    jumping_clock.wall_jump = 5  # the wall clock set 5 s forward (NTP): not a sleep
    qtbot.waitUntil(lambda: bool(polls.at), timeout=5000)
    assert polls.at[0] - armed >= 0.2 * 0.9  # Qt's coarse timers may fire up to 5 % early
    assert "slept" not in caplog.text

    timer.arm(0.1)
    timer.arm(None)  # stopped before it fires
    wait_for_a_real_timer(qtbot, 0.5)
    assert len(polls.at) == 1  # the first arm fired once (single shot), the stopped one never


@pytest.mark.parametrize(
    ("wall_jump", "monotonic_jump"),
    [(3600, 0), (3600, 3600)],
    ids=["monotonic clock stopped while asleep", "monotonic clock counted the sleep"],
)
def test_the_real_round_timer_waits_a_grace_after_the_computer_slept(
    qtbot, monkeypatch, jumping_clock, caplog, wall_jump, monotonic_jump
):
    caplog.set_level(logging.INFO, logger=watcher_module.__name__)
    grace = 0.4
    polls = Polls()
    timer = QtRoundTimer(polls, jumping_clock.time, jumping_clock.monotonic, grace=grace)  # 10 s in the app
    armed = time.monotonic()
    timer.arm(0.1)
    jumping_clock.wall_jump, jumping_clock.monotonic_jump = wall_jump, monotonic_jump  # an hour asleep
    qtbot.waitUntil(lambda: bool(polls.at), timeout=5000)
    assert "the computer slept" in caplog.text
    assert polls.at[0] - armed >= (0.1 + grace) * 0.9  # not at the first fire: after the grace
    wait_for_a_real_timer(qtbot, 2 * grace)
    assert len(polls.at) == 1  # the grace's round is the only one
