"""The sandbox's view of the contract, read from the bundled WSDL.

Reading the request children, their order and types, and the result types from the same WSDL
the client uses means the sandbox cannot drift from it. The WSDL itself is checked against
hand-written envelopes from the vendor page and the fact sheet in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ..resources import wsdl_path

XS = "http://www.w3.org/2001/XMLSchema"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
HTTP_NS = "http://schemas.xmlsoap.org/wsdl/http/"
VALUE_TYPES = {"int", "long", "short", "unsignedByte", "boolean", "dateTime", "decimal", "double"}


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # an XSD built-in ("int") or a complex type name ("NotifyReturn")
    min_occurs: int
    repeated: bool = False

    @property
    def builtin(self) -> bool:
        return self.type in VALUE_TYPES or self.type in ("string", "base64Binary")


@dataclass(frozen=True)
class Operation:
    name: str
    parameters: tuple[Field, ...]
    result: Field | None
    http_get_post: bool

    @property
    def body_root(self) -> str:
        """Root element name of a bare GET/POST answer: the result's type name."""
        assert self.result is not None
        return self.result.type


@dataclass(frozen=True)
class Contract:
    operations: dict[str, Operation]
    types: dict[str, tuple[Field, ...]]

    def find_operation(self, name: str) -> Operation | None:
        if name in self.operations:
            return self.operations[name]
        lowered = name.lower()  # IIS/ASMX paths are case-insensitive
        return next((op for key, op in self.operations.items() if key.lower() == lowered), None)


def _name(element: etree._Element) -> str:
    name = element.get("name")
    if name is None:
        raise ValueError(f"a WSDL {etree.QName(element).localname} has no name")
    return name


def _find(parent: etree._Element, path: str) -> etree._Element:
    found = parent.find(path)
    if found is None:
        raise ValueError(f"the WSDL has no {path}")
    return found


def _fields(sequence: etree._Element | None) -> tuple[Field, ...]:
    if sequence is None:
        return ()
    result = []
    for element in sequence.findall(f"{{{XS}}}element"):
        type_name = element.get("type", "").split(":")[-1]
        result.append(
            Field(
                name=_name(element),
                type=type_name,
                min_occurs=int(element.get("minOccurs", "1")),
                repeated=element.get("maxOccurs") == "unbounded",
            )
        )
    return tuple(result)


@lru_cache(maxsize=4)
def load_contract(path: Path | None = None) -> Contract:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(path or wsdl_path()), parser).getroot()
    schema = _find(root, f"{{{WSDL_NS}}}types/{{{XS}}}schema")
    types = {_name(ct): _fields(ct.find(f"{{{XS}}}sequence")) for ct in schema.findall(f"{{{XS}}}complexType")}
    elements = {_name(el): el for el in schema.findall(f"{{{XS}}}element")}
    http_ops = {
        op.get("name")
        for binding in root.findall(f"{{{WSDL_NS}}}binding")
        if binding.find(f"{{{HTTP_NS}}}binding") is not None
        for op in binding.findall(f"{{{WSDL_NS}}}operation")
    }
    port_type = _find(root, f"{{{WSDL_NS}}}portType[@name='PhoneNotifySoap']")
    operations = {}
    for op in port_type.findall(f"{{{WSDL_NS}}}operation"):
        name = _name(op)
        params = _fields(elements[name].find(f"{{{XS}}}complexType/{{{XS}}}sequence"))
        results = _fields(elements[f"{name}Response"].find(f"{{{XS}}}complexType/{{{XS}}}sequence"))
        operations[name] = Operation(name, params, results[0] if results else None, name in http_ops)
    return Contract(operations=operations, types=types)
