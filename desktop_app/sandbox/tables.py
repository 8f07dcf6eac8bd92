"""The sandbox's own copy of the reference data it serves (fact sheet sections 1, 7.1 and 7.2).

Deliberately not imported from `desktop_app.service`: the sandbox is the oracle the client is
tested against, so a wrong table in the client must not silently agree with the sandbox.
"""

from __future__ import annotations

from typing import NamedTuple

# One target namespace per sandbox, as a real ASMX service has (fact sheet section 1).
NAMESPACES: dict[str, str] = {
    "esendex": "https://ws.esendex.us/NotifyWS/",  # the seed page: the Esendex era
    "cdyne": "http://ws.cdyne.com/NotifyWS/",  # every public client 2010-2021 (S1-S13)
}
NAMESPACE_CHOICES = (*NAMESPACES, "both")  # "both": a lenient sandbox that answers either
DEFAULT_NAMESPACE = "esendex"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"

# GetVersion's content is UNVERIFIED (fact sheet 4.13): say plainly what answered.
SERVICE_VERSION = "PhoneNotify sandbox 1.0 (Voice Broadcast Desk)"

# GetResponseCodes, exactly as the S3 fixture (including the double space in 14).
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


class Voice(NamedTuple):
    voice_id: int
    name: str
    gender: str
    age: int
    language: str

    @property
    def summary(self) -> str:
        return f"{self.name} - {self.language} ({self.gender} - {self.age})"


# getVoices, as the S3 fixture.
VOICES: tuple[Voice, ...] = (
    Voice(0, "Diane", "Female", 35, "US English"),
    Voice(1, "David", "Male", 30, "US English"),
    Voice(2, "William", "Male", 30, "US English"),
    Voice(3, "Emily", "Female", 30, "US English"),
    Voice(4, "Callie", "Female", 30, "US English"),
    Voice(5, "Lawrence", "Male", 55, "UK English"),
    Voice(6, "Millie", "Female", 45, "UK English"),
    Voice(7, "Isabelle", "Female", 30, "Canadian French"),
    Voice(8, "Katrin", "Female", 35, "German"),
    Voice(10, "Vittoria", "Female", 30, "Italian"),
    Voice(15, "Jean-Pierre", "Male", 30, "Canadian French"),
    Voice(16, "Allison", "Female", 28, "US English"),
    Voice(17, "Miguel", "Male", 30, "Americas Spanish"),
    Voice(18, "Matthias", "Male", 30, "German"),
    Voice(19, "Ashley", "Female", 30, "US English"),
    Voice(20, "James", "Male", 30, "US English"),
    Voice(23, "Violeta", "Female", 30, "Mexican Spanish"),
    Voice(24, "Francisco", "Male", 30, "Mexican Spanish"),
)
VOICE_IDS = frozenset(v.voice_id for v in VOICES)


def namespaces_for(mode: str) -> tuple[str, ...]:
    """The request namespaces a sandbox in `mode` accepts; the first is the one it answers in."""
    if mode == "both":
        return (NAMESPACES["esendex"], NAMESPACES["cdyne"])
    if mode not in NAMESPACES:
        raise ValueError(f"unknown namespace {mode!r}; choose from {', '.join(NAMESPACE_CHOICES)}")
    return (NAMESPACES[mode],)
