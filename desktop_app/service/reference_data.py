"""Reference tables from the PhoneNotify fact sheet (sections 7.1 and 7.2).

The response texts are copied exactly, including the double space in code 14. The live service
may have changed them since 2021 (UNVERIFIED); the app prefers `GetResponseCodes` and `getVoices`
when the server answers, and falls back to these tables.
"""

from __future__ import annotations

from typing import NamedTuple

NAMESPACE = "https://ws.esendex.us/NotifyWS/"
LEGACY_NAMESPACE = "http://ws.cdyne.com/NotifyWS/"
CDYNE_NAMESPACE = LEGACY_NAMESPACE
DEFAULT_NAMESPACE = NAMESPACE
# Which one the live host expects is UNVERIFIED (fact sheet 11.1): the vendor's page shows the
# Esendex one, every public client the CDYNE one. The client discovers it or falls back.
KNOWN_NAMESPACES: tuple[str, ...] = (NAMESPACE, LEGACY_NAMESPACE)
DEFAULT_ENDPOINT = "https://ws.esendex.us/NotifyWS/PhoneNotify.asmx"
DEFAULT_TIMEOUT_SECONDS = 30.0
# Requests one bulk run keeps in flight at most: our choice, to stay polite to the service (the
# fact sheet documents no limit). The UI's thread pool is sized from it.
MAX_CONCURRENCY = 16

RESPONSE_CODES: dict[int, str] = {
    0: "Queued",
    1: "Call Answered",
    2: "Call Unanswered",
    3: "Invalid Phone Number",
    4: "Invalid CallerID",
    5: "Invalid VoiceID",
    6: "Invalid Number to Transfer To",
    7: "Invalid Digit for Transfer",
    8: "Busy",
    9: "Universal Error",
    10: "Demo allowance exceeded.",
    11: "Demo not allowed",
    12: "Dialing",
    13: "CallerID and PhoneNumber To Dial cannot match.",
    14: "Key Invalid.  IP Address has been suspended.",
    15: "Phone Number Abuse",
    16: "Scheduled Time is not a UTC date/time",
    17: "http://wiki.cdyne.com/index.php/SiteBan",
    18: "Ringing",
    19: "Trying",
    20: "Call is being Forwarded",
    21: "In Call/Ringing",
    22: "Cancelled",
    23: "Sound File Not Found",
    24: "Transferred",
    25: "Transfer Failed",
    26: "Caller Hung up during transfer",
    27: "Administrative Hold",
    28: "Call Forbidden",
    29: "Incoming Call",
    30: "Incoming Call Complete",
    31: "Incoming Call Transferred",
    32: "TTS Error",
    33: "Time Restriction",
    34: "Congestion/Service Unavail",
    35: "Global Not Acceptable",
    36: "No Supported Media",
    37: "Telecom Timeout",
    38: "Telecom Denied",
    39: "Demo Denied due to FTC regulations",
    40: "TTS Busy - Will Try Again",
    41: "Conference Start",
    42: "Conference Join",
    43: "Telco Reported Vacant Number",
    44: "Number Changed or Disconnected",
    45: "Sound File Processing",
    46: "Ready for Dialer",
}

# A Notify answer with a QueueID and one of these codes is a booked call (fact sheet 11.3: real
# clients S10 and S4 count pending and in-progress codes as success, so 45 "Sound File
# Processing" and 46 "Ready for Dialer" are bookings, not failures).
BOOKED_CODES = frozenset({0, 45, 46, 12, 18, 19, 20, 21})

# Codes of calls that have not started yet. Only these can be cancelled (fact sheet 8.5);
# 45 and 46 are "waiting" states [INF], so the app treats them as cancellable too.
NOT_STARTED_CODES = frozenset({0, 45, 46})
# Codes of calls that are being placed right now: never cancellable.
IN_PROGRESS_CODES = frozenset({12, 18, 19, 20, 21, 29, 40, 41, 42})

# What to do when a booking is refused for the account rather than the call (fact sheet 8.1, 8.2).
_BOOKING_PROBLEMS: dict[int, str] = {
    10: (
        "This demo account has used up its free calls, so the call was not booked. "
        "Use a paid license key, or ask Esendex to extend the demo."
    ),
    11: (
        "This license key is a demo key, and demo keys cannot place this kind of call, so it was not "
        "booked. Use a paid license key."
    ),
    39: (
        "Demo calls to this number are not allowed (US FTC rules), so the call was not booked. Use a paid license key."
    ),
    14: (
        "The service did not accept this license key (it is wrong, or your IP address has been "
        "suspended), so the call was not booked. Check the key in Accounts; if it is right, contact "
        "Esendex support."
    ),
}


def booking_problem(code: int) -> str | None:
    """A plain message with what to do, for codes that mean the account cannot book calls."""
    return _BOOKING_PROBLEMS.get(code)


# Plain words for agents; the service's own ResponseText is shown beside them.
PLAIN_STATUS: dict[int, str] = {
    0: "Scheduled - waiting for its time",
    1: "Answered",
    2: "Not answered",
    8: "Line busy",
    12: "Dialling now",
    18: "Ringing now",
    19: "Connecting now",
    20: "Being forwarded now",
    21: "In the call now",
    22: "Cancelled",
    24: "Transferred",
    40: "Speech engine busy - it will try again",
    43: "Not placed: the number is not in service",
    44: "Not placed: the number has changed or been disconnected",
    45: "Preparing the sound file",
    46: "About to be dialled",
}

# The status operations answer ResponseCode 9 "Universal Error" for a QueueID the license key does
# not know (none such, or another account's call); CancelNotify answers plain `false` for it, as for
# a call that has already started, so only a status look-up tells the two apart.
UNKNOWN_QUEUE_ID_CODE = 9


def queue_id_not_found(account: str) -> str:
    """What to tell the user about a QueueID the service does not know for `account`."""
    if not account:
        return "No call with this QueueID was found. Check the number."
    return f"No call with this QueueID was found for the account {account}. Check the number, or try another account."


def after_queue_id_not_found(account: str) -> str:
    """What follows a headline that already says "QueueID … not found": where it was looked for and
    what to do, without saying it again."""
    if not account:
        return "Checked in every account. Check the number."
    return f"Checked on the account {account}. Check the number, or try another account."


# MachineDetection values (fact sheet 11.5): who or what answered.
PLAIN_MACHINE_DETECTION: dict[str, str] = {
    "HUMAN": "A person",
    "MACHINE": "An answering machine",
    "FAX": "A fax machine",
    "UNKNOWN": "Could not tell who answered",
}


def plain_machine_detection(value: str | None) -> str:
    """Plain words for MachineDetection; "" when the service sent nothing."""
    text = (value or "").strip()
    return PLAIN_MACHINE_DETECTION.get(text.upper(), text)


def plain_status(code: int, service_text: str | None = None) -> str:
    """A short plain-language description of a response code."""
    if code in PLAIN_STATUS:
        return PLAIN_STATUS[code]
    text = service_text or RESPONSE_CODES.get(code)
    return f"Not placed: {text}" if text else f"Unknown status (code {code})"


class VoiceInfo(NamedTuple):
    voice_id: int
    name: str
    gender: str
    age: int
    language: str

    @property
    def summary(self) -> str:
        return f"{self.name} - {self.language} ({self.gender} - {self.age})"


VOICES: tuple[VoiceInfo, ...] = (
    VoiceInfo(0, "Diane", "Female", 35, "US English"),
    VoiceInfo(1, "David", "Male", 30, "US English"),
    VoiceInfo(2, "William", "Male", 30, "US English"),
    VoiceInfo(3, "Emily", "Female", 30, "US English"),
    VoiceInfo(4, "Callie", "Female", 30, "US English"),
    VoiceInfo(5, "Lawrence", "Male", 55, "UK English"),
    VoiceInfo(6, "Millie", "Female", 45, "UK English"),
    VoiceInfo(7, "Isabelle", "Female", 30, "Canadian French"),
    VoiceInfo(8, "Katrin", "Female", 35, "German"),
    VoiceInfo(10, "Vittoria", "Female", 30, "Italian"),
    VoiceInfo(15, "Jean-Pierre", "Male", 30, "Canadian French"),
    VoiceInfo(16, "Allison", "Female", 28, "US English"),
    VoiceInfo(17, "Miguel", "Male", 30, "Americas Spanish"),
    VoiceInfo(18, "Matthias", "Male", 30, "German"),
    VoiceInfo(19, "Ashley", "Female", 30, "US English"),
    VoiceInfo(20, "James", "Male", 30, "US English"),
    VoiceInfo(23, "Violeta", "Female", 30, "Mexican Spanish"),
    VoiceInfo(24, "Francisco", "Male", 30, "Mexican Spanish"),
)
DEFAULT_VOICE_ID = 0  # Diane, the service's default and test voice.
