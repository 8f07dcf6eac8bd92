"""Between zeep objects and the plain dataclasses of models.py. No zeep object leaves the service
layer."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .errors import UnexpectedResponse
from .models import CallRequest, CallStatus, ScheduledCall, format_utc
from .reference_data import BOOKED_CODES


def as_utc(value: Any) -> datetime | None:
    """Service times. A placeholder (year 1, e.g. `0001-01-01T01:00:00`) means "not yet". ASMX
    writes dateTime without a zone (fact sheet 11.4); the service's times are UTC, so a time
    without a zone is read as UTC. A time with a zone or offset is converted to UTC."""
    if not isinstance(value, datetime) or value.year <= 1:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def items(array: Any, item_name: str) -> list[Any]:
    if array is None:
        return []
    found = getattr(array, item_name, None) if not isinstance(array, list) else array
    return [item for item in (found or []) if item is not None]


def status(item: Any) -> CallStatus:
    variables = {(v.VariableName or ""): (v.VariableValue or "") for v in items(item.VariableArray, "Variable")}
    rate = item.MinuteRate
    return CallStatus(
        queue_id=int(item.QueueID or 0),
        response_code=int(item.ResponseCode),
        response_text=item.ResponseText or "",
        call_complete=bool(item.CallComplete),
        answered=bool(item.CallAnswered),
        try_count=int(item.TryCount or 0),
        demo=bool(item.Demo),
        duration_seconds=int(item.Duration or 0),
        start_utc=as_utc(item.StartTime),
        end_utc=as_utc(item.EndTime),
        minute_rate=float(rate) if isinstance(rate, (Decimal, int, float)) else 0.0,
        machine_detection=item.MachineDetection or "",
        digits_pressed=item.DigitsPressed or "",
        country=item.Country or "",
        text_to_say=item.TextToSay or "",
        variables=variables,
    )


def advanced_request(license_key: str, call: CallRequest) -> dict[str, Any]:
    # Every value-type field is sent explicitly (the schema makes them mandatory, and a missing
    # one would silently become 0 on the server).
    return {
        "PhoneNumberToDial": call.phone_number,
        "TransferNumber": call.transfer_number or None,
        "VoiceID": call.voice_id,
        "CallerIDNumber": call.caller_id_number or None,
        "CallerIDName": call.caller_id_name or None,
        "TextToSay": call.text_to_say,
        "LicenseKey": license_key,
        "TryCount": call.try_count,
        "NextTryInSeconds": call.next_try_seconds,
        "UTCScheduledDateTime": format_utc(call.scheduled_utc),
        "TTSrate": call.tts_rate,
        "TTSvolume": call.tts_volume,
        "MaxCallLength": call.max_call_length,
        "StatusChangePostUrl": call.status_change_post_url or None,
        "ReferenceID": call.reference_id or None,
    }


def scheduled(result: Any, call: CallRequest) -> ScheduledCall:
    if result is None or (int(result.ResponseCode) in BOOKED_CODES and not result.QueueID):
        # A booking code without a QueueID is no answer at all: the call may or may not be booked.
        raise UnexpectedResponse(
            "The server's answer did not say which call was booked. Outcome unknown: the call may or may "
            "not have been booked. Check the call's status before trying again.",
            outcome_unknown=True,
        )
    return ScheduledCall(
        queue_id=int(result.QueueID or 0),
        response_code=int(result.ResponseCode),
        response_text=result.ResponseText or "",
        reference_id=call.reference_id,
        scheduled_utc=call.scheduled_utc,
    )
