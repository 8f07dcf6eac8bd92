"""The wire codec: SOAP 1.1/1.2 envelopes and bare GET/POST answers written with lxml, and the
request values read back by the WSDL's types.

Text XML cannot carry (XML_CHARACTER_POLICY): XML 1.0 has no way to write most C0 control
characters, U+FFFE/U+FFFF or lone surrogates, not even as character references. ASMX's
XmlSerializer refuses to write them ("'\\x01', hexadecimal value 0x01, is an invalid character")
and the request ends as a SOAP fault (HTTP 500) or, for GET/POST, a plain-text 500; the operation
has already run by then. The sandbox does the same: it never strips, and never sends a 200 answer
that is not well-formed. In its own error texts (which may quote the request) such characters are
replaced by U+FFFD so the fault itself stays well-formed. A SOAP request cannot carry them either:
a character reference to one is a parse error (a soap:Client fault).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from .contract import VALUE_TYPES, Contract, Field
from .rules import PLACEHOLDER_TIME
from .tables import SOAP12, XSD, XSI

XML_CHARACTER_POLICY = "fault"  # unserialisable text -> SOAP fault / plain-text 500, as ASMX
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'
NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
SERIALISATION_ERROR = "There was an error generating the XML document."
TEXT_PLAIN = "text/plain; charset=utf-8"


@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes
    fault: str | None = None


class RequestError(Exception):
    """A malformed request: becomes a SOAP fault (SOAP) or a plain-text 500 (GET/POST)."""

    def __init__(self, message: str, client_fault: bool = True) -> None:
        super().__init__(message)
        self.client_fault = client_fault


class UnserialisableText(RequestError):
    """An answer holds text XML 1.0 cannot carry (see XML_CHARACTER_POLICY)."""

    def __init__(self, char: str) -> None:
        super().__init__(
            f"Server was unable to process request. ---> {SERIALISATION_ERROR} ---> "
            f"hexadecimal value 0x{ord(char):02X}, is an invalid character.",
            client_fault=False,
        )


def xml_safe(text: str) -> str:
    """Text for the sandbox's own messages: characters XML cannot carry become U+FFFD."""
    return NOT_XML_CHAR.sub("\ufffd", text)


def checked(text: str) -> str:
    bad = NOT_XML_CHAR.search(text)
    if bad:
        raise UnserialisableText(bad.group())
    return text


# -- writing ----------------------------------------------------------------------------------


def format_value(type_name: str, value: Any, zoneless: bool = False) -> str:
    if type_name == "boolean":
        return "true" if value else "false"
    if type_name == "dateTime":
        moment: datetime = value or PLACEHOLDER_TIME
        if moment.year <= 1:  # a placeholder: ASMX writes DateTime.MinValue (plus an hour) bare
            return moment.strftime("0001-%m-%dT%H:%M:%S")
        moment = moment.astimezone(UTC) if moment.tzinfo else moment
        if zoneless:  # what ASMX writes for a DateTime of Kind Unspecified (fact sheet 11.4)
            return moment.strftime("%Y-%m-%dT%H:%M:%S")
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    if type_name == "decimal":
        return format(Decimal(value or 0), "f")
    if type_name == "base64Binary":  # audio (GetTTSIn…): bytes, written as base64
        return base64.b64encode(bytes(value)).decode("ascii")
    return checked(str(value))


class Encoder:
    """Writes Python values by the WSDL's types, in schema order. Strings that are None are
    omitted (ASMX omits null strings rather than sending nil)."""

    def __init__(self, contract: Contract, zoneless: bool = False) -> None:
        self.contract = contract
        self.zoneless = zoneless

    def element(self, parent: etree._Element, ns: str, name: str, type_name: str, value: Any) -> None:
        if value is None:
            if type_name not in VALUE_TYPES:
                return
            value = {"boolean": False, "dateTime": PLACEHOLDER_TIME}.get(type_name, 0)
        child = etree.SubElement(parent, f"{{{ns}}}{name}")
        self.fill(child, ns, type_name, value)

    def fill(self, target: etree._Element, ns: str, type_name: str, value: Any) -> None:
        if type_name not in self.contract.types:
            target.text = format_value(type_name, value, self.zoneless)
            return
        fields = self.contract.types[type_name]
        if len(fields) == 1 and fields[0].repeated:  # an ArrayOf...
            for item in value:
                self.element(target, ns, fields[0].name, fields[0].type, item)
            return
        for f in fields:
            self.element(target, ns, f.name, f.type, value.get(f.name))

    def soap_envelope(self, envelope_ns: str, operation: str, result: Field | None, ns: str, value: Any) -> bytes:
        envelope, body = _envelope(envelope_ns)
        wrapper = etree.SubElement(body, f"{{{ns}}}{operation}Response", nsmap=_default_namespace(ns))
        if result is not None:
            self.element(wrapper, ns, result.name, result.type, value)
        return XML_DECLARATION + etree.tostring(envelope, encoding="UTF-8")

    def bare(self, root_type: str, ns: str, value: Any) -> bytes:
        """A GET/POST answer: the result's type as the root. Complex roots carry the xsi/xsd
        declarations, as ASMX writes them; <int> and friends don't."""
        prefixes = {"xsi": XSI, "xsd": XSD} if root_type in self.contract.types or value is None else {}
        root = etree.Element(f"{{{ns}}}{root_type}", nsmap=_default_namespace(ns, prefixes))
        if value is None:  # a null reference (no audio): ASMX writes the nillable root as nil
            root.set(f"{{{XSI}}}nil", "true")
        else:
            self.fill(root, ns, root_type, value)
        return XML_DECLARATION + b"\n" + etree.tostring(root, encoding="UTF-8")


def _default_namespace(ns: str, prefixes: Mapping[str, str] | None = None) -> Mapping[str, str]:
    """`prefixes` and `ns` as the default namespace: lxml's prefix None, which lxml-stubs leaves out."""
    nsmap: dict[str | None, str] = {prefix: uri for prefix, uri in (prefixes or {}).items()}
    nsmap[None] = ns
    return nsmap  # type: ignore[return-value]  # lxml-stubs: no None prefix


def _envelope(envelope_ns: str) -> tuple[etree._Element, etree._Element]:
    prefix = "soap12" if envelope_ns == SOAP12 else "soap"
    envelope = etree.Element(f"{{{envelope_ns}}}Envelope", nsmap={prefix: envelope_ns, "xsi": XSI, "xsd": XSD})
    return envelope, etree.SubElement(envelope, f"{{{envelope_ns}}}Body")


def soap_content_type(envelope_ns: str) -> str:
    return "application/soap+xml; charset=utf-8" if envelope_ns == SOAP12 else "text/xml; charset=utf-8"


def soap_fault(envelope_ns: str, message: str, client_fault: bool) -> Reply:
    """An ASMX-shaped fault, HTTP 500. SOAP 1.2 uses the `soap` prefix, as ASMX does."""
    text = xml_safe(message)
    if envelope_ns == SOAP12:
        envelope = etree.Element(f"{{{SOAP12}}}Envelope", nsmap={"soap": SOAP12, "xsi": XSI, "xsd": XSD})
        fault = etree.SubElement(etree.SubElement(envelope, f"{{{SOAP12}}}Body"), f"{{{SOAP12}}}Fault")
        code = etree.SubElement(etree.SubElement(fault, f"{{{SOAP12}}}Code"), f"{{{SOAP12}}}Value")
        code.text = "soap:Sender" if client_fault else "soap:Receiver"
        reason = etree.SubElement(etree.SubElement(fault, f"{{{SOAP12}}}Reason"), f"{{{SOAP12}}}Text")
        reason.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
        reason.text = text
        etree.SubElement(fault, f"{{{SOAP12}}}Detail")
    else:
        envelope, body = _envelope(envelope_ns)
        fault = etree.SubElement(body, f"{{{envelope_ns}}}Fault")
        etree.SubElement(fault, "faultcode").text = "soap:Client" if client_fault else "soap:Server"
        etree.SubElement(fault, "faultstring").text = text
        etree.SubElement(fault, "detail")
    return Reply(500, soap_content_type(envelope_ns), XML_DECLARATION + etree.tostring(envelope, encoding="UTF-8"))


def plain_error(message: str) -> Reply:
    """ASMX's GET/POST error: a plain-text 500."""
    return Reply(500, TEXT_PLAIN, xml_safe(message).encode("utf-8", "replace"))


# -- reading ----------------------------------------------------------------------------------

_SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


def parse_xml(body: bytes) -> etree._Element:
    if b"<!DOCTYPE" in body[:4096].upper() or b"<!ENTITY" in body:
        raise RequestError("Server was unable to read request. ---> DTD is prohibited in this XML document.")
    try:
        return etree.fromstring(body, _SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise RequestError(
            f"Server was unable to read request. ---> There is an error in the XML document. {exc}"
        ) from None


def parse_datetime(text: str) -> tuple[datetime, bool]:
    """(a UTC datetime, whether the text said UTC). xs:dateTime only: a full date and time with
    an optional fraction and zone. No designator is taken as UTC but flagged."""
    value = text.strip()
    shaped = len(value) >= 19 and value[4] == "-" and value[7] == "-" and value[10] == "T" and value[13] == ":"
    try:
        if (
            not shaped
            or value[16] != ":"
            or not value[:19].replace("-", "").replace("T", "").replace(":", "").isdigit()
        ):
            raise ValueError
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"The string '{value[:40]}' is not a valid AllXsd value.") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC), False
    return moment.astimezone(UTC), moment.utcoffset() == timedelta(0)


def convert(field: Field, text: str) -> Any:
    """Convert one text value by its XSD type, with ASMX-like error messages."""
    kind = field.type
    try:
        if kind in ("int", "long", "short", "unsignedByte"):
            value = int(text.strip())
            bits = {"int": 31, "long": 63, "short": 15}.get(kind)
            if (kind == "unsignedByte" and not 0 <= value <= 255) or (bits and not -(2**bits) <= value < 2**bits):
                raise ValueError
            return value
        if kind == "boolean":
            lowered = text.strip().lower()
            if lowered not in ("true", "false", "1", "0"):
                raise ValueError
            return lowered in ("true", "1")
        if kind == "decimal":
            return Decimal(text.strip())
        if kind == "dateTime":
            return parse_datetime(text)
        return text
    except (ValueError, InvalidOperation, OverflowError):
        raise RequestError(f"Input string was not in a correct format for {field.name} ({kind}).") from None


def read_children(element: etree._Element, type_fields: tuple[Field, ...], contract: Contract, ns: str) -> dict:
    values: dict[str, Any] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        qname = etree.QName(child)
        if qname.namespace != ns:
            continue  # XmlSerializer ignores unknown elements
        spec = next((f for f in type_fields if f.name == qname.localname), None)
        if spec is None:
            continue
        if spec.type in contract.types:
            inner = contract.types[spec.type]
            if len(inner) == 1 and inner[0].repeated:
                item = inner[0]
                values[spec.name] = [
                    read_children(c, contract.types[item.type], contract, ns)
                    for c in child
                    if isinstance(c.tag, str) and etree.QName(c).localname == item.name
                ]
            else:
                values[spec.name] = read_children(child, inner, contract, ns)
        else:
            values[spec.name] = convert(spec, child.text or "")
    return values
