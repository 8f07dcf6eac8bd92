"""Keep license keys out of every log line and error text.

zeep's transport logger prints whole envelopes at DEBUG, and urllib3 prints URLs (GET forms carry
`LicenseKey=` in the query). The app calls `install_log_redaction()` at start-up: it pins those
loggers to WARNING and attaches `RedactingFilter` to its handlers, so a record from *any* logger is
redacted before it is written. `RedactingFormatter` redacts the final text too. Nothing here runs
on import or when a client is constructed: the service layer leaves process-wide logging alone.
"""

from __future__ import annotations

import logging
import re
import threading

_GUID = re.compile(
    r"\b([0-9a-fA-F]{8})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{8})([0-9a-fA-F]{4})\b"
)
# A LicenseKey element or parameter, whatever its value looks like (any casing, as the service
# spells it three ways).
_KEY_ELEMENT = re.compile(r"(<(?:\w+:)?licensekey\b[^>]*>)(.*?)(</(?:\w+:)?licensekey>)", re.IGNORECASE | re.DOTALL)
_KEY_PARAM = re.compile(r"(licensekey=)([^&\s\"'<]*)", re.IGNORECASE)
NOISY_LOGGERS = ("zeep", "zeep.transports", "zeep.xsd", "zeep.wsdl", "urllib3", "requests")


def mask_key(key: str) -> str:
    """`••••-…-1a2b`: enough to tell keys apart, never enough to use one."""
    tail = key.strip()[-4:] if len(key.strip()) >= 4 else ""
    return f"••••-…-{tail}"


_secrets: set[str] = set()  # proxy passwords while a session uses them (add_secret)
_secrets_lock = threading.Lock()


def add_secret(secret: str) -> None:
    """Redact this exact text (and its Basic sign-in token) from every log line and error text from
    now on: a proxy password, which has no shape a pattern could find. Kept in memory only."""
    if len(secret) < 3:
        return  # too short to search for without redacting ordinary words
    with _secrets_lock:
        _secrets.add(secret)


def forget_secret(secret: str) -> None:
    with _secrets_lock:
        _secrets.discard(secret)


def _redact_secrets(text: str) -> str:
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, "[redacted]")
    if "Basic " in text:
        text = _BASIC.sub(r"\1[redacted]", text)
    return text


_BASIC = re.compile(r"(Basic\s+)(?!realm\b)[A-Za-z0-9+/]{6,}={0,2}(?![A-Za-z0-9+/=])", re.IGNORECASE)


def redact(text: str) -> str:
    if not text:
        return text
    text = _redact_secrets(text)
    text = _KEY_ELEMENT.sub(lambda m: m.group(1) + "[redacted]" + m.group(3), text)
    text = _KEY_PARAM.sub(lambda m: m.group(1) + "[redacted]", text)
    return _GUID.sub(lambda m: "••••-…-" + m.group(6), text)


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted line, traceback included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class RedactingFilter(logging.Filter):
    """Redacts a record's message, traceback and stack in place, before any handler formats it.

    Attach it to handlers (a logger's own filters do not see records propagated from child
    loggers). It never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


REDACTING_FILTER = RedactingFilter()
_lock = threading.Lock()


def install_log_redaction(*handlers: logging.Handler) -> None:
    """The app calls this at start-up. Idempotent; changes only logging, never record creation.

    - pins the loggers that print envelopes and URLs (zeep, urllib3, requests) to WARNING;
    - attaches `RedactingFilter` to the given handlers and to the root logger's handlers.
    Add handlers later? Call it again with them, or use `RedactingFormatter`.
    """
    with _lock:
        for name in NOISY_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
        for handler in (*logging.getLogger().handlers, *handlers):
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(REDACTING_FILTER)
