"""Raw wire tests: envelopes written by hand from the vendor's page and the fact sheet, sent over
real HTTP to the sandbox, with the exact response elements asserted."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from xml.sax.saxutils import escape

import pytest
import requests
from lxml import etree

from desktop_app.sandbox import Sandbox
from tests.conftest import KEY_A


@pytest.fixture
def sandbox(clock):
    """These tests write Esendex-namespace requests by hand: always an Esendex sandbox, whatever
    namespace the rest of the suite runs against (VBD_SANDBOX_NAMESPACE)."""
    with Sandbox(clock=clock, namespace="esendex") as server:
        yield server


NS = "https://ws.esendex.us/NotifyWS/"
LEGACY = "http://ws.cdyne.com/NotifyWS/"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"


def soap11(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">\n'
        f"  <soap:Body>\n    {body}\n  </soap:Body>\n</soap:Envelope>"
    )


def soap12(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<soap12:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap12="http://www.w3.org/2003/05/soap-envelope">\n'
        f"  <soap12:Body>\n    {body}\n  </soap12:Body>\n</soap12:Envelope>"
    )


def cancel_body(ref: str, key: str = KEY_A, ns: str = NS) -> str:
    return (
        f'<CancelNotifyByReferenceID xmlns="{ns}"><ReferenceID>{ref}</ReferenceID>'
        f"<LicenseKey>{key}</LicenseKey></CancelNotifyByReferenceID>"
    )


def notify_body(ref: str, when: str, number: str = "757-555-1234", ns: str = NS, key: str = KEY_A) -> str:
    return (
        f'<NotifyPhoneAdvanced xmlns="{ns}"><anr>'
        f"<PhoneNumberToDial>{number}</PhoneNumberToDial><VoiceID>1</VoiceID>"
        "<CallerIDNumber>7575550000</CallerIDNumber><CallerIDName>Esendex Services</CallerIDName>"
        f"<TextToSay>Hello</TextToSay><LicenseKey>{key}</LicenseKey><TryCount>2</TryCount>"
        f"<NextTryInSeconds>180</NextTryInSeconds><UTCScheduledDateTime>{when}</UTCScheduledDateTime>"
        "<TTSrate>10</TTSrate><TTSvolume>100</TTSvolume><MaxCallLength>0</MaxCallLength>"
        f"<ReferenceID>{ref}</ReferenceID></anr></NotifyPhoneAdvanced>"
    )


def tomorrow(sandbox: Sandbox) -> str:
    return (sandbox.state.clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def post11(sandbox: Sandbox, body: str, action: str | None) -> requests.Response:
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    if action is not None:
        headers["SOAPAction"] = action
    return requests.post(sandbox.url, data=body.encode(), headers=headers, timeout=5)


def result_element(response: requests.Response, envelope_ns: str, op: str, ns: str = NS) -> etree._Element:
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{envelope_ns}}}Envelope"
    body = root.find(f"{{{envelope_ns}}}Body")
    assert len(body) == 1
    wrapper = body[0]
    assert wrapper.tag == f"{{{ns}}}{op}Response"
    assert [c.tag for c in wrapper] == [f"{{{ns}}}{op}Result"]
    return wrapper[0]


def schedule(sandbox: Sandbox, ref: str, **kw) -> etree._Element:
    response = post11(sandbox, soap11(notify_body(ref, tomorrow(sandbox), **kw)), f'"{NS}NotifyPhoneAdvanced"')
    assert response.status_code == 200, response.text
    return result_element(response, SOAP11, "NotifyPhoneAdvanced")


def test_soap11_notify_then_cancel_by_reference_id_quoted_and_unquoted_action(sandbox):
    result = schedule(sandbox, "notify1")
    children = [etree.QName(c).localname for c in result]
    # A just-queued NotifyReturn: null strings are omitted, value types always present, in order.
    assert children == [
        "ResponseCode",
        "ResponseText",
        "CallAnswered",
        "QueueID",
        "TryCount",
        "Demo",
        "Duration",
        "StartTime",
        "EndTime",
        "MinuteRate",
        "CallComplete",
    ]
    assert result.findtext(f"{{{NS}}}ResponseCode") == "0"
    assert result.findtext(f"{{{NS}}}ResponseText") == "Queued"
    assert int(result.findtext(f"{{{NS}}}QueueID")) > 0
    schedule(sandbox, "notify1", number="(757) 555-2222")

    response = post11(sandbox, soap11(cancel_body("notify1")), f'"{NS}CancelNotifyByReferenceID"')
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert result_element(response, SOAP11, "CancelNotifyByReferenceID").text == "2"

    response = post11(sandbox, soap11(cancel_body("notify1")), f"{NS}CancelNotifyByReferenceID")  # unquoted
    assert result_element(response, SOAP11, "CancelNotifyByReferenceID").text == "0"


def test_soap12_action_in_content_type_or_taken_from_the_body(sandbox):
    schedule(sandbox, "batch-12")
    schedule(sandbox, "batch-12b")
    response = requests.post(
        sandbox.url,
        data=soap12(cancel_body("batch-12")).encode(),
        timeout=5,
        headers={"Content-Type": f'application/soap+xml; charset=utf-8; action="{NS}CancelNotifyByReferenceID"'},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/soap+xml; charset=utf-8"
    assert result_element(response, SOAP12, "CancelNotifyByReferenceID").text == "1"

    response = requests.post(
        sandbox.url,
        data=soap12(cancel_body("batch-12b")).encode(),
        timeout=5,
        headers={"Content-Type": "application/soap+xml; charset=utf-8"},
    )
    assert result_element(response, SOAP12, "CancelNotifyByReferenceID").text == "1"


def test_lenient_sandbox_answers_either_namespace_in_kind(clock):
    with Sandbox(clock=clock, namespace="both") as lenient:
        response = post11(
            lenient, soap11(notify_body("old", tomorrow(lenient), ns=LEGACY)), f'"{LEGACY}NotifyPhoneAdvanced"'
        )
        result = result_element(response, SOAP11, "NotifyPhoneAdvanced", ns=LEGACY)
        assert result.findtext(f"{{{LEGACY}}}ResponseCode") == "0"
        response = post11(lenient, soap11(cancel_body("old", ns=LEGACY)), f'"{LEGACY}CancelNotifyByReferenceID"')
        assert result_element(response, SOAP11, "CancelNotifyByReferenceID", ns=LEGACY).text == "1"
        response = post11(lenient, soap11(cancel_body("old")), f'"{NS}CancelNotifyByReferenceID"')
        assert result_element(response, SOAP11, "CancelNotifyByReferenceID").text == "0"


def test_parameterless_operations_and_arrays(sandbox):
    response = post11(sandbox, soap11(f'<getVoices xmlns="{NS}" />'), f'"{NS}getVoices"')
    voices = result_element(response, SOAP11, "getVoices")
    first = voices[0]
    assert first.tag == f"{{{NS}}}Voice"
    assert [(etree.QName(c).localname, c.text) for c in first] == [
        ("VoiceID", "0"),
        ("VoiceName", "Diane"),
        ("VoiceGender", "Female"),
        ("VoiceAge", "35"),
        ("VoiceLanguage", "US English"),
        ("VoiceSummary", "Diane - US English (Female - 35)"),
    ]
    response = post11(sandbox, soap11(f'<GetResponseCodes xmlns="{NS}"/>'), f'"{NS}GetResponseCodes"')
    codes = result_element(response, SOAP11, "GetResponseCodes")
    texts = {r.findtext(f"{{{NS}}}ResponseCode"): r.findtext(f"{{{NS}}}ResponseText") for r in codes}
    assert texts["14"] == "Key Invalid.  IP Address has been suspended."
    assert texts["22"] == "Cancelled" and len(texts) == 47


def test_seed_get_and_post_forms_with_curl(sandbox):
    curl = shutil.which("curl")
    if curl is None:
        pytest.fail("curl is required (installed by ./dev test)")
    schedule(sandbox, "notify1")
    schedule(sandbox, "notify2")
    get = subprocess.run(
        [curl, "-sS", f"{sandbox.url}/CancelNotifyByReferenceID?ReferenceID=notify1&LicenseKey={KEY_A}"],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    ).stdout
    assert get == f'<?xml version="1.0" encoding="utf-8"?>\n<int xmlns="{NS}">1</int>'
    post = subprocess.run(
        [
            curl,
            "-sS",
            "-H",
            "Content-Type: application/x-www-form-urlencoded",
            "--data",
            f"ReferenceID=notify2&LicenseKey={KEY_A}",
            f"{sandbox.url}/CancelNotifyByReferenceID",
        ],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    ).stdout
    assert post == f'<?xml version="1.0" encoding="utf-8"?>\n<int xmlns="{NS}">1</int>'


def test_get_answers_are_bare_xml_named_after_the_type(sandbox):
    queue_id = schedule(sandbox, "r").findtext(f"{{{NS}}}QueueID")
    response = requests.get(f"{sandbox.url}/GetQueueIDStatus", params={"QueueID": queue_id}, timeout=5)
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{NS}}}NotifyReturn"
    assert root.findtext(f"{{{NS}}}QueueID") == queue_id
    assert requests.get(f"{sandbox.url}/GetVersion", timeout=5).text.startswith(
        f'<?xml version="1.0" encoding="utf-8"?>\n<string xmlns="{NS}">'
    )
    response = requests.get(f"{sandbox.url}/getVoices", timeout=5)
    assert etree.fromstring(response.content).tag == f"{{{NS}}}ArrayOfVoice"
    response = requests.get(f"{sandbox.url}/CancelNotify", params={"QueueID": queue_id, "LicenseKey": KEY_A}, timeout=5)
    assert response.text.endswith(f'<boolean xmlns="{NS}">true</boolean>')


def test_wsdl_is_served_with_its_own_address_on_any_path_casing(sandbox):
    for path in ("/NotifyWS/PhoneNotify.asmx?wsdl", "/notifyws/phonenotify.asmx?WSDL"):
        response = requests.get(f"http://127.0.0.1:{sandbox.port}{path}", timeout=5)
        assert response.status_code == 200
        root = etree.fromstring(response.content)
        locations = {el.get("location") for el in root.iter() if str(el.tag).endswith("address")}
        assert locations == {sandbox.url}


def test_malformed_requests_get_asmx_style_errors(sandbox):
    # Not XML at all: a SOAP 1.1 fault with HTTP 500.
    response = post11(sandbox, "this is not xml", f'"{NS}CancelNotify"')
    assert response.status_code == 500
    fault = etree.fromstring(response.content).find(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
    assert fault.findtext("faultcode") == "soap:Client"
    # Unknown action.
    response = post11(sandbox, soap11(cancel_body("x")), f'"{NS}NoSuchThing"')
    assert response.status_code == 500
    assert "did not recognize the value of HTTP Header SOAPAction" in response.text
    # Bad value type, SOAP 1.2 fault shape.
    bad = f'<CancelNotify xmlns="{NS}"><QueueID>abc</QueueID><LicenseKey>{KEY_A}</LicenseKey></CancelNotify>'
    response = requests.post(
        sandbox.url,
        data=soap12(bad).encode(),
        timeout=5,
        headers={"Content-Type": "application/soap+xml; charset=utf-8"},
    )
    assert response.status_code == 500
    root = etree.fromstring(response.content)
    assert root.find(f".//{{{SOAP12}}}Code/{{{SOAP12}}}Value").text == "soap:Sender"
    # A DTD is refused, never expanded.
    dtd = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + soap11(cancel_body("&a;")).split("?>", 1)[1]
    response = post11(sandbox, dtd, f'"{NS}CancelNotifyByReferenceID"')
    assert response.status_code == 500 and "DTD is prohibited" in response.text
    # GET/POST: missing parameter, and an operation that has no GET form.
    response = requests.get(f"{sandbox.url}/CancelNotifyByReferenceID?ReferenceID=x", timeout=5)
    assert response.status_code == 500 and response.headers["Content-Type"].startswith("text/plain")
    assert "Missing parameter: LicenseKey." in response.text
    response = requests.get(f"{sandbox.url}/NotifyPhoneAdvanced", timeout=5)
    assert response.status_code == 500 and "Request format is unrecognized" in response.text
    assert requests.get(f"http://127.0.0.1:{sandbox.port}/elsewhere", timeout=5).status_code == 404
    # After all that the server still works.
    response = post11(sandbox, soap11(cancel_body("x")), f'"{NS}CancelNotifyByReferenceID"')
    assert result_element(response, SOAP11, "CancelNotifyByReferenceID").text == "0"


def test_notify_multiple_basic_with_reference_id_tags_every_call(sandbox):
    numbers = "757-555-1230;757-555-1231;(757) 555-1232"
    response = requests.get(
        f"{sandbox.url}/NotifyMultiplePhoneBasicWithCPMandReferenceID",
        params={
            "PhoneNumbersToDial": numbers,
            "TextToSay": "Hi",
            "CallerID": "7575550000",
            "CallerIDname": "Clinic",
            "VoiceID": "0",
            "CallsPerMinute": "60",
            "ReferenceID": "batch-7",
            "LicenseKey": KEY_A,
        },
        timeout=5,
    )
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{NS}}}ArrayOfNotifyReturn"
    assert [r.findtext(f"{{{NS}}}ResponseCode") for r in root] == ["0", "0", "0"]
    # CallsPerMinute 60 spaces the calls a second apart: half a second on, the first is dialling.
    sandbox.state.clock.advance(0.5)
    response = post11(sandbox, soap11(cancel_body("batch-7")), f'"{NS}CancelNotifyByReferenceID"')
    assert result_element(response, SOAP11, "CancelNotifyByReferenceID").text == "2"


def test_standalone_sandbox_prints_its_address_and_serves(tmp_path):
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "desktop_app.sandbox", "--host", "127.0.0.1", "--port", "0", "--latency-ms", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        match = re.fullmatch(r"listening on (http://127\.0\.0\.1:\d+/NotifyWS/PhoneNotify\.asmx)", line)
        assert match, line
        response = requests.get(match.group(1) + "?wsdl", timeout=5)
        assert response.status_code == 200 and match.group(1).encode() in response.content
        assert requests.get(match.group(1) + "/GetVersion", timeout=5).elapsed.total_seconds() >= 0.05
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()


def test_standalone_sandbox_refuses_a_public_address_unless_told():
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "desktop_app.sandbox", "--host", "0.0.0.0"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2 and "not a loopback address" in result.stderr


def test_injected_faults_mean_the_same_on_get_and_soap(sandbox):
    """A fault before processing leaves the call alone; one after processing has already acted."""
    for fault, processed in (("soap_fault", False), ("html500", False), ("entity_payload", True)):
        schedule(sandbox, f"f-{fault}")
        response = requests.get(
            f"{sandbox.url}/CancelNotifyByReferenceID",
            timeout=5,
            params={"ReferenceID": f"f-{fault}", "LicenseKey": KEY_A},
            headers={"X-Sandbox-Fault": fault},
        )
        if processed:
            assert response.status_code == 200 and response.content.startswith(b'<?xml version="1.0"?><!DOCTYPE')
            assert b"&lol3;" in response.content
        else:
            assert response.status_code == 500
        again = post11(sandbox, soap11(cancel_body(f"f-{fault}")), f'"{NS}CancelNotifyByReferenceID"')
        assert result_element(again, SOAP11, "CancelNotifyByReferenceID").text == ("0" if processed else "1")


@pytest.mark.parametrize(
    "when, code",
    [
        ("2030-01-02T08:25:08.336Z", "0"),  # the vendor's form
        ("2030-01-02T08:25:08Z", "0"),
        ("2030-01-02T08:25:08.1234567Z", "0"),  # .NET writes seven fraction digits
        ("2030-01-02T08:25:08+00:00", "0"),
        ("2030-01-02T08:25:08", "16"),  # no designator: not a UTC date/time
        ("2030-01-02T08:25:08+05:30", "16"),
        ("0001-01-01T00:00:00Z", "16"),  # an unset .NET DateTime
    ],
)
def test_scheduled_times_are_read_as_xsd_datetime(sandbox, when, code):
    response = post11(sandbox, soap11(notify_body("t", when)), f'"{NS}NotifyPhoneAdvanced"')
    assert result_element(response, SOAP11, "NotifyPhoneAdvanced").findtext(f"{{{NS}}}ResponseCode") == code


@pytest.mark.parametrize(
    "when", ["2030-01-02", "20300102T082508Z", "2030-01-02 08:25:08Z", "2030-13-02T08:25:08Z", "x"]
)
def test_a_value_that_is_not_an_xsd_datetime_is_a_client_fault(sandbox, when):
    response = post11(sandbox, soap11(notify_body("t", when)), f'"{NS}NotifyPhoneAdvanced"')
    assert response.status_code == 500 and "soap:Client" in response.text
    assert sandbox.state.calls == {}


def test_non_ascii_text_round_trips_in_utf8(sandbox):
    text = "Grüße, 日本語 😀 & <ok>"
    queue_id = schedule(sandbox, escape(text)).findtext(f"{{{NS}}}QueueID")  # the reference ID carries it
    params = {"QueueID": queue_id, "LicenseKey": KEY_A}
    response = requests.get(f"{sandbox.url}/GetQueueIDStatusWithAdvancedInfo", params=params, timeout=5)
    values = etree.fromstring(response.content).findall(f".//{{{NS}}}VariableValue")
    assert text in [v.text for v in values]
