"""Failures are classified by exception type along the chain requests wraps around urllib3, and
`outcome_unknown` is a typed attribute set where the error is raised (never read from text)."""

from __future__ import annotations

import socket
from datetime import timedelta
from http.client import RemoteDisconnected

import pytest
import requests
import urllib3.exceptions

from desktop_app.service import (
    CannotReachServer,
    InvalidInput,
    ServerError,
    ServiceError,
    SoapFault,
    TimedOut,
    UnexpectedResponse,
    new_call_request,
)
from desktop_app.service.failures import translate
from tests.conftest import KEY_A

OPAQUE = "opaque text that names no cause"


def wrapped(reason: BaseException, cls: type[requests.RequestException] = requests.exceptions.ConnectionError):
    """What requests raises: its exception around urllib3's MaxRetryError around the reason."""
    return cls(urllib3.exceptions.MaxRetryError(None, "/NotifyWS/PhoneNotify.asmx", reason=reason))


def test_name_resolution_is_found_by_type_not_by_text():
    gai = socket.gaierror(-2, OPAQUE)
    error = translate(wrapped(urllib3.exceptions.NameResolutionError("host.invalid", None, gai)), "schedule")
    assert isinstance(error, CannotReachServer) and "name could not be found" in str(error)
    assert not error.outcome_unknown
    # What staff can check themselves, then who to ask: not a technical dialog (issue 23, finding 9).
    assert "online" in str(error) and "IT contact" in str(error) and "Settings" not in str(error)
    only_context = requests.exceptions.ConnectionError(OPAQUE)
    only_context.__context__ = gai
    assert "name could not be found" in str(translate(only_context, "read"))


def test_refused_and_unopened_connections_mean_nothing_was_sent():
    refused = urllib3.exceptions.NewConnectionError(None, OPAQUE)
    refused.__cause__ = ConnectionRefusedError(111, OPAQUE)
    error = translate(wrapped(refused), "schedule")
    assert "refused the connection" in str(error) and not error.outcome_unknown
    unreachable = urllib3.exceptions.NewConnectionError(None, OPAQUE)
    unreachable.__cause__ = OSError(101, OPAQUE)
    error = translate(wrapped(unreachable), "schedule")
    assert "could not be opened" in str(error) and not error.outcome_unknown


@pytest.mark.parametrize(("kind", "unknown"), [("schedule", True), ("cancel", False), ("read", False)])
def test_a_connection_that_broke_after_sending_leaves_a_schedule_unknown(kind, unknown):
    broke = urllib3.exceptions.ProtocolError(OPAQUE, RemoteDisconnected(OPAQUE))
    error = translate(wrapped(broke), kind)
    assert isinstance(error, CannotReachServer) and "connection broke" in str(error)
    assert error.outcome_unknown is unknown
    chunked = translate(requests.exceptions.ChunkedEncodingError(OPAQUE), kind)
    assert chunked.outcome_unknown is unknown


def test_timeouts_proxies_and_certificates():
    connect = translate(requests.exceptions.ConnectTimeout(OPAQUE), "schedule")
    assert isinstance(connect, TimedOut) and "nothing was sent" in str(connect) and not connect.outcome_unknown
    read = translate(requests.exceptions.ReadTimeout(OPAQUE), "schedule")
    assert isinstance(read, TimedOut) and read.outcome_unknown and "Outcome unknown" in str(read)
    assert not translate(requests.exceptions.ReadTimeout(OPAQUE), "read").outcome_unknown
    proxy = translate(wrapped(OSError(OPAQUE), requests.exceptions.ProxyError), "schedule")
    assert isinstance(proxy, CannotReachServer) and "proxy" in str(proxy) and not proxy.outcome_unknown
    tls = translate(wrapped(OSError(OPAQUE), requests.exceptions.SSLError), "read")
    assert "certificate could not be verified" in str(tls)


def test_anything_else_is_not_translated():
    assert translate(KeyboardInterrupt(), "read") is None
    assert translate(RuntimeError(OPAQUE), "read") is None


def test_every_error_takes_outcome_unknown_as_an_argument():
    for cls in (ServiceError, CannotReachServer, TimedOut, ServerError, SoapFault, UnexpectedResponse):
        assert cls("x", outcome_unknown=True).outcome_unknown is True
        assert cls("x").outcome_unknown is False
    assert InvalidInput("field", "x").outcome_unknown is False


@pytest.mark.parametrize(
    ("fault", "error_class"),
    [("drop", CannotReachServer), ("reset", CannotReachServer), ("html500", ServerError)],
)
def test_lost_schedule_answers_over_real_http_are_marked_unknown(client, sandbox, clock, fault, error_class):
    call = new_call_request(
        phone_number="757-555-1230", text_to_say="Hi", scheduled=clock.now() + timedelta(hours=1), now=clock.now()
    )
    sandbox.faults.inject(fault)
    with pytest.raises(error_class) as error:
        client.schedule_call(KEY_A, call)
    assert error.value.outcome_unknown is True
    sandbox.faults.inject(fault)
    with pytest.raises(error_class) as error:
        client.get_version()
    assert error.value.outcome_unknown is False
