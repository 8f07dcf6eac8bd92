"""Map transport and protocol failures to plain `ServiceError`s.

Failures are classified by exception type (requests, urllib3, socket, zeep), walking the chain of
causes that requests wraps around urllib3's errors, never by matching message text. `kind` is
"schedule", "cancel" or "read": it decides what a lost answer means for the user.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import requests
import urllib3.exceptions
import zeep.exceptions
from lxml.etree import XMLSyntaxError

from .errors import CannotReachServer, ServerError, ServiceError, SoapFault, TimedOut, UnexpectedResponse
from .redaction import redact
from .transport import NotSoapError, ResponseTooLarge

# The ASMX fault for a SOAPAction (namespace + operation) it does not know [V-gen, fact sheet 11.1].
SOAPACTION_NOT_RECOGNISED = "did not recognize the value of HTTP Header SOAPAction"


def is_soapaction_fault(error: BaseException) -> bool:
    return isinstance(error, zeep.exceptions.Fault) and SOAPACTION_NOT_RECOGNISED in str(error.message or "")


def causes(error: BaseException) -> Iterator[BaseException]:
    """The error and everything it wraps: __cause__, __context__, urllib3's `.reason` and the
    exceptions requests passes in `args`."""
    seen: set[int] = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = (current.__cause__, current.__context__, getattr(current, "reason", None), *current.args)
        stack.extend(item for item in linked if isinstance(item, BaseException))


def _wraps(error: BaseException, *types: type[BaseException]) -> bool:
    return any(isinstance(item, types) for item in causes(error))


def lost(what: str, kind: str) -> str:
    """The message for a request that may have reached the server but whose answer was lost."""
    if kind == "schedule":
        return (
            f"{what} Outcome unknown: the call may or may not have been booked. "
            "Check the call's status before trying again."
        )
    if kind == "cancel":
        return (
            f"{what} The cancel may or may not have gone through. It is safe to try again: "
            "calls that are already cancelled are not counted twice."
        )
    return f"{what} Please try again in a moment."


def _connection_error(exc: requests.exceptions.ConnectionError, kind: str) -> ServiceError:
    detail = redact(str(exc))
    if _wraps(exc, urllib3.exceptions.NameResolutionError, socket.gaierror):
        return CannotReachServer(
            "The server's name could not be found, so nothing was sent. "
            "Check that this computer is online (does a web page open?). If it is, "
            "give this message to your IT contact.",
            detail=detail,
        )
    if _wraps(exc, ConnectionRefusedError):
        return CannotReachServer(
            "The server refused the connection, so nothing was sent. It may be down; try again later.",
            detail=detail,
        )
    if _wraps(exc, urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError):
        return CannotReachServer(
            "A connection to the server could not be opened, so nothing was sent. "
            "Check your internet connection and try again.",
            detail=detail,
        )
    # The connection was open (the request may have been sent) and then broke.
    return CannotReachServer(
        lost("The connection broke before the answer arrived.", kind),
        detail=detail,
        outcome_unknown=kind == "schedule",
    )


def _unreadable(what: str, detail: str, kind: str) -> UnexpectedResponse:
    """The request reached the server but its answer is unusable: a schedule's outcome is unknown,
    and a cancel may or may not have happened."""
    return UnexpectedResponse(lost(what, kind), detail=detail, outcome_unknown=kind == "schedule")


def translate(exc: BaseException, kind: str) -> ServiceError | None:
    """The plain error for a failure, or None when it is not a transport or protocol failure."""
    if isinstance(exc, requests.exceptions.RequestException):
        return _request_failed(exc, kind)
    return _answer_unusable(exc, kind)


def _request_failed(exc: requests.exceptions.RequestException, kind: str) -> ServiceError:
    """A request that failed on its way: not sent, or sent and its answer lost."""
    sent = kind == "schedule"  # only a schedule's lost answer leaves its outcome unknown
    if isinstance(exc, requests.exceptions.SSLError):
        return CannotReachServer(
            "The server's security certificate could not be verified, so nothing was sent. "
            "If your company uses its own certificates, set the CA bundle in Settings.",
            detail=redact(str(exc)),
        )
    if isinstance(exc, requests.exceptions.ProxyError):
        return CannotReachServer(
            "The proxy server could not be reached or refused the connection, so nothing was sent. "
            "Check the system proxy settings.",
            detail=redact(str(exc)),
        )
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return TimedOut(
            "The server could not be reached in time, so nothing was sent. "
            "Check your internet connection and try again.",
            detail=redact(str(exc)),
        )
    if isinstance(exc, requests.exceptions.Timeout):  # ReadTimeout: the request went out
        return TimedOut(lost("The server did not answer in time.", kind), detail=redact(str(exc)), outcome_unknown=sent)
    if isinstance(exc, requests.exceptions.ConnectionError):
        return _connection_error(exc, kind)
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
        return CannotReachServer(
            lost("The connection broke before the answer arrived.", kind), detail=redact(str(exc)), outcome_unknown=sent
        )
    return CannotReachServer(lost("The request could not be completed.", kind), detail=redact(str(exc)))


def _answer_unusable(exc: BaseException, kind: str) -> ServiceError | None:
    """An answer that came back but cannot be used; None when `exc` is not about the answer."""
    sent = kind == "schedule"
    if isinstance(exc, NotSoapError):
        # A proxy may fail after the server booked the call.
        return ServerError(
            lost(f"The service is having problems right now (HTTP {exc.status}); this is usually temporary.", kind),
            status_code=exc.status,
            outcome_unknown=sent,
        )
    if isinstance(exc, ResponseTooLarge):
        return _unreadable("The server's answer was far larger than expected and was ignored.", "", kind)
    if isinstance(exc, zeep.exceptions.Fault):
        reason = redact(str(exc.message or "no reason given"))[:300].rstrip(".")
        return SoapFault(
            f"The service refused the request: {reason}. Check the details and try again; "
            "if it keeps happening, note the time and contact Esendex support.",
            detail=reason,
        )
    if isinstance(exc, (zeep.exceptions.DTDForbidden, zeep.exceptions.EntitiesForbidden)):
        return _unreadable("The server's answer contained unsafe XML and was ignored.", type(exc).__name__, kind)
    if isinstance(exc, (zeep.exceptions.Error, XMLSyntaxError, ValueError, TypeError, AttributeError)):
        detail = redact(f"{type(exc).__name__}: {exc}")[:500]
        return _unreadable("The server's answer could not be understood.", detail, kind)
    return None


@contextmanager
def mapped_errors(kind: str) -> Iterator[None]:
    """Re-raise transport and protocol failures inside the block as plain `ServiceError`s."""
    try:
        yield
    except ServiceError:
        raise
    except Exception as exc:
        error = translate(exc, kind)
        if error is None:
            raise
        raise error from None
