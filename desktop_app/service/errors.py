"""The errors the service layer raises. Each carries a message a non-programmer understands.

Messages never contain a license key: the client builds them itself and redacts any text that
came from the server.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base class: `str(error)` is the plain-language message for the user.

    `outcome_unknown` is True when a request may have reached the server but its answer was lost:
    for a schedule, the call may or may not be booked. It is set where the error is raised; callers
    read this attribute, never the message text.
    """

    title = "Something went wrong"

    def __init__(self, message: str, *, detail: str = "", outcome_unknown: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail  # technical detail for the log, already redacted
        self.outcome_unknown = outcome_unknown


class InvalidInput(ServiceError):
    """Input was rejected before anything was sent."""

    title = "Please check this field"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class CannotReachServer(ServiceError):
    title = "Cannot reach the server"


class TimedOut(ServiceError):
    title = "The server did not answer in time"


class ServerError(ServiceError):
    """The server answered with an HTTP error that is not a SOAP fault (e.g. a proxy's HTML page)."""

    title = "The service reported a problem"

    def __init__(
        self, message: str, *, status_code: int | None = None, detail: str = "", outcome_unknown: bool = False
    ) -> None:
        super().__init__(message, detail=detail, outcome_unknown=outcome_unknown)
        self.status_code = status_code


class SoapFault(ServiceError):
    title = "The service refused the request"


class UnexpectedResponse(ServiceError):
    """The answer could not be understood (malformed XML, wrong content, unsafe XML)."""

    title = "The server's answer could not be understood"


class DiscoveryFailed(UnexpectedResponse):
    """The address did not serve a PhoneNotify service description (WSDL) we recognise."""

    title = "The service description could not be read"


# -- the company network: proxies and certificates (nothing was sent in any of these) --------------


class ProxyProblem(CannotReachServer):
    """The proxy stopped the request before it reached the service. `proxy` is its address
    (host:port, never a password)."""

    title = "The proxy server stopped the request"

    def __init__(self, message: str, *, proxy: str = "", detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.proxy = proxy


class ProxySignInNeeded(ProxyProblem):
    """The proxy answered 407: it wants a sign-in. `scheme` is what it asked for (Basic, NTLM,
    Negotiate, ...); `can_ask` is True when the app can ask for a user name and password (Basic)."""

    title = "The proxy server asks you to sign in"

    def __init__(
        self,
        message: str,
        *,
        proxy: str = "",
        scheme: str = "",
        realm: str = "",
        can_ask: bool = False,
        detail: str = "",
    ) -> None:
        super().__init__(message, proxy=proxy, detail=detail)
        self.scheme = scheme
        self.realm = realm
        self.can_ask = can_ask


class ProxySignInRefused(ProxySignInNeeded):
    title = "The proxy server refused your sign-in"


class ProxyBlocked(ProxyProblem):
    title = "The proxy server blocks this address"


class ProxyUnreachable(ProxyProblem):
    title = "The proxy server cannot be reached"


class ProxyNoAnswer(ProxyProblem):
    title = "The proxy server did not answer"


class ProxyNotSupported(ProxyProblem):
    title = "This kind of proxy is not supported"


class CertificateNotTrusted(CannotReachServer):
    """The server's certificate (or an inspecting proxy's) did not verify. `issuer` names who
    issued it ("" when it could not be read)."""

    title = "The server's certificate is not trusted"

    def __init__(self, message: str, *, issuer: str = "", detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.issuer = issuer


class CertificateFileProblem(ServiceError):
    """The certificate file set in Settings or the site file cannot be used: nothing was sent."""

    title = "The certificate file could not be read"
