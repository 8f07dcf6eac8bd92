"""The bundled WSDL: generated from the fact sheet, and exactly as the fact sheet says."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from lxml import etree

from desktop_app.resources import wsdl_path
from desktop_app.sandbox.contract import load_contract
from desktop_app.service import load_wsdl

ROOT = Path(__file__).resolve().parent.parent
NS = "https://ws.esendex.us/NotifyWS/"
W = "http://schemas.xmlsoap.org/wsdl/"
XS = "http://www.w3.org/2001/XMLSchema"


def _generator():
    spec = importlib.util.spec_from_file_location("generate_wsdl", ROOT / "tools" / "generate_wsdl.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_wsdl_is_what_the_generator_writes():
    assert wsdl_path().read_text(encoding="utf-8") == _generator().generate()


def test_zeep_parses_it_and_offers_every_operation_the_app_uses():
    document = load_wsdl()
    binding = document.bindings[f"{{{NS}}}PhoneNotifySoap"]
    names = set(binding._operations)
    assert {
        "NotifyPhoneAdvanced",
        "NotifyMultiplePhoneAdvanced",
        "CancelNotify",
        "CancelNotifyByReferenceID",
        "GetQueueIDStatus",
        "GetQueueIDStatusWithAdvancedInfo",
        "GetMultipleQueueIdStatus",
        "GetQueueIDStatusesByPhoneNumber",
        "getVoices",
        "GetResponseCodes",
        "GetVersion",
    } <= names
    assert "GetVoices" not in names  # the service spells it with a lower-case g
    assert load_wsdl() is document  # parsed once


def _sequence(type_name: str) -> list[tuple[str, str, str]]:
    root = etree.parse(str(wsdl_path())).getroot()
    ct = root.find(f".//{{{XS}}}complexType[@name='{type_name}']")
    return [(e.get("name"), e.get("type"), e.get("minOccurs")) for e in ct.find(f"{{{XS}}}sequence")]


def test_advanced_notify_request_matches_the_fact_sheet_exactly():
    assert _sequence("AdvancedNotifyRequest") == [
        ("PhoneNumberToDial", "s:string", "0"),
        ("TransferNumber", "s:string", "0"),
        ("VoiceID", "s:int", "1"),
        ("CallerIDNumber", "s:string", "0"),
        ("CallerIDName", "s:string", "0"),
        ("TextToSay", "s:string", "0"),
        ("LicenseKey", "s:string", "0"),
        ("TryCount", "s:int", "1"),
        ("NextTryInSeconds", "s:int", "1"),
        ("UTCScheduledDateTime", "s:dateTime", "1"),
        ("TTSrate", "s:unsignedByte", "1"),
        ("TTSvolume", "s:unsignedByte", "1"),
        ("MaxCallLength", "s:int", "1"),
        ("StatusChangePostUrl", "s:string", "0"),
        ("ReferenceID", "s:string", "0"),
    ]


def test_notify_return_matches_the_fact_sheet_exactly():
    assert [name for name, _t, _m in _sequence("NotifyReturn")] == [
        "ResponseCode",
        "ResponseText",
        "CallAnswered",
        "QueueID",
        "TryCount",
        "Demo",
        "DigitsPressed",
        "MachineDetection",
        "Duration",
        "StartTime",
        "EndTime",
        "MinuteRate",
        "Country",
        "CallComplete",
        "TextToSay",
        "VariableArray",
    ]
    types = {name: (t, m) for name, t, m in _sequence("NotifyReturn")}
    assert types["QueueID"] == ("s:long", "1")
    assert types["MinuteRate"] == ("s:decimal", "1")
    assert types["VariableArray"] == ("tns:ArrayOfVariable", "0")


def test_operation_signatures_and_bindings():
    contract = load_contract()
    params = {name: [(p.name, p.type) for p in op.parameters] for name, op in contract.operations.items()}
    assert params["CancelNotifyByReferenceID"] == [("ReferenceID", "string"), ("LicenseKey", "string")]
    assert params["CancelNotify"] == [("QueueID", "long"), ("LicenseKey", "string")]
    assert params["GetQueueIDStatus"] == [("QueueID", "long")]  # no LicenseKey in the contract
    assert params["GetMultipleQueueIdStatus"] == [("QueueIDs", "string"), ("LicenseKey", "string")]
    assert params["NotifyPhoneAdvanced"] == [("anr", "AdvancedNotifyRequest")]
    assert params["NotifyMultiplePhoneAdvanced"] == [("MultipleANR", "ArrayOfAdvancedNotifyRequest")]
    assert params["getVoices"] == []
    assert contract.operations["CancelNotifyByReferenceID"].result.name == "CancelNotifyByReferenceIDResult"
    assert contract.operations["CancelNotifyByReferenceID"].body_root == "int"
    assert not contract.operations["NotifyPhoneAdvanced"].http_get_post
    assert not contract.operations["NotifyMultiplePhoneAdvanced"].http_get_post
    assert contract.operations["CancelNotifyByReferenceID"].http_get_post

    root = etree.parse(str(wsdl_path())).getroot()
    bindings = {b.get("name"): b for b in root.findall(f"{{{W}}}binding")}
    assert set(bindings) == {"PhoneNotifySoap", "PhoneNotifySoap12", "PhoneNotifyHttpGet", "PhoneNotifyHttpPost"}
    action = bindings["PhoneNotifySoap"].find(
        f"{{{W}}}operation[@name='CancelNotifyByReferenceID']/{{http://schemas.xmlsoap.org/wsdl/soap/}}operation"
    )
    assert action.get("soapAction") == "https://ws.esendex.us/NotifyWS/CancelNotifyByReferenceID"
    addresses = {el.get("location") for el in root.iter() if el.tag.endswith("address")}
    assert addresses == {"https://ws.esendex.us/NotifyWS/PhoneNotify.asmx"}


def test_the_cdyne_contract_is_the_bundled_one_with_only_the_namespace_swapped():
    from desktop_app.service.reference_data import LEGACY_NAMESPACE
    from desktop_app.service.wsdl import _with_namespace

    text = wsdl_path().read_text(encoding="utf-8")
    swapped = _with_namespace(text, LEGACY_NAMESPACE)
    assert NS not in swapped.replace("https://ws.esendex.us/NotifyWS/PhoneNotify.asmx", "")  # only the address
    assert swapped.count(LEGACY_NAMESPACE) == text.count(NS) - text.count(
        "https://ws.esendex.us/NotifyWS/PhoneNotify.asmx"
    )
    root = etree.fromstring(swapped.encode())
    assert root.get("targetNamespace") == LEGACY_NAMESPACE
    document = load_wsdl(namespace=LEGACY_NAMESPACE)
    assert set(document.bindings[f"{{{LEGACY_NAMESPACE}}}PhoneNotifySoap"]._operations) == set(
        load_wsdl().bindings[f"{{{NS}}}PhoneNotifySoap"]._operations
    )
