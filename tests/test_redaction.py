"""No license key reaches a log: every logger, root at DEBUG included, while real requests run."""

from __future__ import annotations

import logging

import pytest

from desktop_app.service import CannotReachServer, PhoneNotifyClient
from desktop_app.service.redaction import (
    NOISY_LOGGERS,
    RedactingFilter,
    RedactingFormatter,
    install_log_redaction,
    mask_key,
    redact,
)
from tests.conftest import KEY_A


def test_redact_masks_keys_in_text_elements_and_query_strings():
    assert mask_key(KEY_A) == "••••-…-8e7d"
    text = f"key {KEY_A} <LicenseKey>whatever-it-is</LicenseKey> <ns0:licensekey>x</ns0:licensekey> ?LicenseKey=abc&x=1"
    cleaned = redact(text)
    assert KEY_A not in cleaned and "whatever-it-is" not in cleaned and "LicenseKey=abc" not in cleaned
    assert "8e7d" in cleaned and "x=1" in cleaned


def test_root_logger_at_debug_sees_no_key_during_real_calls(sandbox, caplog):
    install_log_redaction(caplog.handler)  # what the app does at start-up with its handlers
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
    assert KEY_A not in caplog.text
    client.close()


def test_constructing_a_client_leaves_process_wide_logging_alone(sandbox):
    factory = logging.getLogRecordFactory()
    levels = {name: logging.getLogger(name).level for name in (*NOISY_LOGGERS, "")}
    handlers = {id(h): list(h.filters) for h in logging.getLogger().handlers}
    client = PhoneNotifyClient(sandbox.url, timeout=5)
    client.get_version()
    client.close()
    assert logging.getLogRecordFactory() is factory
    assert {name: logging.getLogger(name).level for name in levels} == levels
    assert {id(h): list(h.filters) for h in logging.getLogger().handlers} == handlers


def test_install_pins_noisy_loggers_and_filters_handlers_without_a_record_factory():
    factory = logging.getLogRecordFactory()
    handler = logging.StreamHandler(__import__("io").StringIO())
    saved = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    try:
        install_log_redaction(handler)
        install_log_redaction(handler)  # idempotent: one filter
        assert logging.getLogRecordFactory() is factory
        assert all(logging.getLogger(name).level == logging.WARNING for name in NOISY_LOGGERS)
        assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
        logger = logging.getLogger("test.redaction.install")
        logger.addHandler(handler)
        logger.propagate = False
        logger.warning("key %s", KEY_A)
        try:
            raise RuntimeError(f"?LicenseKey={KEY_A}")
        except RuntimeError:
            logger.exception("failed")
        written = handler.stream.getvalue()
        assert KEY_A not in written and "8e7d" in written and "RuntimeError" in written
    finally:
        logging.getLogger("test.redaction.install").removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def test_filter_redacts_message_arguments_and_a_broken_format():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "key=%s %s", (KEY_A,), None)
    assert RedactingFilter().filter(record) is True
    assert KEY_A not in record.getMessage()
    broken = logging.LogRecord("x", logging.INFO, __file__, 1, f"{KEY_A} %d", ("not a number",), None)
    RedactingFilter().filter(broken)
    assert KEY_A not in broken.getMessage()


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
