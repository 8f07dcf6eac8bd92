"""Test controls for a sandbox in another process, on when it is started with `--control`.

A benchmark or a test that runs the sandbox as a child process (so it does not share the GIL with
the app it measures) still needs to move a manual clock and read the counters:

    POST /_sandbox/clock?advance=SECONDS   move the manual clock; answers the new time (ISO 8601)
    GET  /_sandbox/counters                the counters as JSON; status requests are keyed by the
                                           SHA-256 of the normalised license key, never the key

Off by default: the routes then answer 404 like any unknown path. Control requests are not counted
as requests served (their connections are, in `connections_accepted`).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from .clock import ManualClock
from .state import PhoneNotifyState
from .wire import Reply

PREFIX = "/_sandbox/"


class Controlled(Protocol):  # what the routes read of the Sandbox (httpd.py imports this module)
    state: PhoneNotifyState
    requests_served: int
    connections_accepted: int
    operations: Counter[str]
    status_requests: Counter[str]


def key_digest(normalised_key: str) -> str:
    return hashlib.sha256(normalised_key.encode()).hexdigest()


def _text(status: int, text: str, content_type: str = "text/plain; charset=utf-8") -> Reply:
    return Reply(status, content_type, text.encode())


def handle(sandbox: Controlled, method: str, path: str) -> Reply:
    parts = urlsplit(path)
    route = parts.path[len(PREFIX) :]
    if route == "clock" and method == "POST":
        clock = sandbox.state.clock
        if not isinstance(clock, ManualClock):
            return _text(409, "this sandbox runs on the real clock (start it with --manual-clock)")
        try:
            seconds = float(parse_qs(parts.query).get("advance", ["0"])[0])
        except ValueError:
            seconds = math.nan
        if not math.isfinite(seconds):
            return _text(400, "advance must be a number of seconds")
        clock.advance(seconds)
        return _text(200, clock.now().isoformat())
    if route == "counters" and method == "GET":
        counters = {
            "requests_served": sandbox.requests_served,
            "connections_accepted": sandbox.connections_accepted,
            "operations": dict(sandbox.operations),
            "status_requests": {key_digest(k): n for k, n in sandbox.status_requests.items()},
        }
        return _text(200, json.dumps(counters), "application/json")
    return _text(404, "no such sandbox control")
