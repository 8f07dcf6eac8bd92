"""The fault matrix: every user action against every network fault, through the real UI.

For each cell the app must say in plain words what happened and what to do, stay usable, record an
accurate history row (an error, or "outcome unknown" for a schedule whose answer was lost) without
losing earlier history, and succeed at the next action once the server is back.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from desktop_app.service import PhoneNotifyClient, new_call_request
from tests.conftest import KEY_A, make_window
from tests.test_ui import click_message_box

TIMEOUT = 1.5
NUMBER = "757-555-1230"


@dataclass(frozen=True)
class Fault:
    name: str
    words: str  # what the message must say happened
    sent: bool  # did the request reach the server (so a schedule's outcome is unknown)?
    processed: bool = False  # did the server act on it before the fault (so a call was booked)?
    reaches_server: bool | None = None  # did the request get to the operation at all (default: `sent`)?

    @property
    def reached(self) -> bool:
        return self.sent if self.reaches_server is None else self.reaches_server


FAULTS = [
    Fault("server down", "refused the connection", sent=False),
    Fault("DNS failure", "name could not be found", sent=False),
    Fault("TLS failure", "certificate could not be verified", sent=False),
    Fault("connect timeout", "could not be reached in time", sent=False),
    Fault("read timeout", "did not answer in time", sent=True, processed=True),
    Fault("slow, then normal", "", sent=True, processed=True),
    Fault("html500", "HTTP 500", sent=True),
    # The service read the request and refused it with a fault before acting: a known refusal, so
    # the outcome is not unknown although the request reached the operation.
    Fault("soap_fault", "refused the request", sent=False, reaches_server=True),
    Fault("malformed_xml", "could not be understood", sent=True, processed=True),
    Fault("wrong_content_type", "could not be understood", sent=True, processed=True),
    Fault("empty_body", "could not be understood", sent=True, processed=True),
    Fault("oversized", "far larger than expected", sent=True, processed=True),
    Fault("reset", "connection broke", sent=True, processed=True),
    Fault("entity_payload", "unsafe XML", sent=True, processed=True),
]
ACTIONS = ["schedule", "cancel by reference ID", "cancel by QueueID", "look up"]
OPERATIONS = {
    "schedule": "NotifyPhoneAdvanced",
    "cancel by reference ID": "CancelNotifyByReferenceID",
    "cancel by QueueID": "CancelNotify",
    "look up": "GetQueueIDStatusesByPhoneNumber",
}
ADVICE = ("try again", "Check", "check", "Settings", "later", "in a moment")


@pytest.fixture
def stuck_listener() -> Iterator[int]:
    """A port whose accept queue is full, so a new connection hangs until the connect timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    yield port
    for filler in fillers:
        filler.close()
    listener.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def point_at(window, url: str, ca_bundle: str | None = None) -> None:
    window.controller.desk.reconfigure(lambda: PhoneNotifyClient(url, timeout=TIMEOUT, ca_bundle=ca_bundle))


def apply(fault: Fault, window, sandbox, tls_url: str, stuck_port: int) -> None:
    path = "/NotifyWS/PhoneNotify.asmx"
    if fault.name == "server down":
        point_at(window, f"http://127.0.0.1:{closed_port()}{path}")
    elif fault.name == "DNS failure":
        point_at(window, f"https://no-such-host.invalid{path}")
    elif fault.name == "TLS failure":
        point_at(window, tls_url)
    elif fault.name == "connect timeout":
        point_at(window, f"http://127.0.0.1:{stuck_port}{path}")
    elif fault.name == "read timeout":
        sandbox.faults.latency_seconds = TIMEOUT + 1
    elif fault.name == "slow, then normal":
        sandbox.faults.latency_seconds = TIMEOUT - 0.7
    else:
        sandbox.faults.inject(fault.name)


def recover(window, sandbox) -> None:
    sandbox.faults.clear()
    point_at(window, sandbox.url)


def run_action(qtbot, window, action: str, queue_id: int, again: bool = False) -> tuple[str, str, str]:
    """Do the action through the UI; return (panel kind, headline, body) once it has finished.
    `again`: the same call was booked a moment ago, so the page asks first ("Book it again")."""
    if action == "schedule":
        page = window.schedule_page
        window.tabs.setCurrentWidget(page)
        page.phone.setText(NUMBER)
        page.text.setPlainText("Your appointment is tomorrow.")
        page.reference.setText("matrix")
        qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
        if again:
            click_message_box(qtbot, page, "Book it again")
    elif action == "look up":
        page = window.lookup_page
        window.tabs.setCurrentWidget(page)
        page.mode.setCurrentIndex(page.mode.findData("number"))
        page.query.setText(NUMBER)
        qtbot.mouseClick(page.lookup_button, Qt.MouseButton.LeftButton)
    else:
        page = window.cancel_page
        window.tabs.setCurrentWidget(page)
        if action == "cancel by reference ID":
            page.reference.setText("matrix")
            qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
            click_message_box(qtbot, page, "Cancel the calls")
        else:
            page.queue_id.setText(str(queue_id))
            qtbot.mouseClick(page.queue_button, Qt.MouseButton.LeftButton)
            click_message_box(qtbot, page, "Cancel the call")
    qtbot.waitUntil(lambda: page.in_flight, timeout=5000) if action != "look up" else None
    qtbot.waitUntil(lambda: not page.in_flight, timeout=15_000)
    if action == "look up" and not page.result.isVisible():
        return "loaded", "", ""
    return page.result.kind, page.result.headline.text(), page.result.body.text()


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_fault_matrix(qtbot, tmp_path, app_sandbox, memory_keyring, tls_sandbox, stuck_listener, action, fault):
    window = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    point_at(window, app_sandbox.url)
    clock = app_sandbox.state.clock
    booked = window.controller.desk.schedule(  # recorded, so a later look-up knows this call is not the lost one
        "Main office",
        new_call_request(
            phone_number=NUMBER,
            text_to_say="x",
            reference_id="matrix",
            scheduled=clock.now() + timedelta(hours=2),
            now=clock.now(),
        ),
    )
    window.controller.desk.cancel_by_reference_id("Main office", "nothing-here")  # earlier history that must survive
    history_before = window.controller.desk.history.records()
    operation = OPERATIONS[action]
    sent_before = app_sandbox.operations[operation]

    apply(fault, window, app_sandbox, tls_sandbox.url, stuck_listener)
    kind, headline, body = run_action(qtbot, window, action, booked.queue_id)
    # The watch list may add how the booked call ended (an "outcome" record, e.g. "Cancelled").
    records = [r for r in window.controller.desk.history.records() if r.action != "outcome"]
    assert records[len(records) - len(history_before) :] == history_before  # nothing lost

    if fault.name == "slow, then normal":
        assert kind in ("success", "info", "loaded"), (headline, body)
    else:
        text = f"{headline} {body}"
        assert kind in ("error", "warning"), text
        assert fault.words in text, text
        assert any(advice in text for advice in ADVICE), f"no advice on what to do: {text}"
        assert KEY_A not in text
        reached = app_sandbox.operations[operation] > sent_before
        assert reached == fault.reached, "the fault did not happen where intended"
        if action == "look up":
            assert len(records) == len(history_before)  # look-ups change nothing and are not recorded
        else:
            new = records[0]
            assert len(records) == len(history_before) + 1
            unknown = action == "schedule" and fault.sent
            assert new.outcome == ("unknown" if unknown else "error"), (new.outcome, new.message)
            assert new.message == body
        if action == "schedule":
            assert ("Outcome unknown" in body) == fault.sent
            assert window.schedule_page.check_booked.isVisible() == fault.sent
        if action.startswith("cancel") and fault.sent:
            assert "safe to try again" in body

    # Usable, and the next action succeeds once the server is back.
    recover(window, app_sandbox)
    if action == "schedule" and fault.sent and fault.words:
        page = window.schedule_page
        with qtbot.waitSignal(page.checked, timeout=10_000) as checked:
            qtbot.mouseClick(page.check_booked, Qt.MouseButton.LeftButton)
        assert (checked.args[0] is not None) == fault.processed  # the look-up tells the truth
        assert page.result.headline.text().startswith("It was booked" if fault.processed else "It was not booked")
    else:
        again = action == "schedule" and fault.name == "slow, then normal"  # booked once already
        kind, headline, body = run_action(qtbot, window, action, booked.queue_id, again)
        assert kind in ("success", "info", "loaded"), (headline, body)
    window.close()
    window.controller.context.history.close()
