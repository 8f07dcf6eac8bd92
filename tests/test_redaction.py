"""No license key reaches a log: every logger, root at DEBUG included, while real requests run."""

from __future__ import annotations

import logging

import pytest

from desktop_app.service import CannotReachServer, PhoneNotifyClient
from desktop_app.service.redaction import RedactingFormatter, mask_key, redact
from tests.conftest import KEY_A


def test_redact_masks_keys_in_text_elements_and_query_strings():
    assert mask_key(KEY_A) == "••••-…-8e7d"
    text = f"key {KEY_A} <LicenseKey>whatever-it-is</LicenseKey> <ns0:licensekey>x</ns0:licensekey> ?LicenseKey=abc&x=1"
    cleaned = redact(text)
    assert KEY_A not in cleaned and "whatever-it-is" not in cleaned and "LicenseKey=abc" not in cleaned
    assert "8e7d" in cleaned and "x=1" in cleaned


def test_root_logger_at_debug_sees_no_key_during_real_calls(sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("zeep", "zeep.transports", "urllib3", "requests"):
        caplog.set_level(logging.DEBUG, logger=name)  # as if someone turned everything on (restored after)
    client = PhoneNotifyClient(sandbox.url, timeout=5)
    client.cancel_by_reference_id(KEY_A, "r1")
    sandbox.faults.inject("malformed_xml")
    with pytest.raises(Exception):  # noqa: B017 - any error; only the logs matter here
        client.cancel_by_reference_id(KEY_A, "r1")
    logging.getLogger("zeep.transports").debug("HTTP Post to x:\n<LicenseKey>%s</LicenseKey>", KEY_A)
    logging.getLogger("test").debug("GET /x?LicenseKey=%s", KEY_A)
    assert caplog.records, "the test must see log records to mean anything"
    for record in caplog.records:
        assert KEY_A not in record.getMessage()


def test_tracebacks_are_redacted_by_the_formatter():
    formatter = RedactingFormatter("%(message)s")
    try:
        raise RuntimeError(f"<soap:Envelope><LicenseKey>{KEY_A}</LicenseKey></soap:Envelope>")
    except RuntimeError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "failed", None, exc_info=__import__("sys").exc_info()
        )
    assert KEY_A not in formatter.format(record)


def test_error_text_never_carries_the_key(sandbox):
    client = PhoneNotifyClient(f"http://127.0.0.1:{sandbox.port}/nowhere", timeout=5)
    with pytest.raises(Exception) as error:
        client.cancel_by_reference_id(KEY_A, "r1")
    assert KEY_A not in str(error.value) and KEY_A not in getattr(error.value, "detail", "")
    down = PhoneNotifyClient("http://127.0.0.1:9/NotifyWS/PhoneNotify.asmx", timeout=2)
    with pytest.raises(CannotReachServer) as error:
        down.cancel_by_reference_id(KEY_A, "r1")
    assert KEY_A not in str(error.value) + error.value.detail
