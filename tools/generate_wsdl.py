"""Generate resources/PhoneNotify.wsdl from the contract written down below.

The contract is transcribed from ../shared/reference/phonenotify-api.md (sections 3, 4 and 5)
and the vendor's CancelNotifyByReferenceID page. Element names, their casing, order, XSD types
and minOccurs follow the ASMX pattern: value types are minOccurs=1, reference types minOccurs=0.

Run `python tools/generate_wsdl.py` after editing; tests/test_wsdl.py checks that the committed
file is what this script produces.
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape

NS = "https://ws.esendex.us/NotifyWS/"
DEFAULT_ADDRESS = "https://ws.esendex.us/NotifyWS/PhoneNotify.asmx"

# XSD built-in types that are value types in .NET (so minOccurs=1 in ASMX schemas).
VALUE_TYPES = {"int", "long", "short", "unsignedByte", "boolean", "dateTime", "decimal", "double"}

# Complex types: name -> [(element, type)]; a type without "tns:" is an XSD built-in.
COMPLEX_TYPES: dict[str, list[tuple[str, str]]] = {
    "AdvancedNotifyRequest": [
        ("PhoneNumberToDial", "string"),
        ("TransferNumber", "string"),
        ("VoiceID", "int"),
        ("CallerIDNumber", "string"),
        ("CallerIDName", "string"),
        ("TextToSay", "string"),
        ("LicenseKey", "string"),
        ("TryCount", "int"),
        ("NextTryInSeconds", "int"),
        ("UTCScheduledDateTime", "dateTime"),
        ("TTSrate", "unsignedByte"),
        ("TTSvolume", "unsignedByte"),
        ("MaxCallLength", "int"),
        ("StatusChangePostUrl", "string"),
        ("ReferenceID", "string"),
    ],
    "NotifyReturn": [
        ("ResponseCode", "int"),
        ("ResponseText", "string"),
        ("CallAnswered", "boolean"),
        ("QueueID", "long"),
        ("TryCount", "int"),
        ("Demo", "boolean"),
        ("DigitsPressed", "string"),
        ("MachineDetection", "string"),
        ("Duration", "int"),
        ("StartTime", "dateTime"),
        ("EndTime", "dateTime"),
        ("MinuteRate", "decimal"),
        ("Country", "string"),
        ("CallComplete", "boolean"),
        ("TextToSay", "string"),
        ("VariableArray", "tns:ArrayOfVariable"),
    ],
    "Variable": [("VariableName", "string"), ("VariableValue", "string")],
    "Voice": [
        ("VoiceID", "int"),
        ("VoiceName", "string"),
        ("VoiceGender", "string"),
        ("VoiceAge", "int"),
        ("VoiceLanguage", "string"),
        ("VoiceSummary", "string"),
    ],
    "Response": [("ResponseCode", "int"), ("ResponseText", "string")],
}

# Array types: name -> item type (items are nillable, as in the ASMX schema).
ARRAY_TYPES = {
    "ArrayOfVariable": "Variable",
    "ArrayOfAdvancedNotifyRequest": "AdvancedNotifyRequest",
    "ArrayOfNotifyReturn": "NotifyReturn",
    "ArrayOfVoice": "Voice",
    "ArrayOfResponse": "Response",
}

# Operations: name -> (request children, result type, has HTTP GET/POST, documentation).
OPERATIONS: dict[str, tuple[list[tuple[str, str]], str | None, bool, str]] = {
    "NotifyPhoneAdvanced": (
        [("anr", "tns:AdvancedNotifyRequest")],
        "tns:NotifyReturn",
        False,
        "Queue one call with all options: schedule, retries, voice settings, reference ID.",
    ),
    "NotifyMultiplePhoneAdvanced": (
        [("MultipleANR", "tns:ArrayOfAdvancedNotifyRequest")],
        "tns:ArrayOfNotifyReturn",
        False,
        "Queue several calls, each described by its own AdvancedNotifyRequest.",
    ),
    "NotifyMultiplePhoneBasicWithCPMandReferenceID": (
        [
            ("PhoneNumbersToDial", "string"),
            ("TextToSay", "string"),
            ("CallerID", "string"),
            ("CallerIDname", "string"),
            ("VoiceID", "string"),
            ("CallsPerMinute", "int"),
            ("ReferenceID", "string"),
            ("LicenseKey", "string"),
        ],
        "tns:ArrayOfNotifyReturn",
        True,
        "Call several semicolon-separated numbers and tag every call with a reference ID.",
    ),
    "CancelNotify": (
        [("QueueID", "long"), ("LicenseKey", "string")],
        "boolean",
        True,
        "Cancel one scheduled call by QueueID. Completed calls and calls in progress are not cancelled.",
    ),
    "CancelNotifyByReferenceID": (
        [("ReferenceID", "string"), ("LicenseKey", "string")],
        "int",
        True,
        "Cancel every scheduled call with a reference ID; returns how many were cancelled.",
    ),
    "GetQueueIDStatus": (
        [("QueueID", "long")],
        "tns:NotifyReturn",
        True,
        "Status of one call by QueueID.",
    ),
    "GetQueueIDStatusWithAdvancedInfo": (
        [("QueueID", "long"), ("LicenseKey", "string")],
        "tns:NotifyReturn",
        True,
        "Status of one call with its variables and script.",
    ),
    "GetMultipleQueueIdStatus": (
        [("QueueIDs", "string"), ("LicenseKey", "string")],
        "tns:ArrayOfNotifyReturn",
        True,
        "Status of several calls; QueueIDs are separated by semicolons.",
    ),
    "GetQueueIDStatusesByPhoneNumber": (
        [("PhoneNumber", "string"), ("LicenseKey", "string")],
        "tns:ArrayOfNotifyReturn",
        True,
        "Status of the last 10 calls to a phone number.",
    ),
    "getVoices": ([], "tns:ArrayOfVoice", True, "The text-to-speech voices."),
    "GetTTSInMP3": (
        [
            ("TextToSay", "string"),
            ("VoiceID", "int"),
            ("BitRate", "int"),
            ("TTSrate", "unsignedByte"),
            ("TTSvolume", "unsignedByte"),
            ("LicenseKey", "string"),
        ],
        "base64Binary",
        True,
        "Text-to-speech as MP3 audio (BitRate 32, 64 or 128). May need a separate license key.",
    ),
    "GetTTSInULAW": (
        [
            ("TextToSay", "string"),
            ("VoiceID", "int"),
            ("TTSrate", "unsignedByte"),
            ("TTSvolume", "unsignedByte"),
            ("LicenseKey", "string"),
        ],
        "base64Binary",
        True,
        "Text-to-speech as u-law audio. May need a separate license key.",
    ),
    "GetResponseCodes": ([], "tns:ArrayOfResponse", True, "The response codes and their texts."),
    "GetVersion": ([], "string", True, "The service version."),
}


def _element(name: str, type_: str, indent: str, item: bool = False) -> str:
    builtin = not type_.startswith("tns:")
    qualified = f"s:{type_}" if builtin else type_
    if item:
        return (
            f'{indent}<s:element minOccurs="0" maxOccurs="unbounded" name="{name}" nillable="true"'
            f' type="{qualified}" />'
        )
    min_occurs = "1" if builtin and type_ in VALUE_TYPES else "0"
    return f'{indent}<s:element minOccurs="{min_occurs}" maxOccurs="1" name="{name}" type="{qualified}" />'


def _sequence(children: list[tuple[str, str]], indent: str) -> list[str]:
    if not children:
        return [f"{indent}<s:complexType />"]
    lines = [f"{indent}<s:complexType>", f"{indent}  <s:sequence>"]
    lines += [_element(n, t, indent + "    ") for n, t in children]
    lines += [f"{indent}  </s:sequence>", f"{indent}</s:complexType>"]
    return lines


def _body_root(result_type: str | None) -> str:
    """The root element of a bare GET/POST answer: named after the result's type."""
    assert result_type is not None
    return result_type.removeprefix("tns:")


SCHEMA_INDENT = "      "


def _header() -> list[str]:
    """The XML declaration, the definitions element with its namespaces, and the service's description."""
    return [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!-- Generated by tools/generate_wsdl.py from the PhoneNotify fact sheet. Do not edit by hand. -->",
        '<wsdl:definitions xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"'
        ' xmlns:tm="http://microsoft.com/wsdl/mime/textMatching/"'
        ' xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"'
        ' xmlns:mime="http://schemas.xmlsoap.org/wsdl/mime/"'
        f' xmlns:tns="{NS}"'
        ' xmlns:s="http://www.w3.org/2001/XMLSchema"'
        ' xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"'
        ' xmlns:http="http://schemas.xmlsoap.org/wsdl/http/"'
        f' targetNamespace="{NS}"'
        ' xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">',
        '  <wsdl:documentation xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">'
        "Esendex Voice Broadcast API (PhoneNotify): the operations used by Voice Broadcast Desk."
        "</wsdl:documentation>",
    ]


def _operation_elements() -> list[str]:
    """Each operation's request element and its `...Response` element."""
    ind = SCHEMA_INDENT
    out: list[str] = []
    for op, (children, result, _http, _doc) in OPERATIONS.items():
        out.append(f'{ind}<s:element name="{op}">')
        out += _sequence(children, ind + "  ")
        out.append(f"{ind}</s:element>")
        out.append(f'{ind}<s:element name="{op}Response">')
        out += _sequence([(f"{op}Result", result)] if result else [], ind + "  ")
        out.append(f"{ind}</s:element>")
    return out


def _named_sequence(name: str, elements: list[str]) -> list[str]:
    """A named complex type whose sequence holds these (already indented) elements."""
    ind = SCHEMA_INDENT
    return [
        f'{ind}<s:complexType name="{name}">',
        f"{ind}  <s:sequence>",
        *elements,
        f"{ind}  </s:sequence>",
        f"{ind}</s:complexType>",
    ]


def _complex_types() -> list[str]:
    out: list[str] = []
    for name, fields in COMPLEX_TYPES.items():
        out += _named_sequence(name, [_element(n, t, SCHEMA_INDENT + "    ") for n, t in fields])
    return out


def _array_types() -> list[str]:
    out: list[str] = []
    for name, item in ARRAY_TYPES.items():
        out += _named_sequence(name, [_element(item, f"tns:{item}", SCHEMA_INDENT + "    ", item=True)])
    return out


def _body_root_elements() -> list[str]:
    """Top-level elements that are the roots of bare GET/POST answers."""
    ind = SCHEMA_INDENT
    out: list[str] = []
    roots = sorted({_body_root(r) for _c, r, http, _d in OPERATIONS.values() if http})
    for root in roots:
        if root in COMPLEX_TYPES or root in ARRAY_TYPES:
            out.append(f'{ind}<s:element name="{root}" nillable="true" type="tns:{root}" />')
        elif root in VALUE_TYPES:
            out.append(f'{ind}<s:element name="{root}" type="s:{root}" />')
        else:
            out.append(f'{ind}<s:element name="{root}" nillable="true" type="s:{root}" />')
    return out


def _types() -> list[str]:
    """The wsdl:types section: one schema with the operations' elements, the types and the answer roots."""
    return [
        "  <wsdl:types>",
        f'    <s:schema elementFormDefault="qualified" targetNamespace="{NS}">',
        *_operation_elements(),
        *_complex_types(),
        *_array_types(),
        *_body_root_elements(),
        "    </s:schema>",
        "  </wsdl:types>",
    ]


def _soap_messages() -> list[str]:
    out: list[str] = []
    for op in OPERATIONS:
        out.append(f'  <wsdl:message name="{op}SoapIn">')
        out.append(f'    <wsdl:part name="parameters" element="tns:{op}" />')
        out.append("  </wsdl:message>")
        out.append(f'  <wsdl:message name="{op}SoapOut">')
        out.append(f'    <wsdl:part name="parameters" element="tns:{op}Response" />')
        out.append("  </wsdl:message>")
    return out


def _http_messages(verb: str) -> list[str]:
    """The In/Out messages of every operation offered over HTTP GET or POST: string parts in, a bare body out."""
    out: list[str] = []
    for op, (children, result, http, _doc) in OPERATIONS.items():
        if not http:
            continue
        if children:
            out.append(f'  <wsdl:message name="{op}{verb}In">')
            out += [f'    <wsdl:part name="{n}" type="s:string" />' for n, _t in children]
            out.append("  </wsdl:message>")
        else:
            out.append(f'  <wsdl:message name="{op}{verb}In" />')
        out.append(f'  <wsdl:message name="{op}{verb}Out">')
        out.append(f'    <wsdl:part name="Body" element="tns:{_body_root(result)}" />')
        out.append("  </wsdl:message>")
    return out


def _port_type(port_type: str, suffix: str, http_only: bool) -> list[str]:
    out = [f'  <wsdl:portType name="{port_type}">']
    for op, (_c, _r, http, doc) in OPERATIONS.items():
        if http_only and not http:
            continue
        out.append(f'    <wsdl:operation name="{op}">')
        out.append(
            '      <wsdl:documentation xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">'
            f"{escape(doc)}</wsdl:documentation>"
        )
        out.append(f'      <wsdl:input message="tns:{op}{suffix}In" />')
        out.append(f'      <wsdl:output message="tns:{op}{suffix}Out" />')
        out.append("    </wsdl:operation>")
    out.append("  </wsdl:portType>")
    return out


def _soap_binding(binding: str, prefix: str) -> list[str]:
    out = [
        f'  <wsdl:binding name="{binding}" type="tns:PhoneNotifySoap">',
        f'    <{prefix}:binding transport="http://schemas.xmlsoap.org/soap/http" />',
    ]
    for op in OPERATIONS:
        out.append(f'    <wsdl:operation name="{op}">')
        out.append(f'      <{prefix}:operation soapAction="{NS}{op}" style="document" />')
        out.append(f'      <wsdl:input>\n        <{prefix}:body use="literal" />\n      </wsdl:input>')
        out.append(f'      <wsdl:output>\n        <{prefix}:body use="literal" />\n      </wsdl:output>')
        out.append("    </wsdl:operation>")
    out.append("  </wsdl:binding>")
    return out


def _http_binding(binding: str, verb: str, input_xml: str) -> list[str]:
    out = [f'  <wsdl:binding name="{binding}" type="tns:{binding}">', f'    <http:binding verb="{verb}" />']
    for op, (_c, _r, http, _doc) in OPERATIONS.items():
        if not http:
            continue
        out.append(f'    <wsdl:operation name="{op}">')
        out.append(f'      <http:operation location="/{op}" />')
        out.append(f"      <wsdl:input>\n        {input_xml}\n      </wsdl:input>")
        out.append('      <wsdl:output>\n        <mime:mimeXml part="Body" />\n      </wsdl:output>')
        out.append("    </wsdl:operation>")
    out.append("  </wsdl:binding>")
    return out


def _service() -> list[str]:
    out = ['  <wsdl:service name="PhoneNotify">']
    for port, address in (
        ("PhoneNotifySoap", "soap:address"),
        ("PhoneNotifySoap12", "soap12:address"),
        ("PhoneNotifyHttpGet", "http:address"),
        ("PhoneNotifyHttpPost", "http:address"),
    ):
        out.append(f'    <wsdl:port name="{port}" binding="tns:{port}">')
        out.append(f'      <{address} location="{DEFAULT_ADDRESS}" />')
        out.append("    </wsdl:port>")
    out.append("  </wsdl:service>")
    return out


def generate() -> str:
    out = _header() + _types() + _soap_messages() + _http_messages("HttpGet") + _http_messages("HttpPost")
    out += _port_type("PhoneNotifySoap", "Soap", http_only=False)
    out += _port_type("PhoneNotifyHttpGet", "HttpGet", http_only=True)
    out += _port_type("PhoneNotifyHttpPost", "HttpPost", http_only=True)
    out += _soap_binding("PhoneNotifySoap", "soap") + _soap_binding("PhoneNotifySoap12", "soap12")
    out += _http_binding("PhoneNotifyHttpGet", "GET", "<http:urlEncoded />")
    out += _http_binding("PhoneNotifyHttpPost", "POST", '<mime:content type="application/x-www-form-urlencoded" />')
    out += _service()
    out.append("</wsdl:definitions>")
    return "\n".join(out) + "\n"


WSDL_PATH = Path(__file__).resolve().parent.parent / "resources" / "PhoneNotify.wsdl"

if __name__ == "__main__":
    WSDL_PATH.write_text(generate(), encoding="utf-8")
    sys.stdout.write(f"wrote {WSDL_PATH}\n")
