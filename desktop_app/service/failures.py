"""Map transport and protocol failures to plain `ServiceError`s.

Failures are classified by exception type (requests, urllib3, socket, zeep), walking the chain of
causes that requests wraps around urllib3's errors, never by matching message text. `kind` is
"schedule", "cancel" or "read": it decides what a lost answer means for the user.
"""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import requests
import urllib3.exceptions
import zeep.exceptions
from lxml.etree import XMLSyntaxError

from .errors import (
    CannotReachServer,
    CertificateNotTrusted,
    ProxyBlocked,
    ProxyNoAnswer,
    ProxyNotSupported,
    ProxyProblem,
    ProxySignInNeeded,
    ProxySignInRefused,
    ProxyUnreachable,
    ServerError,
    ServiceError,
    SoapFault,
    TimedOut,
    UnexpectedResponse,
)
from .redaction import redact
from .transport import NotSoapError, ResponseTooLarge
from .tunnel import HandshakeBroken, HandshakeSilent, ProxySilent, TunnelRefused, UntrustedCertificate

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
    before = _before_sending(exc)
    if before is not None:
        return before
    if isinstance(exc, requests.exceptions.RequestException):
        return _request_failed(exc, kind)
    return _answer_unusable(exc, kind)


def _find(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    return next((item for item in causes(exc) if isinstance(item, kind)), None)


def _before_sending(exc: BaseException) -> ServiceError | None:
    """Failures of the proxy, the tunnel or the TLS handshake: nothing was sent, whatever the
    action. Each cause gets its own message; the details for IT get the technical line."""
    detail = redact(str(exc))[:600]
    refused = _find(exc, TunnelRefused)
    if isinstance(refused, TunnelRefused):
        return proxy_refused(refused, detail)
    silent = _find(exc, ProxySilent)
    if isinstance(silent, ProxySilent):
        what = (
            "closed the connection without answering"
            if silent.closed
            else f"did not answer within {silent.seconds:g} s"
        )
        return ProxyNoAnswer(
            f"The proxy server ({silent.proxy}) {what}, so nothing was sent. It may be overloaded or down: "
            "try again in a few minutes, and if it keeps happening, give these details to your IT department.",
            proxy=silent.proxy,
            detail=f"{silent}\n{detail}",
        )
    handshake = _find(exc, HandshakeSilent)
    if isinstance(handshake, HandshakeSilent):
        return TimedOut(
            f"The secure connection to {handshake.host} was not set up within {handshake.seconds:g} s, so nothing "
            "was sent. Try again in a moment; if it keeps happening, give these details to your IT department.",
            detail=f"{handshake}\n{detail}",
        )
    broken = _find(exc, HandshakeBroken)
    if isinstance(broken, HandshakeBroken):
        return CannotReachServer(
            f"The secure connection to {broken.host} was closed before it was set up, so nothing was sent. "
            "Try again in a moment; if it keeps happening, give these details to your IT department.",
            detail=f"{broken}\n{detail}",
        )
    untrusted = _find(exc, UntrustedCertificate)
    if isinstance(untrusted, UntrustedCertificate):
        return certificate_refused(untrusted, detail)
    if isinstance(exc, requests.exceptions.InvalidSchema) and "socks" in str(exc).lower():
        return ProxyNotSupported(
            "The proxy setting asks for a SOCKS proxy, which this app does not support, so nothing was sent. "
            "Ask your IT department for the address of an HTTP proxy.",
            detail=detail,
        )
    # A lost answer after the tunnel was set up is labelled a proxy error by urllib3 too (http.client
    # closes the connection, and urllib3 then calls it "Unable to connect to proxy"): the request may
    # have been sent, so it is judged like any broken connection.
    after_sending = _wraps(exc, http.client.HTTPException, ConnectionResetError, BrokenPipeError)
    if isinstance(exc, requests.exceptions.ProxyError) and not after_sending:
        return _proxy_unreachable(exc, detail)
    return None


def proxy_refused(refused: TunnelRefused, detail: str = "") -> ProxyProblem:
    """The proxy answered, but not with a tunnel: 407 (sign-in), 403 (blocked) or another status."""
    proxy = refused.proxy
    technical = f"proxy {proxy} answered: {refused.status_line}"
    if refused.challenges:
        technical += "; it asks for: " + ", ".join(refused.challenges)
    technical = f"{technical}\n{detail}" if detail else technical
    if refused.status == 407:
        return _sign_in_problem(refused, technical)
    if refused.status == 403:
        return ProxyBlocked(
            f"The proxy server ({proxy}) does not allow connections to this service, so nothing was sent. "
            "Give these details to your IT department and ask them to allow the service's address.",
            proxy=proxy,
            detail=technical,
        )
    status = f"HTTP {refused.status}" if refused.status else "an answer that is not HTTP"
    return ProxyProblem(
        f"The proxy server ({proxy}) could not open a connection to the service ({status}), so nothing was sent. "
        "Try again in a moment; if it keeps happening, give these details to your IT department.",
        proxy=proxy,
        detail=technical,
    )


def _sign_in_problem(refused: TunnelRefused, technical: str) -> ProxySignInNeeded:
    proxy, schemes = refused.proxy, refused.schemes
    scheme = "Basic" if "Basic" in schemes else (schemes[0] if schemes else "")
    can_ask = scheme == "Basic"
    if refused.signed_in_with:
        return ProxySignInRefused(
            f"The proxy server ({proxy}) refused the sign-in ({refused.signed_in_with}), so nothing was sent. "
            + (
                "Check your proxy user name and password (Settings → Proxy sign-in…) and try again."
                if can_ask
                else "Ask your IT department whether your account may use this proxy."
            ),
            proxy=proxy,
            scheme=scheme,
            realm=refused.realm,
            can_ask=can_ask,
            detail=technical,
        )
    if can_ask:
        message = (
            f"The proxy server ({proxy}) asks you to sign in, so nothing was sent. Enter your proxy user name and "
            "password (Settings → Proxy sign-in…), then try again."
        )
    elif scheme:
        message = (
            f"The proxy server ({proxy}) asks for {_a(scheme)} {scheme} sign-in, which this app cannot do on this "
            "computer, "
            "so nothing was sent. Ask your IT department to allow this app through the proxy without a sign-in, "
            "or for a proxy that accepts a user name and password (Basic)."
        )
    else:
        message = (
            f"The proxy server ({proxy}) asks for a sign-in but does not say which kind, so nothing was sent. "
            "Give these details to your IT department."
        )
    return ProxySignInNeeded(
        message, proxy=proxy, scheme=scheme, realm=refused.realm, can_ask=can_ask, detail=technical
    )


def _a(word: str) -> str:
    """ "a" or "an" before a scheme's name, as it is read aloud (an NTLM, a Negotiate, an Oauth)."""
    return "an" if word[:1].upper() in "AEIOU" or word.upper() in ("NTLM", "NEGOTIATE-NTLM") else "a"


def certificate_refused(untrusted: UntrustedCertificate, detail: str = "") -> CertificateNotTrusted:
    names = untrusted.names
    issuer = names.issuer_name if names is not None else ""
    via = f" (through the proxy {untrusted.proxy})" if untrusted.proxy else ""
    technical = f"TLS verification of {untrusted.host}{via} failed: {untrusted.verify_message}"
    if names is not None:
        technical += f"\n{names.details}"
    technical = f"{technical}\n{detail}" if detail else technical
    who = (
        f"it was issued by {issuer}, which this computer does not trust"
        if issuer
        else "this computer does not trust it"
    )
    return CertificateNotTrusted(
        f"The server's security certificate could not be verified: {who}, so nothing was sent. If your company "
        "inspects secure connections, ask your IT department for its root certificate and set it as the "
        "Certificate file in Settings; otherwise give these details to IT.",
        issuer=issuer,
        detail=technical,
    )


def _proxy_unreachable(exc: requests.exceptions.ProxyError, detail: str) -> ServiceError:
    timed_out = any(
        isinstance(item, urllib3.exceptions.ConnectTimeoutError)
        and not isinstance(item, urllib3.exceptions.NewConnectionError)  # (a subclass, for history's sake)
        for item in causes(exc)
    )
    if _wraps(exc, urllib3.exceptions.NameResolutionError, socket.gaierror):
        how = "could not be found by name"
    elif _wraps(exc, ConnectionRefusedError):
        how = "refused the connection"
    elif timed_out:
        how = "did not accept a connection in time"
    else:
        how = "could not be reached"
    return ProxyUnreachable(
        f"The proxy server {how}, so nothing was sent. Check that this computer is on the company network "
        "(or its VPN); if it is, give these details to your IT department.",
        detail=detail,
    )


def _request_failed(exc: requests.exceptions.RequestException, kind: str) -> ServiceError:
    """A request that failed on its way: not sent, or sent and its answer lost."""
    sent = kind == "schedule"  # only a schedule's lost answer leaves its outcome unknown
    if isinstance(exc, requests.exceptions.SSLError):
        return CannotReachServer(
            "The server's security certificate could not be verified (or a secure connection could not be set up), "
            "so nothing was sent. If your company uses its own certificates, set the Certificate file in Settings.",
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
