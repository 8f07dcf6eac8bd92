"""Training mode remembers (issue 23, finding 8): the sandbox keeps its calls in a state file, so a
restart finds them with the status the clock gives them, QueueIDs go on from the last one, a
damaged file is set aside, no license key is written, and "Reset the training data" clears it.
Real HTTP to sandboxes on 127.0.0.1, real files."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from PySide6.QtWidgets import QMessageBox

from desktop_app.local_sandbox import TRAINING_STATE_FILE, SandboxProcess
from desktop_app.sandbox import ManualClock, Sandbox
from desktop_app.sandbox.accounts import account_id
from desktop_app.sandbox.persistence import FORMAT
from desktop_app.sandbox.rules import DIAL_SECONDS, RING_SECONDS
from desktop_app.sandbox.state import FIRST_QUEUE_ID, REFERENCE_IDS_IGNORE_CASE
from desktop_app.service import PhoneNotifyClient
from desktop_app.service.models import CallRequest
from desktop_app.storage.history import History
from desktop_app.storage.profile import Profile
from desktop_app.storage.secrets import KeyStore
from desktop_app.storage.settings import Settings
from desktop_app.ui.window_menus import RESET_QUESTION, RESET_TITLE
from tests.conftest import KEY_A, KEY_B, SANDBOX_NAMESPACE, close_window
from tests.test_ui import click_message_box, schedule_via_ui

pytestmark = pytest.mark.timeout(90)
T0 = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
TEXT = "Your appointment is tomorrow at 10."  # talks for 5 + 35 // 12 = 7 seconds
TALK_SECONDS = 7


def restarted(state_file: Path, at: datetime) -> Sandbox:
    """A new sandbox on the same state file, its clock at `at`."""
    return Sandbox(clock=ManualClock(at), namespace=SANDBOX_NAMESPACE, state_file=state_file).start()


def client_for(sandbox: Sandbox | SandboxProcess) -> PhoneNotifyClient:
    return PhoneNotifyClient(sandbox.url, timeout=5, namespace=sandbox.target_namespace)


def book(sandbox: Sandbox | SandboxProcess, when: datetime, reference: str, key: str = KEY_A, number="7575551230"):
    client = client_for(sandbox)
    try:
        booked = client.schedule_call(key, CallRequest(number, TEXT, when, reference_id=reference))
    finally:
        client.close()
    assert booked.booked
    return booked.queue_id


def status(sandbox: Sandbox | SandboxProcess, queue_id: int):
    client = client_for(sandbox)
    try:
        return client.get_call_status(queue_id)
    finally:
        client.close()


def key_spellings(key: str) -> list[bytes]:
    return [s.encode() for s in (key, key.upper(), key.replace("-", ""), key.replace("-", "").upper())]


def test_calls_survive_a_restart_with_the_status_the_clock_gives_them(tmp_path):
    state_file = tmp_path / "data" / TRAINING_STATE_FILE  # its folder does not exist yet
    first = restarted(state_file, T0)
    try:
        at_ten = book(first, T0 + timedelta(minutes=10), "persist-1")  # answered by a person (last digit 0)
        later = book(first, T0 + timedelta(hours=2), "persist-2")
        cancelled = book(first, T0 + timedelta(hours=3), "persist-3")
        client = client_for(first)
        assert client.cancel_call(KEY_A, cancelled).cancelled
        client.close()
    finally:
        first.stop()
    assert (at_ten, later, cancelled) == (FIRST_QUEUE_ID, FIRST_QUEUE_ID + 1, FIRST_QUEUE_ID + 2)

    # Restarted before its time: the call is still queued and still cancellable by its reference ID.
    second = restarted(state_file, T0 + timedelta(minutes=5))
    try:
        assert status(second, at_ten).response_code == 0
        assert status(second, cancelled).response_code == 22  # cancelled stays cancelled
        client = client_for(second)
        assert client.cancel_by_reference_id(KEY_A, "persist-2").cancelled == 1
        assert client.cancel_by_reference_id(KEY_B, "persist-1").cancelled == 0  # another account's call
        client.close()
    finally:
        second.stop()

    # Restarted an hour later: the 10:00 call rang and was answered meanwhile; nothing else moved.
    third = restarted(state_file, T0 + timedelta(hours=1))
    try:
        answered = status(third, at_ten)
        assert (answered.response_code, answered.call_complete, answered.answered) == (1, True, True)
        assert answered.start_utc == T0 + timedelta(minutes=10)
        assert answered.end_utc == T0 + timedelta(minutes=10, seconds=RING_SECONDS + TALK_SECONDS)
        assert answered.duration_seconds == TALK_SECONDS
        assert status(third, later).response_code == 22  # the cancel made after the first restart was kept
        assert status(third, cancelled).response_code == 22
        assert book(third, T0 + timedelta(hours=4), "persist-4") == FIRST_QUEUE_ID + 3  # QueueIDs go on
        assert status(third, FIRST_QUEUE_ID + 4).response_code == 9  # and nothing was invented
    finally:
        third.stop()


def test_a_call_restarted_in_the_middle_of_ringing_goes_on_ringing(tmp_path):
    state_file = tmp_path / TRAINING_STATE_FILE
    with Sandbox(clock=ManualClock(T0), namespace=SANDBOX_NAMESPACE, state_file=state_file) as first:
        queue_id = book(first, T0 + timedelta(minutes=1), "ringing")
    ringing = restarted(state_file, T0 + timedelta(minutes=1, seconds=DIAL_SECONDS + 1))
    try:
        assert status(ringing, queue_id).response_code == 18
    finally:
        ringing.stop()


def test_the_state_file_holds_no_license_key_only_its_hash(tmp_path):
    state_file = tmp_path / TRAINING_STATE_FILE
    with Sandbox(clock=ManualClock(T0), namespace=SANDBOX_NAMESPACE, state_file=state_file) as sandbox:
        book(sandbox, T0 + timedelta(hours=1), "mine", key=KEY_A)
        book(sandbox, T0 + timedelta(hours=1), "theirs", key=KEY_B.upper())  # a key typed in capitals
        client = client_for(sandbox)
        client.cancel_by_reference_id(KEY_B, "theirs")
        client.close()
    data = state_file.read_bytes()
    for key in (KEY_A, KEY_B):
        assert not any(spelling in data for spelling in key_spellings(key))
    document = json.loads(data)
    assert document["format"] == FORMAT and document["next_queue_id"] == FIRST_QUEUE_ID + 2
    assert {call["owner"] for call in document["calls"]} == {account_id(KEY_A), account_id(KEY_B)}
    assert set(document["ledgers"]) == {account_id(KEY_A), account_id(KEY_B)}
    assert not list(tmp_path.glob("*.tmp"))  # written through a temporary file, put in place
    if sys.platform != "win32":
        assert state_file.stat().st_mode & 0o077 == 0  # phone numbers and texts: the user's alone


def test_without_a_state_file_the_sandbox_keeps_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with Sandbox(clock=ManualClock(T0), namespace=SANDBOX_NAMESPACE) as sandbox:
        book(sandbox, T0 + timedelta(hours=1), "memory")
        assert sandbox.state.store is None
    assert list(tmp_path.iterdir()) == []


def a_good_state_file(tmp_path: Path) -> bytes:
    source = tmp_path / "good.json"
    with Sandbox(clock=ManualClock(T0), namespace=SANDBOX_NAMESPACE, state_file=source) as sandbox:
        book(sandbox, T0 + timedelta(hours=1), "good")
    return source.read_bytes()


def damaged(kind: str, good: bytes) -> bytes:
    document = json.loads(good)
    if kind == "not JSON":
        return b"\x00\xff not json"
    if kind == "cut short":  # a write that stopped half way (what the atomic write prevents)
        return good[: len(good) // 2]
    if kind == "empty":
        return b""
    if kind == "another version":
        document["version"] = 99
    elif kind == "a call without a zone":
        document["calls"][0]["scheduled_utc"] = "2030-03-04T10:00:00"
    elif kind == "a QueueID that is text":
        document["calls"][0]["queue_id"] = "4093250"
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    "kind", ["not JSON", "cut short", "empty", "another version", "a call without a zone", "a QueueID that is text"]
)
def test_a_damaged_state_file_is_set_aside_and_the_sandbox_starts_empty(tmp_path, caplog, kind):
    state_file = tmp_path / TRAINING_STATE_FILE
    bad = damaged(kind, a_good_state_file(tmp_path))
    state_file.write_bytes(bad)
    with caplog.at_level(logging.WARNING, logger="desktop_app.sandbox"):
        sandbox = restarted(state_file, T0)
    try:
        set_aside = state_file.with_name(state_file.name + ".damaged")
        assert set_aside.read_bytes() == bad  # kept as it was, for whoever wants to look
        (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert "damaged" in warning.getMessage() and set_aside.name in warning.getMessage()
        assert status(sandbox, FIRST_QUEUE_ID).response_code == 9  # empty
        assert book(sandbox, T0 + timedelta(hours=1), "fresh") == FIRST_QUEUE_ID
        assert json.loads(state_file.read_bytes())["calls"][0]["reference_id"] == "fresh"  # a new file
    finally:
        sandbox.stop()


def test_a_second_damaged_file_does_not_replace_the_first_one_set_aside(tmp_path):
    state_file = tmp_path / TRAINING_STATE_FILE
    for attempt in (b"first", b"second"):
        state_file.write_bytes(attempt)
        Sandbox(state_file=state_file).stop()
    assert (tmp_path / f"{TRAINING_STATE_FILE}.damaged").read_bytes() == b"first"
    assert (tmp_path / f"{TRAINING_STATE_FILE}.2.damaged").read_bytes() == b"second"


@pytest.mark.skipif(sys.platform == "win32", reason="a folder in the file's place: POSIX rename rules")
def test_an_unreadable_state_file_is_set_aside_too(tmp_path, caplog):
    state_file = tmp_path / TRAINING_STATE_FILE
    state_file.mkdir()  # reading it fails with IsADirectoryError
    with caplog.at_level(logging.WARNING, logger="desktop_app.sandbox"):
        sandbox = restarted(state_file, T0)
    try:
        assert "cannot be read" in caplog.text and (tmp_path / f"{TRAINING_STATE_FILE}.damaged").is_dir()
        assert book(sandbox, T0 + timedelta(hours=1), "fresh") == FIRST_QUEUE_ID
        assert state_file.is_file()
    finally:
        sandbox.stop()


def test_a_second_sandbox_on_the_same_file_reads_it_but_overwrites_nothing(tmp_path, caplog):
    state_file = tmp_path / TRAINING_STATE_FILE
    keeper = restarted(state_file, T0)
    try:
        kept = book(keeper, T0 + timedelta(hours=1), "kept")
        with caplog.at_level(logging.WARNING, logger="desktop_app.sandbox"):
            other = restarted(state_file, T0)
        try:
            assert "Another sandbox" in caplog.text
            assert status(other, kept).response_code == 0  # it knows the calls kept so far
            book(other, T0 + timedelta(hours=1), "not kept")
        finally:
            other.stop()
        book(keeper, T0 + timedelta(hours=1), "kept too")
    finally:
        keeper.stop()
    references = [call["reference_id"] for call in json.loads(state_file.read_bytes())["calls"]]
    assert references == ["kept", "kept too"]


def test_reset_through_the_childs_control_route_clears_every_account_and_queue_ids_go_on(tmp_path):
    state_file = tmp_path / TRAINING_STATE_FILE
    soon = datetime.now(UTC) + timedelta(hours=2)
    child = SandboxProcess.start(SANDBOX_NAMESPACE, tmp_path / "sandbox.log", state_file=state_file)
    try:
        mine, theirs = book(child, soon, "a", key=KEY_A), book(child, soon, "b", key=KEY_B)
        base = child.url.split("/NotifyWS/")[0]
        # Not a PhoneNotify operation, by any protocol; not without its header; not by GET.
        assert requests.get(f"{child.url}/Reset", timeout=5).status_code == 500
        assert requests.post(f"{child.url}/reset_training_data", timeout=5).status_code == 500
        ns = child.target_namespace
        envelope = (
            '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
            f'<Reset xmlns="{ns}" /></soap:Body></soap:Envelope>'
        )
        soap = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{ns}Reset"'}
        assert requests.post(child.url, data=envelope, headers=soap, timeout=5).status_code == 500
        assert requests.post(f"{base}/_sandbox/reset", timeout=5).status_code == 403
        assert (
            requests.get(f"{base}/_sandbox/reset", headers={"X-Sandbox-Control": "reset"}, timeout=5).status_code == 405
        )
        assert requests.get(f"{base}/_sandbox/counters", timeout=5).status_code == 404  # only reset is on
        assert status(child, mine).response_code == 0 and status(child, theirs).response_code == 0

        assert child.reset_training_data() == 2
        assert status(child, mine).response_code == 9 and status(child, theirs).response_code == 9
        assert json.loads(state_file.read_bytes())["calls"] == []
        assert child.reset_training_data() == 0
    finally:
        child.stop()
    again = SandboxProcess.start(SANDBOX_NAMESPACE, tmp_path / "sandbox.log", state_file=state_file)
    try:
        assert status(again, mine).response_code == 9  # still empty after a restart
        assert book(again, soon, "after the reset") == theirs + 1  # never a QueueID the desk's history holds
    finally:
        again.stop()


def test_a_plain_child_has_no_reset_route(tmp_path):
    child = SandboxProcess.start(SANDBOX_NAMESPACE)
    try:
        base = child.url.split("/NotifyWS/")[0]
        answer = requests.post(f"{base}/_sandbox/reset", headers={"X-Sandbox-Control": "reset"}, timeout=5)
        assert answer.status_code == 404
    finally:
        child.stop()


def test_reference_ids_are_matched_exactly_as_chosen():
    """docs/protocol.md: chosen, not observed. "case-test" does not cancel CASE-TEST's calls."""
    assert REFERENCE_IDS_IGNORE_CASE is False
    with Sandbox(clock=ManualClock(T0), namespace=SANDBOX_NAMESPACE) as sandbox:
        book(sandbox, T0 + timedelta(hours=1), "CASE-TEST")
        client = client_for(sandbox)
        assert client.cancel_by_reference_id(KEY_A, "case-test").cancelled == 0
        assert client.cancel_by_reference_id(KEY_A, "CASE-TEST").cancelled == 1
        client.close()


# -- through the app ------------------------------------------------------------------------------


def training_window(qtbot, profile: Profile, memory_keyring):
    """The app as `--sandbox` starts it: its own sandbox child, started after the first paint."""
    from desktop_app.ui.controller import AppContext, AppController
    from desktop_app.ui.main_window import MainWindow

    keys = KeyStore(memory_keyring)
    keys.set("Main office", KEY_A)
    settings = Settings(accounts=["Main office"], default_account="Main office", timeout_seconds=5)
    context = AppContext(
        profile, settings, keys, History(profile.history_file), start_sandbox=True, sandbox_namespace=SANDBOX_NAMESPACE
    )
    window = MainWindow(AppController(context))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: context.sandbox is not None, timeout=20_000)
    qtbot.waitUntil(lambda: window.controller.store is not None, timeout=10_000)
    return window


def close_training_window(window) -> None:
    sandbox = window.controller.context.sandbox
    close_window(window)
    sandbox.stop()  # as app.finish does


def test_the_training_sandbox_keeps_a_booked_call_across_a_restart_of_the_app(qtbot, tmp_path, memory_keyring):
    profile = Profile.isolated(tmp_path / "profile").ensure()
    when = datetime.now(UTC) + timedelta(minutes=40)
    first = training_window(qtbot, profile, memory_keyring)
    try:
        booked = schedule_via_ui(qtbot, first, "757-555-1230", "training-1", when)
        page = first.page("watch")
        qtbot.waitUntil(lambda: page.status_text(booked.queue_id).startswith("starts in"), timeout=10_000)
    finally:
        close_training_window(first)
    state_file = profile.data_dir / TRAINING_STATE_FILE
    assert [c["queue_id"] for c in json.loads(state_file.read_bytes())["calls"]] == [booked.queue_id]
    assert not any(spelling in state_file.read_bytes() for spelling in key_spellings(KEY_A))

    second = training_window(qtbot, profile, memory_keyring)
    try:
        page = second.page("watch")
        watcher = second.controller.watcher
        qtbot.waitUntil(lambda: page.model.rowCount() == 1 and not watcher.running, timeout=10_000)
        with qtbot.waitSignal(watcher.roundFinished, timeout=10_000):
            watcher.poll_now()  # asks the restarted sandbox, which still knows the call
        assert page.status_text(booked.queue_id).startswith("starts in")  # not "failed: Universal Error"
        again = schedule_via_ui(qtbot, second, "757-555-1231", "training-2", when)
        assert again.queue_id == booked.queue_id + 1  # no clash with the call booked before the restart
        qtbot.waitUntil(lambda: page.status_text(again.queue_id).startswith("starts in"), timeout=10_000)
        assert page.status_text(booked.queue_id).startswith("starts in")

        # File > Reset the training data…, with a question that says what it clears.
        (file_menu,) = [a.menu() for a in second.menuBar().actions() if a.text() == "&File"]
        (reset,) = [a for a in file_menu.actions() if a.text() == "&Reset the training data…"]
        reset.trigger()
        qtbot.waitUntil(lambda: any(b.isVisible() for b in second.findChildren(QMessageBox)))
        (box,) = [b for b in second.findChildren(QMessageBox) if b.isVisible()]
        assert (box.windowTitle(), box.text()) == (RESET_TITLE, RESET_QUESTION)
        assert box.defaultButton().text() == "Keep it"
        click_message_box(qtbot, second, "Reset the training data")
        qtbot.waitUntil(lambda: second.statusBar().currentMessage().startswith("Training data reset"), timeout=10_000)
        assert second.statusBar().currentMessage() == (
            "Training data reset: 2 calls deleted. History on this desk is kept."
        )
        assert json.loads(state_file.read_bytes())["calls"] == []
        assert {r.queue_id for r in second.controller.context.history.records()} >= {booked.queue_id, again.queue_id}
        # The calls the list followed are gone from the sandbox: closed as deleted, never looked up
        # again and reported as "failed: Universal Error".
        qtbot.waitUntil(lambda: not watcher.running and not watcher.pending(), timeout=10_000)
        for queue_id in (booked.queue_id, again.queue_id):
            assert page.status_text(queue_id) == "deleted when the training data was reset"
    finally:
        close_training_window(second)


def test_without_the_sandbox_there_is_no_reset_entry(qtbot, tmp_path, memory_keyring):
    from desktop_app.ui.controller import AppContext, AppController
    from desktop_app.ui.main_window import MainWindow

    profile = Profile.isolated(tmp_path / "profile").ensure()
    context = AppContext(profile, Settings(), KeyStore(memory_keyring), History(profile.history_file))
    window = MainWindow(AppController(context))
    qtbot.addWidget(window)
    try:
        (file_menu,) = [a.menu() for a in window.menuBar().actions() if a.text() == "&File"]
        assert [a.text() for a in file_menu.actions() if a.text()] == ["&Settings…", "&Quit"]
    finally:
        window.controller.shutdown()
        window.controller.executor.wait(10)
        context.history.close()
