"""The service layer: a typed PhoneNotify client, validation and errors. No Qt imports here.

Each name below is loaded from its module on first use, so importing one piece (validation,
errors, redaction) costs only that piece: the window's first paint needs a few of them, and the
client (zeep, requests) is not imported until a request is made.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .calls import new_call_request
    from .client import PhoneNotifyClient, load_wsdl
    from .discovery import discover_namespace
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

_NAMES = {  # module: the names it gives the package
    "calls": ("new_call_request",),
    "client": ("PhoneNotifyClient", "load_wsdl"),
    "discovery": ("discover_namespace",),
    "errors": (
        "CannotReachServer",
        "DiscoveryFailed",
        "InvalidInput",
        "ServerError",
        "ServiceError",
        "SoapFault",
        "TimedOut",
        "UnexpectedResponse",
    ),
    "models": (
        "CallRequest",
        "CallStatus",
        "CancelCount",
        "QueueCancelResult",
        "ResponseCode",
        "ScheduledCall",
        "Voice",
        "format_utc",
    ),
    "reference_data": (
        "BOOKED_CODES",
        "DEFAULT_NAMESPACE",
        "DEFAULT_TIMEOUT_SECONDS",
        "KNOWN_NAMESPACES",
        "booking_problem",
    ),
}
_WHERE = {name: module for module, names in _NAMES.items() for name in names}
_HEAVY = {"client", "discovery"}  # zeep and requests: loaded with the other heavy stacks (heavy_stacks.py)


def __getattr__(name: str) -> Any:
    module_name = _WHERE.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if module_name in _HEAVY:
        from .. import heavy_stacks

        heavy_stacks.load()
    module = importlib.import_module(f".{module_name}", __name__)
    value = globals()[name] = getattr(module, name)  # found directly from now on
    return value


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
