"""Controls for a sandbox in another process, beside (never among) the PhoneNotify operations.

A benchmark or a test that runs the sandbox as a child process (so it does not share the GIL with
the app it measures) still needs to move a manual clock and read the counters (`--control`):

    POST /_sandbox/clock?advance=SECONDS   move the manual clock; answers the new time (ISO 8601)
    GET  /_sandbox/counters                the counters as JSON; status requests are keyed by the
                                           SHA-256 of the normalised license key, never the key

The app's training mode resets its sandbox ("Reset the training data", `--allow-reset`, also on
with `--control`):

    POST /_sandbox/reset                   forget every call of every account; answers
                                           {"calls_deleted": N, "next_queue_id": Q} as JSON. Needs
                                           the header `X-Sandbox-Control: reset` (a web page cannot
                                           send it to 127.0.0.1 without a CORS preflight, which the
                                           sandbox never grants)

Off by default: the routes then answer 404 like any unknown path. They live under /_sandbox/, not
under /NotifyWS/PhoneNotify.asmx, so no SOAP, GET or POST request for an operation reaches them.
Control requests are not counted as requests served (their connections are, in
`connections_accepted`).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from .accounts import account_id
from .clock import ManualClock
from .state import PhoneNotifyState
from .wire import Reply

PREFIX = "/_sandbox/"
RESET_HEADER = "X-Sandbox-Control"
RESET_HEADER_VALUE = "reset"
JSON = "application/json"


class Controlled(Protocol):  # what the routes read of the Sandbox (httpd.py imports this module)
    state: PhoneNotifyState
    control: bool
    allow_reset: bool
    requests_served: int
    connections_accepted: int
    operations: Counter[str]
    status_requests: Counter[str]


def key_digest(normalised_key: str) -> str:
    return account_id(normalised_key)


def answers(sandbox: Controlled, path: str) -> bool:
    """Whether a request for `path` is the control routes' (else it goes to the service)."""
    return (sandbox.control or sandbox.allow_reset) and path.startswith(PREFIX)


def _text(status: int, text: str, content_type: str = "text/plain; charset=utf-8") -> Reply:
    return Reply(status, content_type, text.encode())


def _reset(sandbox: Controlled, method: str, headers: Mapping[str, str]) -> Reply:
    if method != "POST":
        return _text(405, "reset takes a POST")
    value = next((v for k, v in headers.items() if k.lower() == RESET_HEADER.lower()), "")
    if value.strip().lower() != RESET_HEADER_VALUE:
        return _text(403, f"reset needs the header {RESET_HEADER}: {RESET_HEADER_VALUE}")
    deleted = sandbox.state.reset()
    return _text(200, json.dumps({"calls_deleted": deleted, "next_queue_id": sandbox.state.next_queue_id}), JSON)


def handle(sandbox: Controlled, method: str, path: str, headers: Mapping[str, str] | None = None) -> Reply:
    parts = urlsplit(path)
    route = parts.path[len(PREFIX) :]
    if route == "reset" and (sandbox.allow_reset or sandbox.control):
        return _reset(sandbox, method, headers or {})
    if not sandbox.control:
        return _text(404, "no such sandbox control")
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
        return _text(200, json.dumps(counters), JSON)
    return _text(404, "no such sandbox control")
