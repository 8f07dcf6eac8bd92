"""License keys and phone numbers as the sandbox reads them (documented choices, fact sheet 8.1,
8.2 and 8.6: the real service's rules are UNVERIFIED)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# A suspended key answers code 14 ("Key Invalid.  IP Address has been suspended.").
SUSPENDED_KEYS = frozenset({"99999999-9999-9999-9999-999999999999"})
# The all-zero key of the vendor's samples: a demo account (Demo=true, demo limits apply).
DEMO_KEY = "00000000-0000-0000-0000-000000000000"


@dataclass
class Ledger:
    """What the sandbox did, per account: for tests and soak checks."""

    scheduled: int = 0
    rejected: int = 0
    cancelled: int = 0
    credited_calls: int = 0


def normalise_key(key: str | None) -> str:
    return (key or "").strip().lower()


def account_id(key: str | None) -> str:
    """Who owns a call: the SHA-256 (hex) of the normalised license key. The sandbox keeps only
    this, in memory and in its state file, never the key (a key is a GUID: not guessable back)."""
    return hashlib.sha256(normalise_key(key).encode()).hexdigest()


def key_is_usable(key: str) -> bool:
    return bool(GUID.match(key)) and key not in SUSPENDED_KEYS


def split_number(raw: str | None) -> tuple[str, str] | None:
    """(10 digits, extension) or None. Any punctuation, an optional leading 1 and `x` + digits."""
    text = (raw or "").strip().lower()
    number, _, extension = text.partition("x")
    if extension and not extension.strip().isdigit():
        return None
    digits = "".join(ch for ch in number if ch.isdigit())
    if any(ch.isalpha() for ch in number):
        return None
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or not digits.isascii():  # isdigit() also accepts other scripts' digits
        return None
    return digits, extension.strip()
