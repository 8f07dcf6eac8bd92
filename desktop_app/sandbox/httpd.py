"""HTTP handling and the `Sandbox` object: a threaded HTTP(S) server, its counters, start/stop.

It answers on any casing of /NotifyWS/PhoneNotify.asmx (see `dispatch.py` for the protocols).
A Content-Length that is not a plain non-negative number gets HTTP 400 at once, as HTTP.sys
answers; one over ASP.NET's maxRequestLength gets its "Maximum request length exceeded." 500.
"""

from __future__ import annotations

import logging
import socket
import ssl
import struct
import threading
import time
from collections import Counter
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from . import control
from .accounts import account_id
from .clock import Clock
from .contract import load_contract
from .dispatch import Endpoint
from .faults import FaultPlan
from .operations import PhoneNotifyService
from .state import PhoneNotifyState, StateFile, SystemClock, normalise_key
from .tables import DEFAULT_NAMESPACE, namespaces_for
from .wire import Encoder, Reply

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 4 * 1024 * 1024  # ASP.NET's default maxRequestLength
MAX_CONTENT_LENGTH_DIGITS = 18  # longer than any int64; HTTP.sys refuses it as invalid
BAD_LENGTH = b"<html><body><h2>Bad Request - Invalid Content Length</h2><p>HTTP Error 400.</p></body></html>"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    server_version = "Microsoft-IIS/10.0"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle's algorithm holds the
        # body back until the client's delayed ACK (40 ms on Linux) on every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("sandbox: " + format, *args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _content_length(self) -> int | None:
        """The body length, or None if the header is unusable (several values, not a number)."""
        values = {v.strip() for v in self.headers.get_all("Content-Length") or []}
        if not values:
            return 0
        if len(values) > 1:
            return None
        (value,) = values
        if not (value.isascii() and value.isdigit()) or len(value) > MAX_CONTENT_LENGTH_DIGITS:
            return None
        return int(value)

    def _handle(self, method: str) -> None:
        sandbox = self.server.sandbox
        if control.answers(sandbox, self.path):  # not counted as service requests
            unused = self._content_length() or 0
            self.rfile.read(min(unused, MAX_REQUEST_BYTES))  # unused, but read: the connection is reused
            self._send(control.handle(sandbox, method, self.path, dict(self.headers.items())))
            return
        sandbox._enter()
        try:
            length = self._content_length()
            if length is None:
                self.close_connection = True
                self._send(Reply(400, "text/html; charset=us-ascii", BAD_LENGTH))
                return
            if length > MAX_REQUEST_BYTES:
                self.close_connection = True
                self._send(Reply(500, "text/plain; charset=utf-8", b"Maximum request length exceeded."))
                return
            body = self.rfile.read(length) if length else b""
            reply = sandbox.dispatch(method, self.path, dict(self.headers.items()), body)
            latency = sandbox.faults.latency_seconds + _header_ms(self.headers.get("X-Sandbox-Latency-Ms"))
            if latency > 0:
                time.sleep(latency)
            self._send(reply)
        finally:
            sandbox._leave()

    def _send(self, reply: Reply) -> None:
        if reply.fault == "drop":
            self.close_connection = True
            return
        if reply.fault == "reset":
            head = f"HTTP/1.1 200 OK\r\nContent-Type: {reply.content_type}\r\nContent-Length: {len(reply.body)}\r\n\r\n"
            self.wfile.write(head.encode() + reply.body[: len(reply.body) // 2])
            self.wfile.flush()
            # SO_LINGER 0: close() sends a TCP RST instead of a clean FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Cache-Control", "private")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)


def _header_ms(value: str | None) -> float:
    try:
        return max(0.0, float(value or 0)) / 1000.0
    except ValueError:
        return 0.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    sandbox: Sandbox

    def get_request(self) -> tuple[socket.socket, Any]:
        accepted = super().get_request()
        self.sandbox._connection_accepted()
        return accepted

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("sandbox: connection error from %s", client_address, exc_info=True)


class Sandbox(Endpoint):
    """The simulator: state + HTTP server. Start it in-process with `start()` or as a context
    manager; `url` is the service endpoint.

    namespace: "esendex" (https://ws.esendex.us/NotifyWS/, the default), "cdyne"
    (http://ws.cdyne.com/NotifyWS/) or "both" (lenient: either, answered in kind).
    zoneless_times: write dateTime values without a zone, as ASMX does (2026-11-29T14:05:00).
    control: answer the test routes of `control.py` (a manual clock, the counters, reset).
    allow_reset: answer only the reset route of `control.py` (the app's training mode).
    state_file: keep the calls in this file across restarts (persistence.py; training mode). None,
    the default: in memory only, as the tests want.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
        faults: FaultPlan | None = None,
        ssl_context: ssl.SSLContext | None = None,
        namespace: str = DEFAULT_NAMESPACE,
        zoneless_times: bool = False,
        control: bool = False,
        allow_reset: bool = False,
        state_file: Path | None = None,
    ) -> None:
        self.namespace = namespace
        self.control = control  # the /_sandbox/ test routes (control.py)
        self.allow_reset = allow_reset  # only /_sandbox/reset
        self.namespaces = namespaces_for(namespace)  # raises ValueError for an unknown name
        store = StateFile(state_file) if state_file is not None else None
        self.state = PhoneNotifyState(clock or SystemClock(), store)
        self.service = PhoneNotifyService(self.state, zoneless_times=zoneless_times)
        self.contract = load_contract()
        self.encoder = Encoder(self.contract, zoneless=zoneless_times)
        self.faults = faults or FaultPlan()
        self.requests_served = 0
        self.internal_errors = 0  # bugs, not bad requests: tests assert this stays 0
        self.connections_accepted = 0  # TCP connections: proves a client keeps its connection alive
        self.operations: Counter[str] = Counter()  # requests per operation
        self.status_requests: Counter[str] = Counter()  # status operations per normalised key ("" = none)
        self.in_flight = 0
        self.max_in_flight = 0
        self._counter_lock = threading.Lock()
        self._wsdl_bytes: bytes | None = None
        try:
            self._server = _Server((host, port), Handler, bind_and_activate=True)
        except BaseException:
            self.state.close()  # let go of the state file: another sandbox may keep it
            raise
        self.scheme = "http"
        if ssl_context is not None:  # https, e.g. with a self-signed certificate for TLS tests
            # The handshake happens on the connection's own thread, at its first read: done in
            # accept(), one slow or silent client would hold up every other connection.
            self._server.socket = ssl_context.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
            self.scheme = "https"
        self._server.sandbox = self
        self._thread: threading.Thread | None = None
        self._serving = False

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def target_namespace(self) -> str:
        """The namespace URI this sandbox answers in (its WSDL's targetNamespace)."""
        return self.namespaces[0]

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])  # a str already (TCP); typed for every family

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:  # type: ignore[override]  # a property over Endpoint's field
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"{self.scheme}://{host}:{self.port}/NotifyWS/PhoneNotify.asmx"

    def start(self) -> Sandbox:
        self._serving = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="phonenotify-sandbox", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._serving = True
        self._server.serve_forever(poll_interval=0.05)  # a stop request is seen within 50 ms

    def now(self) -> datetime:
        """The sandbox's own time (a manual clock in tests)."""
        return self.state.clock.now()

    def reset_training_data(self) -> int:
        """Forget every call of every account (saved, with a state file); how many there were.
        `SandboxProcess.reset_training_data()` does the same through the control route."""
        return self.state.reset()

    def refuse_speech(self, key: str) -> None:
        """From now on, answer GetTTSInMP3/GetTTSInULAW for `key` without audio, as a service that
        wants a separate license key for speech (speech.py; the key itself is not kept)."""
        self.service.speech_refused.add(account_id(key))

    def request_stop(self) -> None:
        """Ask a `serve_forever()` loop running on another thread to return."""
        self._server.shutdown()

    def stop(self) -> None:
        """Stop serving and close the socket. Returns at once if the sandbox never started."""
        if self._serving:  # shutdown() waits for a serve_forever() loop: never one that never ran
            self._server.shutdown()
            self._serving = False
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.state.close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- counters -------------------------------------------------------------------------------

    def _enter(self) -> None:
        with self._counter_lock:
            self.requests_served += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._counter_lock:
            self.in_flight -= 1

    def _connection_accepted(self) -> None:
        with self._counter_lock:
            self.connections_accepted += 1

    def _count_operation(self, operation: str) -> None:
        with self._counter_lock:
            self.operations[operation] += 1

    def _count_status(self, license_key: str | None) -> None:
        with self._counter_lock:
            self.status_requests[normalise_key(license_key)] += 1


def serve(host: str = "127.0.0.1", port: int = 0, **kwargs: Any) -> Sandbox:
    """Start a sandbox on a background thread and return it."""
    return Sandbox(host, port, **kwargs).start()
