"""The service layer: a typed PhoneNotify client, validation and errors. No Qt imports here."""

from .client import DEFAULT_TIMEOUT_SECONDS, PhoneNotifyClient, format_utc, load_wsdl, new_call_request
from .errors import (
    CannotReachServer,
    InvalidInput,
    ServerError,
    ServiceError,
    SoapFault,
    TimedOut,
    UnexpectedResponse,
)
from .models import CallRequest, CallStatus, CancelCount, QueueCancelResult, ResponseCode, ScheduledCall, Voice

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
