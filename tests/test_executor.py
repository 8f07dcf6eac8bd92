"""The one executor: results arrive on the GUI thread, sessions and connections are reused between
tasks while the settings stay the same, and are closed when they change or a bulk run ends."""

from __future__ import annotations

import threading
from pathlib import Path

import shiboken6
from PySide6.QtWidgets import QWidget

from desktop_app.bulk import BulkItem
from desktop_app.service import PhoneNotifyClient
from desktop_app.ui.executor import POOL_THREADS, Executor
from tests.conftest import KEY_A, make_controller


def client_sockets_to(port: int) -> int:
    """Established TCP connections from this process's clients to `port` (the sandbox runs in this
    process too, so its own side of each connection is left out)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if fields[3] == "01" and remote_port == port:  # 01 = ESTABLISHED
                count += 1
    return count


def run_one(qtbot, executor: Executor, job):
    results: list = []
    executor.submit(job, results.append, results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    return results[0]


def test_results_reach_the_gui_thread_and_a_dead_owner_gets_nothing(qtbot):
    executor = Executor(threads=2)
    seen = []
    executor.submit(threading.current_thread, lambda worker: seen.append((worker, threading.current_thread())))
    qtbot.waitUntil(lambda: bool(seen))
    worker, receiver = seen[0]
    assert worker is not threading.main_thread() and receiver is threading.main_thread()
    owner = QWidget()
    release = threading.Event()
    executor.submit(lambda: release.wait(5), lambda _: seen.append("delivered"), owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(owner))
    release.set()
    qtbot.waitUntil(lambda: executor.pending == 0)
    assert seen[1:] == []
    executor.shutdown()
    assert executor.wait(5)


def test_a_client_under_the_real_executor_keeps_one_connection(qtbot, sandbox):
    executor = Executor(threads=1)
    client = PhoneNotifyClient(sandbox.url, timeout=5)
    for _ in range(5):
        assert run_one(qtbot, executor, client.get_version)
    assert sandbox.connections_accepted == 1
    executor.shutdown()
    assert executor.wait(5)
    client.close()


def test_twenty_cancels_through_the_executor_reuse_connections(qtbot, tmp_path, app_sandbox, memory_keyring):
    controller = make_controller(tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    done: list = []
    for n in range(20):  # one after another, as an agent works
        controller.act(lambda desk, n=n: desk.cancel_by_reference_id("Main office", f"r{n}"), done.append, done.append)
        qtbot.waitUntil(lambda n=n: len(done) == n + 1, timeout=10_000)
    assert all(result.cancelled == 0 for result in done)
    assert app_sandbox.operations["CancelNotifyByReferenceID"] == 20
    assert app_sandbox.connections_accepted <= 2  # keep-alive: not one connection per cancel
    assert client_sockets_to(app_sandbox.port) >= 1  # the connection stays open for the next request

    # New settings: the sessions close, and the next request opens a new connection.
    controller.settings_saved()
    qtbot.waitUntil(lambda: controller.executor.pending == 0)  # new settings also look the namespace up
    assert client_sockets_to(app_sandbox.port) == 0  # the cancels' connection and the look-up's are closed
    before = app_sandbox.connections_accepted
    controller.act(lambda desk: desk.cancel_by_reference_id("Main office", "after"), done.append, done.append)
    qtbot.waitUntil(lambda: len(done) == 21, timeout=10_000)
    assert app_sandbox.connections_accepted == before + 1
    controller.shutdown()
    assert controller.executor.wait(5)
    controller.desk.close()
    controller.context.history.close()


def test_a_bulk_run_closes_its_sessions_when_it_ends(qtbot, tmp_path, app_sandbox, memory_keyring):
    controller = make_controller(tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    app_sandbox.faults.latency_seconds = 0.05
    outcomes: list = []
    items = [BulkItem(n, f"bulk-{n}") for n in range(1, 41)]
    owner = QWidget()
    controller.start_bulk("Main office", "reference", items, 8, lambda _p: None, outcomes.append, owner)
    assert controller.bulk_running
    qtbot.waitUntil(lambda: bool(outcomes), timeout=20_000)
    assert not controller.bulk_running
    assert outcomes[0].totals.done == 40
    # Each pool thread keeps its connection between requests (20 threads at most, 40 requests).
    assert app_sandbox.connections_accepted <= POOL_THREADS < 40
    assert client_sockets_to(app_sandbox.port) == 0  # and closed when the run ended
    controller.shutdown()
    assert controller.executor.wait(5)
    controller.context.history.close()


def test_a_batch_channel_hands_over_every_value_a_few_times_a_second(qtbot):
    executor = Executor(threads=4)
    batches: list[tuple] = []
    channel = executor.batch_channel(batches.append, interval_ms=50)

    def send(lane: int) -> None:
        for n in range(500):
            channel((lane, n))

    for lane in range(4):
        executor.submit(lambda lane=lane: send(lane), lambda _: None)
    qtbot.waitUntil(lambda: sum(len(b) for b in batches) == 2000, timeout=10_000)
    values = [value for batch in batches for value in batch]
    for lane in range(4):
        assert [n for each, n in values if each == lane] == list(range(500))  # each sender's order kept
    assert len(batches) < 100  # handed over in a few batches, not one signal each
    channel.close()
    channel((9, 9))
    qtbot.wait(120)
    assert sum(len(b) for b in batches) == 2000  # nothing after close
    executor.shutdown()
    assert executor.wait(5)


def test_closing_runs_a_user_action_still_waiting_for_a_thread_and_drops_waiting_chores(qtbot):
    """Close the window the moment a cancel was confirmed: the cancel is sent (and records itself)
    even if no thread had taken it yet; a chore that had not started is dropped."""
    executor = Executor(threads=1)
    release, ran = threading.Event(), []
    executor.submit(lambda: release.wait(5), lambda _: None)  # holds the only thread
    chore = executor.submit(lambda: ran.append("chore"), lambda _: None)
    action = executor.submit(lambda: ran.append("cancel"), lambda _: None, user_action=True)
    executor.shutdown()
    release.set()
    assert executor.wait(5)
    assert ran == ["cancel"]
    assert chore.cancelled() and action.done() and not action.cancelled()
