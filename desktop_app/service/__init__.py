"""The service layer: a typed PhoneNotify client, validation and errors. No Qt imports here.

The client (zeep, requests) is imported on first use, so that importing validation, errors or
models stays cheap: the app shows its window before it loads the SOAP stack.
"""

from typing import TYPE_CHECKING, Any

from .calls import new_call_request
from .errors import (
    CannotReachServer,
    DiscoveryFailed,
    InvalidInput,
    ServerError,
    ServiceError,
    SoapFault,
    TimedOut,
    UnexpectedResponse,
)
from .models import (
    CallRequest,
    CallStatus,
    CancelCount,
    QueueCancelResult,
    ResponseCode,
    ScheduledCall,
    Voice,
    format_utc,
)
from .reference_data import (
    BOOKED_CODES,
    DEFAULT_NAMESPACE,
    DEFAULT_TIMEOUT_SECONDS,
    KNOWN_NAMESPACES,
    booking_problem,
)

if TYPE_CHECKING:
    from .client import PhoneNotifyClient, load_wsdl
    from .discovery import discover_namespace

_LAZY = {"PhoneNotifyClient": "client", "load_wsdl": "client", "discover_namespace": "discovery"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from ..heavy_imports import heavy_import

        return getattr(heavy_import(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(name)


__all__ = [
    "BOOKED_CODES",
    "DEFAULT_NAMESPACE",
    "DEFAULT_TIMEOUT_SECONDS",
    "KNOWN_NAMESPACES",
    "CallRequest",
    "CallStatus",
    "CancelCount",
    "CannotReachServer",
    "DiscoveryFailed",
    "InvalidInput",
    "PhoneNotifyClient",
    "QueueCancelResult",
    "ResponseCode",
    "ScheduledCall",
    "ServerError",
    "ServiceError",
    "SoapFault",
    "TimedOut",
    "UnexpectedResponse",
    "Voice",
    "booking_problem",
    "discover_namespace",
    "format_utc",
    "load_wsdl",
    "new_call_request",
]
