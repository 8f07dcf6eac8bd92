"""Fault injection for tests: per request (`X-Sandbox-Fault`) or server-wide (`FaultPlan`)."""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass, field

from .wire import Reply

FAULTS = (
    "html500",  # an HTML error page with HTTP 500, as from a proxy (nothing is processed)
    "soap_fault",  # a SOAP fault with HTTP 500 (nothing is processed)
    "drop",  # close the connection without answering (nothing is processed)
    "malformed_xml",  # processed, then a broken XML answer
    "wrong_content_type",  # processed, then an answer as text/html that is not XML
    "empty_body",  # processed, then HTTP 200 with an empty body
    "oversized",  # processed, then a valid answer padded to several MB
    "reset",  # processed, then half an answer and a TCP reset
    "entity_payload",  # processed, then an answer carrying a DTD with entity expansion
)
BEFORE_PROCESSING = frozenset({"html500", "soap_fault", "drop"})  # the others strike after the server acted
SIMULATED_FAILURE = "Server was unable to process request. ---> Simulated server failure."


@dataclass
class FaultPlan:
    """Server-wide fault injection. Thread-safe."""

    latency_seconds: float = 0.0
    fault_rate: float = 0.0  # chance of a random fault from `random_faults` per request
    random_faults: tuple[str, ...] = FAULTS
    seed: int | None = None
    failure_text: str = SIMULATED_FAILURE  # the faultstring of "soap_fault" (tests put markup in it)
    _queue: deque[tuple[str, str | None]] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def inject(self, fault: str, times: int = 1, operation: str | None = None) -> None:
        """Make the next `times` requests (for `operation`, if given) fail with `fault`."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; choose from {', '.join(FAULTS)}")
        with self._lock:
            self._queue.extend([(fault, operation)] * times)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self.latency_seconds, self.fault_rate = 0.0, 0.0
            self.failure_text = SIMULATED_FAILURE

    def next_fault(self, operation: str | None) -> str | None:
        with self._lock:
            for index, (fault, only) in enumerate(self._queue):
                if only is None or only == operation:
                    del self._queue[index]
                    return fault
            if self.fault_rate and self._random.random() < self.fault_rate:
                return self._random.choice(self.random_faults)
        return None


def faulted(fault: str, good: Reply | None, server_error: Reply) -> Reply:
    """The reply a request gets under an injected fault, for SOAP and GET/POST alike.

    `good` is the reply it would have had (None when the fault strikes before processing);
    `server_error` is the protocol's own error (a SOAP fault, or ASMX's plain-text 500).
    """
    if fault == "html500":
        page = (
            b"<html><head><title>502 Bad Gateway</title></head><body><h1>Proxy error</h1>"
            b"<p>The upstream server is unavailable.</p></body></html>"
        )
        return Reply(500, "text/html; charset=utf-8", page)
    if fault == "soap_fault":
        return server_error
    if fault == "drop":
        return Reply(200, "text/plain", b"", fault="drop")
    assert good is not None, f"{fault} strikes after processing"
    body, content_type = good.body, good.content_type
    if fault == "malformed_xml":
        return Reply(200, content_type, body[: len(body) // 2] + b"<unclosed")
    if fault == "wrong_content_type":
        return Reply(200, "text/html; charset=utf-8", b"<html><body>Welcome to our captive portal</body></html>")
    if fault == "empty_body":
        return Reply(200, content_type, b"")
    if fault == "oversized":
        return Reply(200, content_type, body + b"<!--" + b"x" * (6 * 1024 * 1024) + b"-->")
    if fault == "reset":
        return Reply(200, content_type, body, fault="reset")
    if fault == "entity_payload":
        bomb = (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        )
        rest = body.split(b"?>", 1)[-1]
        root_open = rest.index(b">") + 1  # expand the entity inside the root element
        return Reply(200, content_type, bomb + rest[:root_open] + b"&lol3;" + rest[root_open:])
    raise AssertionError(fault)
