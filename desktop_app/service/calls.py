"""Build a validated call request from raw input (no zeep: cheap to import)."""

from __future__ import annotations

from datetime import datetime

from . import validation as check
from .errors import InvalidInput
from .models import CallRequest


def new_call_request(
    *,
    phone_number: str,
    text_to_say: str,
    scheduled: datetime,
    reference_id: str = "",
    voice_id: int = 0,
    caller_id_number: str = "",
    caller_id_name: str = "",
    transfer_number: str = "",
    try_count: int = 1,
    next_try_seconds: int = 180,
    tts_rate: int = 10,
    tts_volume: int = 100,
    max_call_length: int = 0,  # the service's default (fact sheet 11.7)
    now: datetime | None = None,
) -> CallRequest:
    """Validate raw input into a `CallRequest`; raises `InvalidInput` for the first bad field."""
    number = check.phone_number(phone_number)
    caller = check.optional_phone_number(caller_id_number, "caller_id_number", "caller ID number")
    if caller and caller.split("x")[0] == number.split("x")[0]:
        raise InvalidInput("caller_id_number", "The caller ID cannot be the number being dialled.")
    return CallRequest(
        phone_number=number,
        text_to_say=check.text_to_say(text_to_say),
        scheduled_utc=check.scheduled_time(scheduled, now),
        reference_id=check.reference_id(reference_id) if str(reference_id or "").strip() else "",
        voice_id=check.int_in_range(voice_id, "voice_id", "The voice", 0, 255),
        caller_id_number=caller,
        caller_id_name=check.caller_id_name(caller_id_name),
        transfer_number=check.optional_phone_number(transfer_number, "transfer_number", "transfer number"),
        try_count=check.int_in_range(try_count, "try_count", "Tries", *check.TRY_COUNT_RANGE),
        next_try_seconds=check.int_in_range(
            next_try_seconds, "next_try_seconds", "Seconds between tries", 0, check.NEXT_TRY_LIMIT
        ),
        tts_rate=check.int_in_range(tts_rate, "tts_rate", "Speech rate", *check.TTS_RATE_RANGE),
        tts_volume=check.int_in_range(tts_volume, "tts_volume", "Volume", *check.TTS_VOLUME_RANGE),
        max_call_length=check.int_in_range(
            max_call_length, "max_call_length", "Maximum call length", 0, check.MAX_CALL_LENGTH_LIMIT
        ),
    )
