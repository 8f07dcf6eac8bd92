"""The sandbox's HTTP layer: bad Content-Length, stopping, and the counters other tests rely on."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from desktop_app.sandbox import Sandbox
from tests.conftest import KEY_A, KEY_B
from tests.test_sandbox_wire import NS, SOAP11, post11, result_element, schedule, soap11


@pytest.fixture
def sandbox(clock):
    """These tests write Esendex-namespace requests by hand: always an Esendex sandbox, whatever
    namespace the rest of the suite runs against (VBD_SANDBOX_NAMESPACE)."""
    with Sandbox(clock=clock, namespace="esendex") as server:
        yield server


def raw_exchange(sandbox: Sandbox, request: bytes, timeout: float = 3.0) -> bytes:
    with socket.create_connection((sandbox.host, sandbox.port), timeout=timeout) as conn:
        conn.sendall(request)
        chunks = []
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


@pytest.mark.parametrize("length", ["-5", "abc", "1e3", "99999999999999999999999", "5, 7"])
def test_an_unusable_content_length_gets_400_at_once(sandbox, length):
    request = (
        f"POST /NotifyWS/PhoneNotify.asmx HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
        f"Content-Length: {length}\r\n\r\n<a/>"
    ).encode()
    started = time.monotonic()
    answer = raw_exchange(sandbox, request)  # the server closes: recv() ends without a timeout
    assert time.monotonic() - started < 2
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"Invalid Content Length" in answer
    assert sandbox.in_flight == 0 and sandbox.internal_errors == 0
    assert requests.get(f"{sandbox.url}/GetVersion", timeout=5).status_code == 200  # still serving


def test_two_different_content_lengths_get_400(sandbox):
    request = (
        b"POST /NotifyWS/PhoneNotify.asmx HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
        b"Content-Length: 4\r\nContent-Length: 40\r\n\r\n<a/>"
    )
    assert raw_exchange(sandbox, request).startswith(b"HTTP/1.1 400 ")


def test_an_oversized_content_length_gets_asp_net_maximum_request_length(sandbox):
    request = b"POST /NotifyWS/PhoneNotify.asmx HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n"
    answer = raw_exchange(sandbox, request)
    assert answer.startswith(b"HTTP/1.1 500 ") and answer.endswith(b"Maximum request length exceeded.")


def test_stop_without_start_returns_at_once():
    sandbox = Sandbox()
    done = threading.Event()
    thread = threading.Thread(target=lambda: (sandbox.stop(), done.set()), daemon=True)
    thread.start()
    assert done.wait(2), "Sandbox().stop() without start() hung"
    sandbox.stop()  # twice is harmless too


def test_stop_after_start_frees_the_port():
    sandbox = Sandbox().start()
    port = sandbox.port
    sandbox.stop()
    sandbox.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_connections_accepted_shows_keep_alive(sandbox):
    with requests.Session() as session:
        for _ in range(5):
            assert session.get(f"{sandbox.url}/GetVersion", timeout=5).status_code == 200
    assert sandbox.connections_accepted == 1 and sandbox.requests_served == 5
    for _ in range(3):
        requests.get(f"{sandbox.url}/GetVersion", headers={"Connection": "close"}, timeout=5)
    assert sandbox.connections_accepted == 4


def test_status_requests_are_counted_per_normalised_key(sandbox):
    queue_id = schedule(sandbox, "s").findtext(f"{{{NS}}}QueueID")
    requests.get(f"{sandbox.url}/GetQueueIDStatus", params={"QueueID": queue_id}, timeout=5)
    body = (
        f'<GetMultipleQueueIdStatus xmlns="{NS}"><QueueIDs>{queue_id};{queue_id}</QueueIDs>'
        f"<LicenseKey> {KEY_A.upper()} </LicenseKey></GetMultipleQueueIdStatus>"
    )
    response = post11(sandbox, soap11(body), f'"{NS}GetMultipleQueueIdStatus"')
    assert len(result_element(response, SOAP11, "GetMultipleQueueIdStatus")) == 2
    for op, params in (
        ("GetQueueIDStatusWithAdvancedInfo", {"QueueID": queue_id, "LicenseKey": KEY_A}),
        ("GetQueueIDStatusesByPhoneNumber", {"PhoneNumber": "757-555-1234", "LicenseKey": KEY_B}),
        ("CancelNotify", {"QueueID": queue_id, "LicenseKey": KEY_A}),  # not a status request
    ):
        assert requests.get(f"{sandbox.url}/{op}", params=params, timeout=5).status_code == 200
    assert sandbox.status_requests == {"": 1, KEY_A: 2, KEY_B: 1}
    assert sandbox.operations["GetQueueIDStatus"] == 1 and sandbox.operations["CancelNotify"] == 1


def test_in_flight_counts_concurrent_requests(sandbox):
    threads = [
        threading.Thread(
            target=requests.get,
            args=(f"{sandbox.url}/GetVersion",),
            kwargs={"headers": {"X-Sandbox-Latency-Ms": "300"}, "timeout": 5},
        )
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sandbox.max_in_flight == 3
    # A handler leaves the count just after its response is written, so a client can see the reply
    # a moment before the count drops: wait for it rather than race it.
    deadline = time.monotonic() + 5
    while sandbox.in_flight and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sandbox.in_flight == 0
