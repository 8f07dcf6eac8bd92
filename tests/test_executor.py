"""The one executor: results arrive on the GUI thread, sessions and connections are reused between
tasks while the settings stay the same, and are closed when they change or a bulk run ends."""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QWidget

from desktop_app.bulk import BulkItem
from desktop_app.service import PhoneNotifyClient
from desktop_app.ui.executor import POOL_THREADS, Executor
from tests.conftest import KEY_A, make_controller


class CountingRelay:
    """A small TCP relay in front of the sandbox that counts the client connections open through
    it: each one it accepts gets its own connection to the sandbox, and it is counted closed when
    either side closes it. Plain sockets and select(), so the count means the same on Linux, macOS
    and Windows (no /proc)."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted = 0
        self.open = 0
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, name="counting-relay", daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/NotifyWS/PhoneNotify.asmx"

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:  # closed
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self.accepted += 1
                self.open += 1
            threading.Thread(target=self._relay, args=(client, upstream), daemon=True).start()

    def _relay(self, client: socket.socket, upstream: socket.socket) -> None:
        other = {client: upstream, upstream: client}
        try:
            with client, upstream:
                while not self._closed:
                    readable, _, _ = select.select([client, upstream], [], [], 0.2)
                    for source in readable:
                        data = source.recv(65536)
                        if not data:  # that side closed the connection
                            return
                        other[source].sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self.open -= 1

    def close(self) -> None:
        self._closed = True
        self.listener.close()


@pytest.fixture
def relay(app_sandbox) -> Iterator[CountingRelay]:
    relay = CountingRelay(app_sandbox.port)
    yield relay
    relay.close()


def controller_through(relay: CountingRelay, tmp_path: Path, backend):
    """A controller whose requests go to the sandbox through the relay (the service address of the
    settings, as for the real service)."""
    controller = make_controller(tmp_path, None, backend, {"Main office": KEY_A})
    controller.settings.endpoint = relay.url
    return controller


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


def test_twenty_cancels_through_the_executor_reuse_connections(qtbot, tmp_path, app_sandbox, relay, memory_keyring):
    controller = controller_through(relay, tmp_path, memory_keyring)
    done: list = []
    for n in range(20):  # one after another, as an agent works
        controller.act(lambda desk, n=n: desk.cancel_by_reference_id("Main office", f"r{n}"), done.append, done.append)
        qtbot.waitUntil(lambda n=n: len(done) == n + 1, timeout=10_000)
    assert all(result.cancelled == 0 for result in done)
    assert app_sandbox.operations["CancelNotifyByReferenceID"] == 20
    assert relay.accepted <= 2  # keep-alive: not one connection per cancel
    assert app_sandbox.connections_accepted == relay.accepted  # every request went through the relay
    # The connection stays open for the next request: it is still open, and the next one uses it.
    assert relay.open >= 1
    before = relay.accepted
    controller.act(lambda desk: desk.cancel_by_reference_id("Main office", "r20"), done.append, done.append)
    qtbot.waitUntil(lambda: len(done) == 21, timeout=10_000)
    assert relay.accepted == before

    # New settings: the sessions close, and the next request opens a new connection.
    controller.settings_saved()
    qtbot.waitUntil(lambda: controller.executor.pending == 0)  # new settings also look the namespace up
    qtbot.waitUntil(lambda: relay.open == 0, timeout=5000)  # the cancels' connection and the look-up's close
    before = relay.accepted
    controller.act(lambda desk: desk.cancel_by_reference_id("Main office", "after"), done.append, done.append)
    qtbot.waitUntil(lambda: len(done) == 22, timeout=10_000)
    assert relay.accepted == before + 1
    controller.shutdown()
    assert controller.executor.wait(5)
    controller.desk.close()
    controller.context.history.close()


def test_a_bulk_run_closes_its_sessions_when_it_ends(qtbot, tmp_path, app_sandbox, relay, memory_keyring):
    controller = controller_through(relay, tmp_path, memory_keyring)
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
    assert 1 <= relay.accepted <= POOL_THREADS < 40
    qtbot.waitUntil(lambda: relay.open == 0, timeout=5000)  # and closed when the run ended
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
