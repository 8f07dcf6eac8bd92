"""Property-based tests: the validators accept every valid input (returning its normal form) and
refuse invalid ones with a message, never crash on anything, and a normalised value validates to
itself; the sandbox's request parsing never crashes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.sandbox import ManualClock, Sandbox
from desktop_app.service import InvalidInput
from desktop_app.service import validation as check

ANY_TEXT = st.text(max_size=80) | st.from_regex(r"[\d\s()+.x-]{0,30}", fullmatch=True)


def _idempotent(fn, value):
    """Arbitrary input: `fn` either refuses it with a message or returns a value that validates to
    itself. (It cannot tell a validator that refuses everything: the tests below of valid and
    invalid inputs can.)"""
    try:
        normal = fn(value)
    except InvalidInput as error:
        assert error.message and error.field
        return
    assert fn(normal) == normal


def _accepted(fn, value, expected):
    """A valid input is accepted as `expected`, which validates to itself."""
    try:
        normal = fn(value)
    except InvalidInput as error:
        raise AssertionError(f"{value!r} is valid but was refused: {error.message}") from None
    assert normal == expected
    assert fn(normal) == normal


def _refused(fn, value, field):
    with pytest.raises(InvalidInput) as refused:
        fn(value)
    assert refused.value.field == field and refused.value.message


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


# -- valid inputs are accepted, invalid ones refused ---------------------------------------------

# Area codes in use in the US and Canada; any exchange 200-999 but N11 is valid in each of them.
AREA_CODES = ["212", "202", "303", "312", "415", "416", "604", "617", "757", "905"]
EXCHANGES = st.integers(200, 999).map(str).filter(lambda code: code[1:] != "11")
LINES = st.integers(0, 9999).map(lambda n: f"{n:04d}")
PHONE_LAYOUTS = [
    "{a}{e}{l}",
    "{a}-{e}-{l}",
    "({a}) {e}-{l}",
    "{a}.{e}.{l}",
    "{a} {e} {l}",
    "1{a}{e}{l}",
    "+1 {a} {e} {l}",
    "+1 ({a}) {e}-{l}",
    "1-{a}-{e}-{l}",
    "  {a}/{e}-{l}\u00a0",
]
EXTENSION_LAYOUTS = ["", " x{x}", "x{x}", " ext. {x}", " ext{x}", " extension {x}", " X{x}"]


@st.composite
def valid_phone_numbers(draw) -> tuple[str, str]:
    """A valid number written one of the many ways people write it, and its normal form."""
    area, exchange, line = draw(st.sampled_from(AREA_CODES)), draw(EXCHANGES), draw(LINES)
    extension = draw(st.from_regex(r"[0-9]{1,8}", fullmatch=True))
    ext_layout = draw(st.sampled_from(EXTENSION_LAYOUTS))
    text = draw(st.sampled_from(PHONE_LAYOUTS)).format(a=area, e=exchange, l=line) + ext_layout.format(x=extension)
    return text, f"{area}{exchange}{line}" + (f"x{extension}" if ext_layout else "")


@given(valid_phone_numbers())
def test_phone_number_accepts_valid_numbers(case):
    text, normal = case
    _accepted(check.phone_number, text, normal)


@given(
    st.one_of(
        st.from_regex(r"[2-9][0-9]{2}[2-9][0-9]{2}[0-9]{4}", fullmatch=True).map(lambda d: d[:-1]),  # 9 digits
        st.from_regex(r"[2-9][0-9]{10}", fullmatch=True),  # 11 digits, not starting with 1
        st.from_regex(r"[01][0-9]{9}", fullmatch=True),  # an area code starting with 0 or 1
        st.builds(
            lambda area, exchange, line: area + exchange + line,
            st.sampled_from(AREA_CODES),
            st.from_regex(r"[01][0-9]{2}", fullmatch=True),
            LINES,
        ),
        st.builds(
            lambda area, line: f"{area}-555-{line}",
            st.sampled_from(AREA_CODES),
            st.from_regex(r"[0-9]{3}[a-zA-Z]", fullmatch=True),
        ),
        st.text(st.characters(categories=["Zs"]), max_size=5),  # blank
    )
)
def test_phone_number_refuses_invalid_numbers(text):
    _refused(check.phone_number, text, "phone_number")


@given(st.integers(1, 2**63 - 1), st.sampled_from(["{}", " {} ", "\t{}\n", "0{}"]))
def test_queue_id_accepts_positive_whole_numbers(number, layout):
    _accepted(check.queue_id, layout.format(number), number)


@given(
    st.one_of(
        st.integers(max_value=0).map(str),
        st.integers(2**63, 2**70).map(str),
        st.builds(lambda n, c: f"{n}{c}", st.integers(1, 10**9), st.sampled_from([".5", "x", " 1", ",000", "e3"])),
        st.just(""),
        st.just("\u0661\u0662"),  # Arabic-Indic digits: digits, but not ASCII
    )
)
def test_queue_id_refuses_anything_but_a_positive_whole_number(text):
    _refused(check.queue_id, text, "queue_id")


@given(st.uuids(), st.sampled_from(["{}", "{{{}}}", " {} ", "{{ {} }}"]), st.booleans(), st.booleans())
def test_license_key_accepts_a_guid_however_written(uuid, layout, upper, dashes):
    with_dashes = str(uuid).upper() if upper else str(uuid)
    key = with_dashes if dashes else with_dashes.replace("-", "")
    _accepted(check.license_key, layout.format(key), with_dashes)  # dashes put in, capitals kept


@given(
    st.one_of(
        st.uuids().map(lambda u: str(u)[:-1]),  # one digit short
        st.uuids().map(lambda u: str(u) + "0"),
        st.uuids().map(lambda u: str(u).replace("-", "")[:31]),
        st.uuids().map(lambda u: "g" + str(u)[1:]),  # not a hex digit
        st.uuids().map(lambda u: str(u)[:8] + str(u)[9] + "-" + str(u)[10:]),  # a misplaced dash
    )
)
def test_license_key_refuses_a_wrong_key(text):
    _refused(check.license_key, text, "license_key")


@given(st.from_regex(r"[A-Za-z0-9_.:/#-]{1,50}", fullmatch=True), st.sampled_from(["{}", " {} ", "\t{}"]))
def test_reference_id_accepts_allowed_characters(ref, layout):
    _accepted(check.reference_id, layout.format(ref), ref)


@given(
    st.one_of(
        st.from_regex(r"[A-Za-z0-9_.:/#-]{51,80}", fullmatch=True),
        st.from_regex(r"[A-Za-z0-9]{1,20}[ ,;<>&'\"][A-Za-z0-9]{1,20}", fullmatch=True),
        st.just(""),
    )
)
def test_reference_id_refuses_other_characters_and_long_ids(ref):
    _refused(check.reference_id, ref, "reference_id")


PRINTABLE = st.characters(exclude_categories=["Cc", "Cf", "Cs"])


@given(st.text(PRINTABLE | st.sampled_from(["\n", "\r", "\t"]), min_size=1, max_size=4000))
def test_text_to_say_accepts_text_with_new_lines(text):
    stripped = text.strip()
    if stripped:
        _accepted(check.text_to_say, text, stripped)
    else:
        _refused(check.text_to_say, text, "text_to_say")


@given(
    st.one_of(
        st.builds(lambda tail: "x" * 4001 + tail, st.text(PRINTABLE, max_size=20)),
        st.builds(
            lambda a, c: f"Hello{c}{a}", st.text(PRINTABLE, max_size=20), st.sampled_from(["\x00", "\x1b", "\u200b"])
        ),
    )
)
def test_text_to_say_refuses_control_characters_and_long_text(text):
    _refused(check.text_to_say, text, "text_to_say")


HOSTS = st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,20}){1,3}", fullmatch=True)
PATHS = st.from_regex(r"(/[A-Za-z0-9._-]{1,12}){0,3}", fullmatch=True)


@given(HOSTS, PATHS, st.none() | st.integers(1, 65535))
def test_endpoint_accepts_https_anywhere(host, path, port):
    url = f"https://{host}{f':{port}' if port else ''}{path}"
    _accepted(check.endpoint, url, url)


@given(st.sampled_from(["127.0.0.1", "localhost", "[::1]", "127.5.6.7"]), st.integers(1, 65535), PATHS)
def test_endpoint_accepts_http_on_loopback(host, port, path):
    url = f"http://{host}:{port}{path}"
    _accepted(check.endpoint, url, url)


@given(HOSTS, PATHS)
def test_endpoint_refuses_http_elsewhere_and_other_schemes(host, path):
    _refused(check.endpoint, f"http://{host}{path}", "endpoint")
    _refused(check.endpoint, f"ftp://{host}{path}", "endpoint")


@given(st.integers(0, 3), st.sampled_from(["{}", " {} ", None]))
def test_int_in_range_accepts_numbers_in_range(number, layout):
    _accepted(
        lambda v: check.int_in_range(v, "try_count", "Tries", 0, 3),
        number if layout is None else layout.format(number),
        number,
    )


@given(
    st.one_of(
        st.integers(max_value=-1), st.integers(min_value=4), st.integers(4, 99).map(str), st.just("two"), st.booleans()
    )
)
def test_int_in_range_refuses_numbers_out_of_range(value):
    _refused(lambda v: check.int_in_range(v, "try_count", "Tries", 0, 3), value, "try_count")


NOW = datetime(2030, 1, 1, tzinfo=UTC)


@given(st.datetimes(min_value=datetime(2029, 12, 31, 0, 0, 1), max_value=datetime(2031, 1, 1)), st.timezones())
def test_scheduled_time_accepts_aware_times_from_a_day_ago(wall, zone):
    moment = wall.replace(tzinfo=zone)
    if moment.astimezone(UTC) < NOW - check.PAST_TIME_LIMIT:
        _refused(lambda v: check.scheduled_time(v, NOW), moment, "scheduled_time")
    else:
        _accepted(lambda v: check.scheduled_time(v, NOW), moment, moment.astimezone(UTC))


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2029, 12, 29)), st.timezones() | st.none())
def test_scheduled_time_refuses_naive_and_long_past_times(wall, zone):
    _refused(lambda v: check.scheduled_time(v, NOW), wall.replace(tzinfo=zone), "scheduled_time")


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


# -- every answer is well-formed XML, whatever the strings ---------------------------------------
#
# For every operation and every protocol, every string parameter carries characters XML 1.0
# cannot (C0 controls, U+FFFE/U+FFFF) amid arbitrary Unicode. A SOAP client can only send them as
# character references (as a lax serializer would); GET/POST carry them percent-encoded. Whatever
# happens, the answer is well-formed XML that the standard library's expat parser reads, or
# ASMX's plain-text 500 for GET/POST. Calls that were booked are then read back with
# GetQueueIDStatusWithAdvancedInfo, which echoes their strings: that answer must be a fault (the
# sandbox's XML_CHARACTER_POLICY) exactly when a stored string cannot be written in XML.

import xml.dom.minidom  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

import requests  # noqa: E402

from desktop_app.sandbox.state import FIRST_QUEUE_ID  # noqa: E402
from desktop_app.sandbox.wire import NOT_XML_CHAR  # noqa: E402
from tests.conftest import KEY_A  # noqa: E402

SOAP_ENVELOPES = {
    "soap11": ("http://schemas.xmlsoap.org/soap/envelope/", "text/xml; charset=utf-8"),
    "soap12": ("http://www.w3.org/2003/05/soap-envelope", "application/soap+xml; charset=utf-8"),
}
PROTOCOLS = ("soap11", "soap12", "get", "post")
NOT_XML = st.characters(max_codepoint=0x1F, exclude_characters="\t\n\r") | st.sampled_from(["\ufffe", "\uffff"])
# Legal but awkward in XML: a SOAP request that carries only these can be read and acted on.
AWKWARD = st.sampled_from(["\t", "\n", "\r", "\x7f", "\x85", "\u2028", "\U0001f600", "\ufffd", "]", ">", "&", "<", '"'])
# str.strip() removes these: a key or voice with one around it still works.
STRIPPED = {True: st.sampled_from(list("\x0b\x0c\x1c\x1d\x1e\x1f")), False: st.sampled_from(list("\t\n \x85"))}


@st.composite
def nasty(draw, odd: st.SearchStrategy[str], base: st.SearchStrategy[str] | None = None) -> str:
    """`base` (arbitrary Unicode by default) with at least one `odd` character somewhere in it."""
    text = draw(base if base is not None else st.text(st.characters(codec="utf-8") | odd, max_size=12))
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.text(odd, min_size=1, max_size=3)) + text[at:]


def string_for(name: str, odd: st.SearchStrategy[str], not_xml: bool) -> st.SearchStrategy[str]:
    lowered = name.lower()
    if lowered == "licensekey":  # mostly a usable key despite its control character, so calls get booked
        usable = st.builds(lambda c: KEY_A + c, STRIPPED[not_xml])
        return st.one_of(usable, usable, usable, nasty(odd))
    if lowered.startswith("phonenumber"):
        return nasty(odd, st.sampled_from(["757-555-1230", "7575551234", "757-555-0046"]))
    if lowered in ("callerid", "calleridnumber"):
        return nasty(odd, st.just("7575550000"))
    if lowered == "voiceid":
        return st.builds(lambda c: "0" + c, STRIPPED[not_xml])
    if lowered == "queueids":
        ids = st.lists(st.integers(FIRST_QUEUE_ID, FIRST_QUEUE_ID + 40).map(str), max_size=3).map(";".join)
        return nasty(odd, ids)
    return nasty(odd)


def value_for(field, odd: st.SearchStrategy[str], not_xml: bool) -> st.SearchStrategy:
    """Arbitrary strings; valid values for the value types (garbage there is covered above)."""
    types = _SANDBOX.contract.types
    if field.type in types:
        inner = types[field.type]
        if len(inner) == 1 and inner[0].repeated:
            return st.lists(value_for(inner[0], odd, not_xml), min_size=1, max_size=2)
        return st.fixed_dictionaries({f.name: value_for(f, odd, not_xml) for f in inner})
    if field.type == "string":
        return string_for(field.name, odd, not_xml)
    if field.type == "dateTime":
        return st.sampled_from(["2030-01-01T12:00:00Z", "2030-01-01T12:05:00.5Z"])
    if field.type == "boolean":
        return st.sampled_from(["true", "false"])
    if field.name == "QueueID":
        return st.integers(FIRST_QUEUE_ID, FIRST_QUEUE_ID + 40).map(str)
    return st.integers(0, 3).map(str)


def arguments(operation, protocol: str) -> st.SearchStrategy[dict]:
    def of(odd, not_xml=True):
        return st.fixed_dictionaries({p.name: value_for(p, odd, not_xml) for p in operation.parameters})

    if protocol in SOAP_ENVELOPES:  # sent as character references; or only legal oddities, so it runs
        return of(NOT_XML | AWKWARD) | of(AWKWARD, not_xml=False)
    return of(NOT_XML)


def xml_text(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join(f"&#{ord(c)};" if NOT_XML_CHAR.match(c) else c for c in escaped)


def xml_children(fields, values: dict) -> str:
    types = _SANDBOX.contract.types
    parts = []
    for f in fields:
        value = values[f.name]
        if isinstance(value, list):
            item = types[f.type][0]
            inner = "".join(f"<{item.name}>{xml_children(types[item.type], v)}</{item.name}>" for v in value)
        elif isinstance(value, dict):
            inner = xml_children(types[f.type], value)
        else:
            inner = xml_text(value)
        parts.append(f"<{f.name}>{inner}</{f.name}>")
    return "".join(parts)


@pytest.fixture(scope="module")
def wire_sandbox():
    with Sandbox(clock=ManualClock()) as server, requests.Session() as session:
        server.session = session
        yield server


def send(sandbox: Sandbox, protocol: str, op: str, values: dict) -> requests.Response:
    if protocol in SOAP_ENVELOPES:
        envelope, content_type = SOAP_ENVELOPES[protocol]
        operation = sandbox.contract.operations[op]
        body = f'<{op} xmlns="{NS}">{xml_children(operation.parameters, values)}</{op}>'
        text = f'<s:Envelope xmlns:s="{envelope}"><s:Body>{body}</s:Body></s:Envelope>'
        return sandbox.session.post(sandbox.url, data=text.encode(), headers={"Content-Type": content_type}, timeout=5)
    flat = {k: v for k, v in values.items() if isinstance(v, str)}
    if protocol == "get":
        return sandbox.session.get(f"{sandbox.url}/{op}?{urlencode(flat)}", timeout=5)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    return sandbox.session.post(f"{sandbox.url}/{op}", data=urlencode(flat).encode(), headers=form, timeout=5)


def check_answer(protocol: str, op: str, response: requests.Response) -> xml.dom.minidom.Document | None:
    """The answer parses with expat, or is ASMX's plain-text GET/POST error. Returns the document."""
    soap = protocol in SOAP_ENVELOPES
    assert response.status_code in (200, 500), response.status_code
    if response.status_code == 500 and not soap:
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        response.content.decode("utf-8")
        return None
    document = xml.dom.minidom.parseString(response.content)  # expat: independent of lxml
    root = document.documentElement
    if soap:
        assert root.localName == "Envelope" and root.namespaceURI == SOAP_ENVELOPES[protocol][0]
        body = next(n for n in root.childNodes if n.nodeType == n.ELEMENT_NODE)
        (payload,) = [n for n in body.childNodes if n.nodeType == n.ELEMENT_NODE]
        expected = "Fault" if response.status_code == 500 else f"{op}Response"
        assert payload.localName == expected
    else:
        assert root.namespaceURI == NS
    return document


def booked_ids(document: xml.dom.minidom.Document | None) -> list[int]:
    if document is None:
        return []
    ids = [int(n.firstChild.data) for n in document.getElementsByTagNameNS(NS, "QueueID") if n.firstChild]
    return [i for i in ids if i > 0]


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("op", OPS)
def test_every_answer_is_well_formed_xml_whatever_the_strings(wire_sandbox, op, protocol):
    operation = wire_sandbox.contract.operations[op]
    runs = operation.http_get_post or protocol in SOAP_ENVELOPES
    seen = {"booked": 0, "echo_faults": 0}

    @settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
    @given(arguments(operation, protocol))
    def run(values):
        wire_sandbox.state.clock.advance(7)  # let earlier calls move on
        document = check_answer(protocol, op, send(wire_sandbox, protocol, op, values))
        for queue_id in booked_ids(document) if op.startswith("Notify") else []:
            seen["booked"] += 1
            call = wire_sandbox.state.calls[queue_id]
            echoed = (call.text_to_say, call.caller_id, call.caller_id_name, call.extension, call.reference_id)
            key = {"QueueID": str(queue_id), "LicenseKey": KEY_A}
            response = send(wire_sandbox, protocol, "GetQueueIDStatusWithAdvancedInfo", key)
            check_answer(protocol, "GetQueueIDStatusWithAdvancedInfo", response)
            assert (response.status_code == 500) == any(NOT_XML_CHAR.search(s) for s in echoed)
            seen["echo_faults"] += response.status_code == 500
        assert wire_sandbox.internal_errors == 0

    run()
    if op.startswith("Notify") and runs:  # the strings really were stored and echoed back
        assert seen["booked"] > 0
        assert seen["echo_faults"] > 0 or protocol in SOAP_ENVELOPES
