"""Plain dataclasses returned by the client. No zeep objects leave the service layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from .reference_data import (
    BOOKED_CODES,
    IN_PROGRESS_CODES,
    NOT_STARTED_CODES,
    booking_problem,
    plain_machine_detection,
    plain_status,
)


@dataclass(frozen=True)
class CallRequest:
    """A validated call, ready to send as an AdvancedNotifyRequest (build it with `new_call_request`)."""

    phone_number: str
    text_to_say: str
    scheduled_utc: datetime
    reference_id: str = ""
    voice_id: int = 0
    caller_id_number: str = ""
    caller_id_name: str = ""
    transfer_number: str = ""
    try_count: int = 1
    next_try_seconds: int = 180
    tts_rate: int = 10
    tts_volume: int = 100
    # 0 = the service's own default: the vendor's sample sends 0 and asks users not to change it
    # (fact sheet 11.7). The unit is UNVERIFIED (probably seconds).
    max_call_length: int = 0
    status_change_post_url: str = ""


@dataclass(frozen=True)
class ScheduledCall:
    """What the service answered to a schedule request."""

    queue_id: int
    response_code: int
    response_text: str
    reference_id: str
    scheduled_utc: datetime

    @property
    def booked(self) -> bool:
        """The service took the call: it has a QueueID and a pending or in-progress code
        (BOOKED_CODES, fact sheet 11.3), not only 0 "Queued"."""
        return self.queue_id > 0 and self.response_code in BOOKED_CODES

    @property
    def queued(self) -> bool:
        """Old name of `booked`, kept for callers that still use it."""
        return self.booked

    @property
    def problem(self) -> str | None:
        """What to do when the account cannot book calls (demo limits, key refused), else None."""
        return None if self.booked else booking_problem(self.response_code)

    @property
    def plain_text(self) -> str:
        return plain_status(self.response_code, self.response_text)


@dataclass(frozen=True)
class CallStatus:
    queue_id: int
    response_code: int
    response_text: str
    call_complete: bool
    answered: bool
    try_count: int
    demo: bool
    duration_seconds: int
    start_utc: datetime | None
    end_utc: datetime | None
    minute_rate: float = 0.0
    machine_detection: str = ""
    digits_pressed: str = ""
    country: str = ""
    text_to_say: str = ""
    variables: dict[str, str] = field(default_factory=dict)

    @property
    def plain_text(self) -> str:
        return plain_status(self.response_code, self.response_text)

    @property
    def machine_detection_text(self) -> str:
        return plain_machine_detection(self.machine_detection)

    @property
    def in_progress(self) -> bool:
        return not self.call_complete and self.response_code in IN_PROGRESS_CODES

    @property
    def cancellable(self) -> bool:
        """Only calls that have not started can be cancelled (fact sheet 8.5)."""
        return not self.call_complete and self.response_code in NOT_STARTED_CODES


@dataclass(frozen=True)
class Voice:
    voice_id: int
    name: str
    gender: str
    age: int
    language: str
    summary: str


@dataclass(frozen=True)
class ResponseCode:
    code: int
    text: str


@dataclass(frozen=True)
class CancelCount:
    """The answer of CancelNotifyByReferenceID: how many calls were cancelled (and credited)."""

    reference_id: str
    cancelled: int

    @property
    def credit_notice(self) -> str:
        if self.cancelled == 0:
            return (
                "Nothing was cancelled, so there is no credit. There are no scheduled calls with this "
                "reference ID: calls that are already completed or in progress cannot be cancelled."
            )
        calls = "call" if self.cancelled == 1 else "calls"
        return f"Your account is credited for the {self.cancelled} cancelled {calls}."


@dataclass(frozen=True)
class QueueCancelResult:
    """The answer of CancelNotify for one QueueID."""

    queue_id: int
    cancelled: bool

    @property
    def credit_notice(self) -> str:
        if self.cancelled:
            return "Your account is credited for the cancelled call."
        return (
            "Nothing was cancelled, so there is no credit. The call was not waiting to be placed: "
            "completed calls and calls in progress cannot be cancelled."
        )


def format_utc(moment: datetime) -> str:
    """`2026-11-28T16:10:37.123Z`: UTC with milliseconds and `Z`, like the vendor's samples."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
