"""One namespace per sandbox, as a real ASMX service: the other namespace gets ASMX's fault, the
WSDL and GET/POST answers speak the sandbox's own namespace."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import requests
from lxml import etree

from desktop_app.sandbox import NAMESPACES, Sandbox
from tests.conftest import KEY_A
from tests.test_sandbox_wire import (
    LEGACY,
    NS,
    SOAP11,
    SOAP12,
    cancel_body,
    notify_body,
    post11,
    result_element,
    soap11,
    soap12,
    tomorrow,
)


@pytest.fixture
def sandbox(clock):
    """These tests write Esendex-namespace requests by hand: always an Esendex sandbox, whatever
    namespace the rest of the suite runs against (VBD_SANDBOX_NAMESPACE)."""
    with Sandbox(clock=clock, namespace="esendex") as server:
        yield server


UNRECOGNISED = (
    "System.Web.Services.Protocols.SoapException: Server did not recognize the value of HTTP Header SOAPAction: "
)
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"


@pytest.fixture
def cdyne(clock):
    with Sandbox(clock=clock, namespace="cdyne") as server:
        yield server


def faultstring(response: requests.Response) -> str:
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    fault = etree.fromstring(response.content).find(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
    assert fault.findtext("faultcode") == "soap:Client"
    return fault.findtext("faultstring")


def test_the_default_sandbox_speaks_esendex_and_refuses_cdyne_as_asmx_does(sandbox):
    assert sandbox.namespace == "esendex" and sandbox.target_namespace == NAMESPACES["esendex"] == NS
    response = post11(sandbox, soap11(cancel_body("r", ns=LEGACY)), f'"{LEGACY}CancelNotifyByReferenceID"')
    assert faultstring(response) == f"{UNRECOGNISED}{LEGACY}CancelNotifyByReferenceID."
    assert sandbox.operations["CancelNotifyByReferenceID"] == 0  # nothing ran
    # SOAP 1.2 with the action only in the body element: the same words, in a SOAP 1.2 fault.
    response = requests.post(
        sandbox.url,
        data=soap12(cancel_body("r", ns=LEGACY)).encode(),
        headers={"Content-Type": "application/soap+xml; charset=utf-8"},
        timeout=5,
    )
    assert response.status_code == 500
    reason = etree.fromstring(response.content).findtext(f".//{{{SOAP12}}}Reason/{{{SOAP12}}}Text")
    assert reason == f"{UNRECOGNISED}{LEGACY}CancelNotifyByReferenceID."
    # Our action but a body in the other namespace: XmlSerializer's "was not expected".
    response = post11(sandbox, soap11(cancel_body("r", ns=LEGACY)), f'"{NS}CancelNotifyByReferenceID"')
    assert faultstring(response).endswith(f"<CancelNotifyByReferenceID xmlns='{LEGACY}'> was not expected.")
    # And the right namespace works.
    response = post11(sandbox, soap11(cancel_body("r")), f'"{NS}CancelNotifyByReferenceID"')
    assert result_element(response, SOAP11, "CancelNotifyByReferenceID").text == "0"


def test_a_cdyne_sandbox_speaks_cdyne_only(cdyne):
    response = post11(cdyne, soap11(notify_body("old", tomorrow(cdyne), ns=LEGACY)), f'"{LEGACY}NotifyPhoneAdvanced"')
    assert result_element(response, SOAP11, "NotifyPhoneAdvanced", ns=LEGACY).findtext(f"{{{LEGACY}}}QueueID") != "0"
    response = post11(cdyne, soap11(cancel_body("old")), f'"{NS}CancelNotifyByReferenceID"')
    assert faultstring(response) == f"{UNRECOGNISED}{NS}CancelNotifyByReferenceID."
    response = post11(cdyne, soap11(cancel_body("old", ns=LEGACY)), LEGACY + "CancelNotifyByReferenceID")
    assert result_element(response, SOAP11, "CancelNotifyByReferenceID", ns=LEGACY).text == "1"
    # GET/POST answers are in the sandbox's namespace.
    get = requests.get(f"{cdyne.url}/CancelNotifyByReferenceID?ReferenceID=x&LicenseKey={KEY_A}", timeout=5)
    assert get.text == f'<?xml version="1.0" encoding="utf-8"?>\n<int xmlns="{LEGACY}">0</int>'
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    post = requests.post(f"{cdyne.url}/getVoices", data=b"", headers=form, timeout=5)
    assert etree.fromstring(post.content).tag == f"{{{LEGACY}}}ArrayOfVoice"


@pytest.mark.parametrize("mode, expected", [("esendex", NS), ("cdyne", LEGACY), ("both", NS)])
def test_wsdl_is_rewritten_to_the_sandbox_namespace_and_address(clock, mode, expected):
    with Sandbox(clock=clock, namespace=mode) as server:
        response = requests.get(f"{server.url}?WSDL", timeout=5)
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.get("targetNamespace") == expected and root.nsmap["tns"] == expected
    schema = root.find(f"{{{WSDL_NS}}}types/{{http://www.w3.org/2001/XMLSchema}}schema")
    assert schema.get("targetNamespace") == expected
    actions = {el.get("soapAction") for el in root.iter() if el.get("soapAction")}
    assert actions and all(re.fullmatch(re.escape(expected) + r"\w+", a) for a in actions)
    other = (set(NAMESPACES.values()) - {expected}).pop()
    assert other.encode() not in response.content
    addresses = {el.get("location") for el in root.iter() if etree.QName(el).localname == "address"}
    assert addresses == {server.url}
    # The GET/POST operation locations stay relative, as in the bundled WSDL.
    assert {el.get("location") for el in root.iter() if etree.QName(el).localname == "operation"} >= {"/GetVersion"}


def test_an_unknown_namespace_choice_is_refused():
    with pytest.raises(ValueError, match="unknown namespace"):
        Sandbox(namespace="ws.esendex.us")


def test_cli_namespace_option_serves_that_namespace():
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop_app.sandbox", "--namespace", "cdyne", "--zoneless-times"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip().removeprefix("listening on ")
        response = requests.get(f"{url}/GetVersion", timeout=5)
        assert etree.fromstring(response.content).tag == f"{{{LEGACY}}}string"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app.sandbox", "--namespace", "nope"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2 and "invalid choice" in result.stderr
