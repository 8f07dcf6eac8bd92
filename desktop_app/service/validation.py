"""Input validation. Every function returns the normalised value or raises `InvalidInput` with a
plain-language message, before anything is sent. A normalised value validates to itself."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from datetime import UTC, datetime, timedelta, tzinfo
from urllib.parse import urlsplit

from .errors import InvalidInput

# Reference IDs: the service's own limits are UNVERIFIED (fact sheet 9.5). We choose a maximum
# of 50 characters (the limit the service documents for script and variable names) and a
# character set that survives every transport and the bulk-list separators (comma, semicolon,
# new line): letters, digits and - _ . : / #
REFERENCE_ID_MAX_LENGTH = 50
REFERENCE_ID_PATTERN = re.compile(r"[A-Za-z0-9_.:/#-]+")
REFERENCE_ID_ALLOWED_TEXT = "letters, digits and - _ . : / #"

# TextToSay's maximum is UNVERIFIED (fact sheet 8.7); we cap it so a paste accident is caught.
TEXT_TO_SAY_MAX_LENGTH = 4000
CALLER_ID_NAME_MAX_LENGTH = 50

TRY_COUNT_RANGE = (0, 3)
TTS_RATE_RANGE = (0, 20)
TTS_VOLUME_RANGE = (0, 100)
MAX_CALL_LENGTH_LIMIT = 3600  # seconds; the unit is UNVERIFIED (fact sheet 5.2), see client defaults
NEXT_TRY_LIMIT = 86400
# One rule for times in the past: a time up to this long ago is sent as "now" (someone who took a
# few minutes to fill in the form, or left it open overnight, still means "now"); anything older is
# refused as a mistake. The service's own tolerance is UNVERIFIED.
PAST_TIME_LIMIT = timedelta(days=1)
PAST_TIME_MESSAGE = "That time is more than a day in the past. Choose a time from now on."

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_PHONE_PUNCTUATION = set(" ()-.+/\u00a0")
_EXTENSION = re.compile(r"^(?P<number>.*?)\s*(?:x|ext\.?|extension)\s*(?P<ext>\d{1,8})\s*$", re.IGNORECASE)


def _strip(value: object) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _has_control_chars(text: str, allow_newlines: bool = False) -> bool:
    allowed = {"\n", "\r", "\t"} if allow_newlines else set()
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") and ch not in allowed for ch in text)


KEY_GROUPS = (8, 4, 4, 4, 12)  # a license key is a GUID: 32 hex digits in groups of 8-4-4-4-12
HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
ORDINALS = ("first", "second", "third", "fourth", "fifth")


def license_key(value: object) -> str:
    """The key in its usual form: with dashes, its letters in the capitals they were typed in (a
    GUID's hex digits are the same in either case, and the key is shown and kept as the account
    portal gave it). 32 hex digits without dashes, or in braces, are accepted. A wrong key is
    explained: which character or which group is wrong."""
    key = _strip(value)
    if key.startswith("{") and key.endswith("}"):
        key = key[1:-1].strip()
    if not key:
        raise InvalidInput("license_key", "Enter the license key for this account.")
    if _GUID.fullmatch(key):
        return key
    bad = next((ch for ch in key if ch not in HEX_DIGITS and ch != "-"), None)
    if bad is not None:
        shown = "a space" if bad.isspace() else f"“{bad}”" if bad.isprintable() else "an invisible character"
        raise InvalidInput(
            "license_key",
            f"The key contains {shown}. A license key has only the digits 0-9, the letters a-f and dashes.",
        )
    digits = key.replace("-", "")
    if "-" not in key and len(digits) == 32:
        return "-".join(digits[sum(KEY_GROUPS[:i]) : sum(KEY_GROUPS[: i + 1])] for i in range(5))
    groups = key.split("-")
    if "-" in key and len(groups) == 5:
        for ordinal, group, size in zip(ORDINALS, groups, KEY_GROUPS, strict=True):
            if len(group) != size:
                raise InvalidInput(
                    "license_key",
                    f"The {ordinal} group has {len(group)} characters; it should have {size}. "
                    "A key looks like 00000000-0000-0000-0000-000000000000.",
                )
    if len(digits) == 32:  # the right digits, the dashes in the wrong places
        raise InvalidInput(
            "license_key",
            "The key has its 32 letters and digits, but its dashes are in the wrong places. A key looks "
            "like 00000000-0000-0000-0000-000000000000; it may also be typed without dashes.",
        )
    raise InvalidInput(
        "license_key",
        f"The key has {len(digits)} letters and digits; a license key has 32, usually in five groups "
        "separated by dashes, like 00000000-0000-0000-0000-000000000000.",
    )


def phone_number(value: object, field: str = "phone_number", label: str = "phone number") -> str:
    """10 digits in any punctuation, an optional leading 1 (or +1), an optional `x` extension.

    Returns the 10 digits, plus `x` and the extension when there is one, e.g. `7575559999x12`.
    """
    text = _strip(value)
    if not text:
        raise InvalidInput(field, f"Enter a {label}.")
    if len(text) > 40 or _has_control_chars(text):
        raise InvalidInput(field, f"That {label} is not valid. Use 10 digits, like 757-555-9999.")
    extension = ""
    match = _EXTENSION.match(text)
    if match:
        text, extension = match.group("number"), match.group("ext")
    bad = {ch for ch in text if not ch.isascii() or not (ch.isdigit() or ch in _PHONE_PUNCTUATION)}
    if bad:
        raise InvalidInput(
            field,
            f"The {label} may contain only digits, spaces and ( ) - . + (and an extension written as x123).",
        )
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        raise InvalidInput(
            field,
            f"A {label} needs 10 digits (US/Canada), like 757-555-9999. This one has {len(digits)}.",
        )
    problem = north_american_problem(digits)
    if problem:
        raise InvalidInput(field, f"{problem} Check the {label}.")
    return f"{digits}x{extension}" if extension else digits


# A few exchange + line numbers that are valid in almost every area code: if none of them is valid
# there, the area code itself is not in use.
_PROBES = ("5550123", "2345678", "4567890", "8675309")


def north_american_problem(digits: str) -> str | None:
    """What is wrong with a 10-digit North American number, or None when it is valid.

    The area and exchange codes are checked against Google's libphonenumber data (region US, which
    covers the whole +1 plan: Canada and the Caribbean too), so 000-000-0000 and 123-456-7890 are
    refused with a message that names the wrong part.
    """
    import phonenumbers  # its data is loaded on first use, not when the app starts

    def valid(number: str) -> bool:
        try:
            return phonenumbers.is_valid_number(phonenumbers.parse(number, "US"))
        except phonenumbers.NumberParseException:
            return False

    if valid(digits):
        return None
    area, exchange = digits[:3], digits[3:6]
    if area[0] in "01" or area[1:] == "11" or not any(valid(area + probe) for probe in _PROBES):
        return f"The area code {area} does not exist."
    if exchange[0] in "01" or exchange[1:] == "11":
        return f"The exchange {exchange} (the three digits after the area code) does not exist."
    return f"{phone_text(digits)} is not a number in use in North America."


def phone_text(number: str) -> str:
    """How a number is shown: `7575550046` as `757-555-0046`, an extension after it as ` x12`;
    anything that is not ten digits as it is."""
    digits, _, extension = number.partition("x")
    if len(digits) != 10 or not digits.isdigit():
        return number
    text = f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return f"{text} x{extension}" if extension else text


def optional_phone_number(value: object, field: str, label: str) -> str:
    return phone_number(value, field, label) if _strip(value) else ""


def reference_id(value: object) -> str:
    ref = _strip(value)
    if not ref:
        raise InvalidInput("reference_id", "Enter a reference ID.")
    if len(ref) > REFERENCE_ID_MAX_LENGTH:
        raise InvalidInput(
            "reference_id",
            f"A reference ID can be at most {REFERENCE_ID_MAX_LENGTH} characters; this one has {len(ref)}.",
        )
    if not REFERENCE_ID_PATTERN.fullmatch(ref):
        if any(ch.isspace() for ch in ref):
            hint = "It contains a space."
        elif any(ch in ",;" for ch in ref):
            hint = "Commas and semicolons separate several IDs; enter one ID here."
        else:
            hint = "It contains a character that is not allowed."
        raise InvalidInput("reference_id", f"A reference ID may contain only {REFERENCE_ID_ALLOWED_TEXT}. {hint}")
    return ref


def queue_id(value: object) -> int:
    text = _strip(value)
    if not text.isascii() or not text.isdigit():
        raise InvalidInput("queue_id", "A QueueID is a whole number, like 4093249.")
    number = int(text)
    if number <= 0 or number > 2**63 - 1:
        raise InvalidInput("queue_id", "A QueueID is a positive whole number, like 4093249.")
    return number


def int_in_range(value: object, field: str, label: str, low: int, high: int) -> int:
    try:
        number = int(_strip(value)) if not isinstance(value, int) else value
    except ValueError:
        raise InvalidInput(field, f"{label} must be a whole number from {low} to {high}.") from None
    if isinstance(number, bool) or not low <= number <= high:
        raise InvalidInput(field, f"{label} must be a whole number from {low} to {high}.")
    return number


def text_to_say(value: object) -> str:
    text = _strip(value)
    if not text:
        raise InvalidInput("text_to_say", "Enter the text the call should say.")
    if len(text) > TEXT_TO_SAY_MAX_LENGTH:
        raise InvalidInput(
            "text_to_say",
            f"The text can be at most {TEXT_TO_SAY_MAX_LENGTH} characters; this one has {len(text)}.",
        )
    if _has_control_chars(text, allow_newlines=True):
        raise InvalidInput("text_to_say", "The text contains invisible control characters. Please retype it.")
    return text


def caller_id_name(value: object) -> str:
    name = _strip(value)
    if len(name) > CALLER_ID_NAME_MAX_LENGTH:
        raise InvalidInput(
            "caller_id_name", f"The caller ID name can be at most {CALLER_ID_NAME_MAX_LENGTH} characters."
        )
    if _has_control_chars(name):
        raise InvalidInput("caller_id_name", "The caller ID name contains invisible control characters.")
    return name


def scheduled_time(value: datetime, now: datetime | None = None) -> datetime:
    """An aware datetime, returned in UTC. A time more than a day in the past is refused (the
    service's tolerance for past times is UNVERIFIED; a time slightly in the past means "now")."""
    if not isinstance(value, datetime):
        raise InvalidInput("scheduled_time", "Choose a date and time for the call.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput("scheduled_time", "The date and time need a time zone.")
    utc = value.astimezone(UTC)
    now = now or datetime.now(UTC)
    if utc < now - PAST_TIME_LIMIT:
        raise InvalidInput("scheduled_time", PAST_TIME_MESSAGE)
    return utc


def local_time_note(wall_time: datetime, zone: tzinfo) -> str:
    """A plain note when a local wall-clock time falls in a daylight-saving gap or overlap.

    In a gap (clocks go forward) the time does not exist; in an overlap (clocks go back) it happens
    twice. Returns "" for an ordinary time.
    """
    naive = wall_time.replace(tzinfo=None)
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return ""
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        return (
            f"{naive:%H:%M} does not exist on {naive:%d %B} (the clocks go forward): "
            "choose another time, or the call is placed an hour later."
        )
    earlier = min(first, second, key=lambda moment: moment.astimezone(UTC))
    return (
        f"{naive:%H:%M} happens twice on {naive:%d %B} (the clocks go back). "
        f"The call is placed the first time, at {earlier.astimezone(UTC):%H:%M} UTC."
    )


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint(value: object) -> str:
    """An http(s) URL. Anything but a loopback address must use https, so a license key never
    crosses a network in clear text."""
    url = _strip(value)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or _has_control_chars(url) or " " in url:
        raise InvalidInput(
            "endpoint", "Enter the service address, like https://ws.esendex.us/NotifyWS/PhoneNotify.asmx"
        )
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise InvalidInput(
            "endpoint", "The address must start with https:// (only a local test server may use http://)."
        )
    return url
