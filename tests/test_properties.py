"""Property-based tests: the validators and the sandbox's request parsing never crash, and a
normalised value validates to itself."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.sandbox import ManualClock, Sandbox
from desktop_app.service import InvalidInput
from desktop_app.service import validation as check

ANY_TEXT = st.text(max_size=80) | st.from_regex(r"[\d\s()+.x-]{0,30}", fullmatch=True)


def _idempotent(fn, value):
    try:
        normal = fn(value)
    except InvalidInput as error:
        assert error.message and error.field
        return
    assert fn(normal) == normal


@given(ANY_TEXT)
def test_phone_number(value):
    _idempotent(check.phone_number, value)


@given(st.text(max_size=60) | st.uuids().map(str) | st.uuids().map(lambda u: f" {{{str(u).upper()}}} "))
def test_license_key(value):
    _idempotent(check.license_key, value)


@given(st.text(max_size=70) | st.from_regex(r"[A-Za-z0-9_.:/#-]{1,60}", fullmatch=True))
def test_reference_id(value):
    _idempotent(check.reference_id, value)


@given(st.text(max_size=30))
def test_queue_id(value):
    _idempotent(check.queue_id, value)


@given(st.text(max_size=5000))
def test_text_to_say(value):
    _idempotent(check.text_to_say, value)


@given(st.text(max_size=120))
def test_endpoint(value):
    _idempotent(check.endpoint, value)


@given(st.one_of(st.integers(), st.text(max_size=8), st.none(), st.booleans()))
def test_int_in_range(value):
    _idempotent(lambda v: check.int_in_range(v, "try_count", "Tries", 0, 3), value)


@given(st.datetimes(timezones=st.timezones() | st.none()))
def test_scheduled_time(value):
    now = datetime(2030, 1, 1, tzinfo=UTC)
    try:
        result = check.scheduled_time(value, now)
    except InvalidInput:
        return
    assert result.tzinfo == UTC and check.scheduled_time(result, now) == result


_SANDBOX = Sandbox(clock=ManualClock())  # not started: dispatch() is called directly
NS = "https://ws.esendex.us/NotifyWS/"
OPS = sorted(_SANDBOX.contract.operations)
FIELDS = ["QueueID", "LicenseKey", "ReferenceID", "anr", "MultipleANR", "PhoneNumber", "QueueIDs", "x"]


@st.composite
def envelopes(draw) -> bytes:
    op = draw(st.sampled_from([*OPS, "Nope", ""]))
    children = "".join(
        f"<{name}>{draw(st.text(max_size=20)).replace('<', '').replace('&', '')}</{name}>"
        for name in draw(st.lists(st.sampled_from(FIELDS), max_size=4))
    )
    body = f'<{op or "x"} xmlns="{draw(st.sampled_from([NS, "urn:other", ""]))}">{children}</{op or "x"}>'
    env = draw(
        st.sampled_from(["http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope"])
    )
    text = f'<s:Envelope xmlns:s="{env}"><s:Body>{body}</s:Body></s:Envelope>'
    cut = draw(st.integers(min_value=0, max_value=len(text)))
    return (text if draw(st.booleans()) else text[:cut]).encode()


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=st.sampled_from(["GET", "POST"]),
    path=st.sampled_from(
        [
            "/NotifyWS/PhoneNotify.asmx",
            "/notifyws/phonenotify.asmx/CancelNotify",
            "/NotifyWS/PhoneNotify.asmx/GetQueueIDStatus",
            "/x",
            "/NotifyWS/PhoneNotify.asmx/getvoices",
        ]
    ),
    query=st.text(max_size=40),
    content_type=st.sampled_from(
        ["text/xml", "application/soap+xml; action=x", "application/x-www-form-urlencoded", ""]
    ),
    body=envelopes() | st.binary(max_size=200),
)
def test_sandbox_request_parsing_never_crashes(method, path, query, content_type, body):
    reply = _SANDBOX.dispatch(method, f"{path}?{query}", {"Content-Type": content_type}, body)
    assert reply.status in (200, 404, 415, 500)
    assert isinstance(reply.body, bytes)
    assert _SANDBOX.internal_errors == 0
