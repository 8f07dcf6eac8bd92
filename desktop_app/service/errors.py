"""The errors the service layer raises. Each carries a message a non-programmer understands.

Messages never contain a license key: the client builds them itself and redacts any text that
came from the server.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base class: `str(error)` is the plain-language message for the user."""

    title = "Something went wrong"
    # True when a request may have reached the server but its answer was lost: for a schedule,
    # the call may or may not be booked.
    outcome_unknown = False

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail  # technical detail for the log, already redacted


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

    def __init__(self, message: str, *, outcome_unknown: bool = False, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.outcome_unknown = outcome_unknown


class ServerError(ServiceError):
    """The server answered with an HTTP error that is not a SOAP fault (e.g. a proxy's HTML page)."""

    title = "The service reported a problem"

    def __init__(self, message: str, *, status_code: int | None = None, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.status_code = status_code


class SoapFault(ServiceError):
    title = "The service refused the request"


class UnexpectedResponse(ServiceError):
    """The answer could not be understood (malformed XML, wrong content, unsafe XML)."""

    title = "The server's answer could not be understood"
