"""Keep license keys out of every log line and error text.

zeep's transport logger prints whole envelopes at DEBUG, and urllib3 prints URLs (GET forms carry
`LicenseKey=` in the query). `install_log_redaction()` pins those loggers to WARNING and installs a
log-record factory, so a record from *any* logger is redacted as it is created, root logger at
DEBUG included. Formatted tracebacks are redacted by `RedactingFormatter`.
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


def redact(text: str) -> str:
    if not text:
        return text
    text = _KEY_ELEMENT.sub(lambda m: m.group(1) + "[redacted]" + m.group(3), text)
    text = _KEY_PARAM.sub(lambda m: m.group(1) + "[redacted]", text)
    return _GUID.sub(lambda m: "••••-…-" + m.group(6), text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


_installed = False
_lock = threading.Lock()


def install_log_redaction() -> None:
    """Idempotent. Safe to call from the app, the sandbox and scripts."""
    global _installed
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            try:
                message = record.getMessage()
            except Exception:  # a broken format string must not lose the record
                message = str(record.msg)
            record.msg, record.args = redact(message), None
            return record

        logging.setLogRecordFactory(factory)
        for name in NOISY_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
        _installed = True
