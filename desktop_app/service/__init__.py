"""The service layer: a typed PhoneNotify client, validation and errors. No Qt imports here.

The client (zeep, requests) is imported on first use, so that importing validation, errors or
models stays cheap: the app shows its window before it loads the SOAP stack.
"""

from typing import TYPE_CHECKING, Any

from .calls import new_call_request
from .errors import (
    CannotReachServer,
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
from .reference_data import DEFAULT_TIMEOUT_SECONDS

if TYPE_CHECKING:
    from .client import PhoneNotifyClient, load_wsdl

_LAZY = {"PhoneNotifyClient", "load_wsdl"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import client

        return getattr(client, name)
    raise AttributeError(name)


__all__ = [
    "DEFAULT_TIMEOUT_SECONDS",
    "CallRequest",
    "CallStatus",
    "CancelCount",
    "CannotReachServer",
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
    "format_utc",
    "load_wsdl",
    "new_call_request",
]
