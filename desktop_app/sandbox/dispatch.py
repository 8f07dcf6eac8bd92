"""Routing a request to an operation: the WSDL and help page, SOAP 1.1/1.2 and HTTP GET/POST.

A sandbox speaks one target namespace, as a real ASMX service does. A SOAP request for another
namespace gets ASMX's answer to an unknown action: a soap:Client fault (HTTP 500) whose text says
the server "did not recognize the value of HTTP Header SOAPAction" (clients key their namespace
fallback on those words). A request whose action is ours but whose body element is in another
namespace gets XmlSerializer's "<X xmlns='...'> was not expected." fault. namespace="both" accepts
either and answers in kind.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import Any
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from ..resources import wsdl_path  # the one thing the sandbox shares with the client
from .contract import Contract, Operation
from .faults import BEFORE_PROCESSING, FAULTS, FaultPlan, faulted
from .operations import STATUS_OPERATIONS, PhoneNotifyService
from .tables import NAMESPACES, SOAP11, SOAP12
from .wire import (
    Encoder,
    Reply,
    RequestError,
    convert,
    parse_xml,
    plain_error,
    read_children,
    soap_content_type,
    soap_fault,
)

log = logging.getLogger(__name__)

SERVICE_PATH = "/notifyws/phonenotify.asmx"
UNRECOGNISED_ACTION = (
    "System.Web.Services.Protocols.SoapException: Server did not recognize the value of HTTP Header SOAPAction: {}."
)
NOT_FOUND = b"<html><body><h1>404 - File or directory not found.</h1></body></html>"
_ACTION_PARAMETER = re.compile(r'action\s*=\s*"?([^";]*)"?', re.IGNORECASE)


class Endpoint:
    """The protocol half of `Sandbox` (which supplies the attributes below)."""

    contract: Contract
    service: PhoneNotifyService
    encoder: Encoder
    faults: FaultPlan
    namespaces: tuple[str, ...]  # accepted request namespaces; the first is the answer's
    operations: Counter[str]
    status_requests: Counter[str]
    internal_errors: int
    _wsdl_bytes: bytes | None

    url: str

    def _count_operation(self, operation: str) -> None: ...  # supplied by Sandbox, under its lock

    def _count_status(self, license_key: str | None) -> None: ...

    def dispatch(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Reply:
        headers = {k.lower(): v for k, v in headers.items()}
        parts = urlsplit(raw_path)
        path = parts.path.rstrip("/")
        lowered = path.lower()
        if lowered == SERVICE_PATH:
            if method == "GET":
                return self._wsdl() if parts.query.lower() in ("wsdl", "singlewsdl") else self._help_page()
            return self._soap(headers, body)
        if lowered.startswith(SERVICE_PATH + "/"):
            return self._http_form(method, path[len(SERVICE_PATH) + 1 :], parts.query, headers, body)
        return Reply(404, "text/html; charset=utf-8", NOT_FOUND)

    # -- service description --------------------------------------------------------------------

    def _wsdl(self) -> Reply:
        """The bundled WSDL in this sandbox's namespace, with its addresses pointing here."""
        if self._wsdl_bytes is None:
            text = wsdl_path().read_text(encoding="utf-8").replace(NAMESPACES["esendex"], self.namespaces[0])
            root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
            for element in root.iter():
                if isinstance(element.tag, str) and etree.QName(element).localname == "address":
                    element.set("location", self.url)
            self._wsdl_bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=True)
        return Reply(200, "text/xml; charset=utf-8", self._wsdl_bytes)

    def _help_page(self) -> Reply:
        html = etree.Element("html")
        etree.SubElement(etree.SubElement(html, "head"), "title").text = "PhoneNotify Web Service (sandbox)"
        page = etree.SubElement(html, "body")
        etree.SubElement(page, "h1").text = "PhoneNotify (sandbox)"
        etree.SubElement(page, "p").text = f"A local simulator in namespace {self.namespaces[0]}. No calls are placed."
        items = etree.SubElement(page, "ul")
        for name in self.contract.operations:
            etree.SubElement(items, "li").text = name
        etree.SubElement(etree.SubElement(page, "p"), "a", href="?WSDL").text = "Service description"
        return Reply(200, "text/html; charset=utf-8", etree.tostring(html, method="html", encoding="UTF-8"))

    def _fault_for(self, headers: dict[str, str], operation: str | None) -> str | None:
        requested = headers.get("x-sandbox-fault")
        return requested if requested in FAULTS else self.faults.next_fault(operation)

    def _run(self, operation: Operation, arguments: dict) -> Any:
        if operation.name in STATUS_OPERATIONS:
            self._count_status(arguments.get("LicenseKey"))
        return getattr(self.service, operation.name)(**arguments)

    # -- SOAP --------------------------------------------------------------------------------

    def _soap_target(self, headers: dict[str, str], payload: etree._Element) -> tuple[Operation, str]:
        """(operation, namespace) for a SOAP request, or a RequestError as ASMX words it."""
        qname = etree.QName(payload)
        body_ns, local = qname.namespace or "", qname.localname
        action = headers.get("soapaction")
        if action is None:
            match = _ACTION_PARAMETER.search(headers.get("content-type", ""))
            action = match.group(1) if match else None
        action = (action or "").strip().strip('"').strip()
        if not action:  # no action given: ASMX routes by the body's element
            action = body_ns + local
        ns = next((n for n in self.namespaces if action.startswith(n)), None)
        operation = self.contract.operations.get(action[len(ns) :]) if ns else None
        if ns is None or operation is None:
            raise RequestError(UNRECOGNISED_ACTION.format(action))
        if body_ns != ns or local != operation.name:
            raise RequestError(
                "Server was unable to read request. ---> There is an error in the XML document. ---> "
                f"<{local} xmlns='{body_ns}'> was not expected."
            )
        return operation, ns

    def _soap(self, headers: dict[str, str], body: bytes) -> Reply:
        content_type = headers.get("content-type", "").lower()
        soap12 = content_type.startswith("application/soap+xml")
        envelope_ns = SOAP12 if soap12 else SOAP11
        if not (soap12 or content_type.startswith("text/xml")):
            return Reply(
                415,
                "text/plain; charset=utf-8",
                b"Unsupported media type: use text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2).",
            )
        fault: str | None = None
        try:
            root = parse_xml(body)
            qname = etree.QName(root)
            if qname.localname != "Envelope" or qname.namespace not in (SOAP11, SOAP12):
                raise RequestError(
                    "Server was unable to process request. ---> The root element is not a SOAP Envelope."
                )
            envelope_ns = qname.namespace
            soap_body = root.find(f"{{{envelope_ns}}}Body")
            payload = next((c for c in soap_body if isinstance(c.tag, str)), None) if soap_body is not None else None
            if payload is None:
                raise RequestError("Server was unable to process request. ---> The SOAP Body is empty.")
            operation, ns = self._soap_target(headers, payload)
            self._count_operation(operation.name)
            fault = self._fault_for(headers, operation.name)
            if fault in BEFORE_PROCESSING:
                return faulted(fault, None, soap_fault(envelope_ns, self.faults.failure_text, False))
            result = self._run(operation, read_children(payload, operation.parameters, self.contract, ns))
            answer = self.encoder.soap_envelope(envelope_ns, operation.name, operation.result, ns, result)
        except RequestError as exc:
            return soap_fault(envelope_ns, str(exc), exc.client_fault)
        except Exception as exc:  # the sandbox must survive anything; report it like ASMX would
            self._internal_error()
            return soap_fault(envelope_ns, f"Server was unable to process request. ---> {type(exc).__name__}", False)
        good = Reply(200, soap_content_type(envelope_ns), answer)
        if fault is None:
            return good
        log.info("sandbox: injecting fault %s into %s", fault, operation.name)
        return faulted(fault, good, soap_fault(envelope_ns, self.faults.failure_text, False))

    # -- HTTP GET / POST ---------------------------------------------------------------------

    def _http_form(self, method: str, name: str, query: str, headers: dict[str, str], body: bytes) -> Reply:
        operation = self.contract.find_operation(name)
        if operation is None or not operation.http_get_post:
            return plain_error(
                "System.InvalidOperationException: Request format is unrecognized for URL unexpectedly "
                f"ending in '/{name}'."
            )
        if method == "GET":
            form = parse_qs(query, keep_blank_values=True)
        else:
            content_type = headers.get("content-type", "").lower()
            if not content_type.startswith("application/x-www-form-urlencoded"):
                return plain_error(f"System.InvalidOperationException: Request format is invalid: {content_type[:80]}.")
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        self._count_operation(operation.name)
        fault = self._fault_for(headers, operation.name)
        server_error = plain_error(f"System.Exception: {self.faults.failure_text}")
        if fault in BEFORE_PROCESSING:
            return faulted(fault, None, server_error)
        arguments = {}
        try:
            for param in operation.parameters:
                if param.name not in form:
                    raise RequestError(f"System.InvalidOperationException: Missing parameter: {param.name}.")
                arguments[param.name] = convert(param, form[param.name][0])
            result = self._run(operation, arguments)
            answer = self.encoder.bare(operation.body_root, self.namespaces[0], result)
        except RequestError as exc:
            return plain_error(str(exc))
        except Exception as exc:
            self._internal_error()
            return plain_error(f"System.Exception: {type(exc).__name__}")
        good = Reply(200, "text/xml; charset=utf-8", answer)
        return faulted(fault, good, server_error) if fault else good

    def _internal_error(self) -> None:
        self.internal_errors += 1  # bugs, not bad requests: tests assert this stays 0
        log.exception("sandbox: unexpected error")
