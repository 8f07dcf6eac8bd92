"""A local PhoneNotify simulator that speaks the real wire format.

It answers SOAP 1.1 (SOAPAction quoted or not), SOAP 1.2 (action in the Content-Type, a
SOAPAction header, or the body's first element) and the HTTP GET/POST forms with bare-XML answers,
on any casing of /NotifyWS/PhoneNotify.asmx. It answers in the namespace of the request, so the
CDYNE-era namespace works too. `?wsdl` serves the bundled WSDL with the addresses rewritten to
this server. Malformed requests get a SOAP fault with HTTP 500, or a plain-text 500 for GET/POST,
as ASMX does.

Faults for tests can be injected per request (header `X-Sandbox-Fault`, `X-Sandbox-Latency-Ms`)
or server-wide (`Sandbox.faults`). See `FaultPlan` for what each fault does.
"""

from __future__ import annotations

import logging
import random
import re
import socket
import ssl
import struct
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from lxml import etree

from ..resources import wsdl_path
from ..service.reference_data import LEGACY_NAMESPACE, NAMESPACE, RESPONSE_CODES, VOICES
from .contract import VALUE_TYPES, Contract, Field, Operation, load_contract
from .state import (
    PLACEHOLDER_TIME,
    SERVICE_VERSION,
    UNKNOWN_QUEUE_ID_CODE,
    Call,
    Clock,
    PhoneNotifyState,
    key_is_usable,
    normalise_key,
    view,
)

log = logging.getLogger(__name__)

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SERVICE_PATH = "/notifyws/phonenotify.asmx"
KNOWN_NAMESPACES = (NAMESPACE, LEGACY_NAMESPACE)
MAX_REQUEST_BYTES = 4 * 1024 * 1024  # ASP.NET's default maxRequestLength
XSI_XSD = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"'
FAULTS = (
    "html500",  # an HTML error page with HTTP 500, as from a proxy (nothing is processed)
    "soap_fault",  # a SOAP fault with HTTP 500 (nothing is processed)
    "drop",  # close the connection without answering (nothing is processed)
    "malformed_xml",  # processed, then a broken XML answer
    "wrong_content_type",  # processed, then an answer as text/html that is not XML
    "empty_body",  # processed, then HTTP 200 with an empty body
    "oversized",  # processed, then a valid answer padded to several MB
    "reset",  # processed, then half an answer and a TCP reset
    "entity_payload",  # processed, then an answer carrying a DTD with entity expansion
)
BEFORE_PROCESSING = frozenset({"html500", "soap_fault", "drop"})  # the others strike after the server acted
SIMULATED_FAILURE = "Server was unable to process request. ---> Simulated server failure."


class RequestError(Exception):
    """A malformed request: becomes a SOAP fault (SOAP) or a plain-text 500 (GET/POST)."""

    def __init__(self, message: str, client_fault: bool = True) -> None:
        super().__init__(message)
        self.client_fault = client_fault


@dataclass
class FaultPlan:
    """Server-wide fault injection. Thread-safe."""

    latency_seconds: float = 0.0
    fault_rate: float = 0.0  # chance of a random fault from `random_faults` per request
    random_faults: tuple[str, ...] = FAULTS
    seed: int | None = None
    _queue: deque[tuple[str, str | None]] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def inject(self, fault: str, times: int = 1, operation: str | None = None) -> None:
        """Make the next `times` requests (for `operation`, if given) fail with `fault`."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; choose from {', '.join(FAULTS)}")
        with self._lock:
            self._queue.extend([(fault, operation)] * times)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self.latency_seconds, self.fault_rate = 0.0, 0.0

    def next_fault(self, operation: str | None) -> str | None:
        with self._lock:
            for index, (fault, only) in enumerate(self._queue):
                if only is None or only == operation:
                    del self._queue[index]
                    return fault
            if self.fault_rate and self._random.random() < self.fault_rate:
                return self._random.choice(self.random_faults)
        return None


def faulted(fault: str, good: Reply | None, server_error: Reply) -> Reply:
    """The reply a request gets under an injected fault, for SOAP and GET/POST alike.

    `good` is the reply it would have had (None when the fault strikes before processing);
    `server_error` is the protocol's own error (a SOAP fault, or ASMX's plain-text 500).
    """
    if fault == "html500":
        page = (
            b"<html><head><title>502 Bad Gateway</title></head><body><h1>Proxy error</h1>"
            b"<p>The upstream server is unavailable.</p></body></html>"
        )
        return Reply(500, "text/html; charset=utf-8", page)
    if fault == "soap_fault":
        return server_error
    if fault == "drop":
        return Reply(200, "text/plain", b"", fault="drop")
    assert good is not None, f"{fault} strikes after processing"
    body, content_type = good.body, good.content_type
    if fault == "malformed_xml":
        return Reply(200, content_type, body[: len(body) // 2] + b"<unclosed")
    if fault == "wrong_content_type":
        return Reply(200, "text/html; charset=utf-8", b"<html><body>Welcome to our captive portal</body></html>")
    if fault == "empty_body":
        return Reply(200, content_type, b"")
    if fault == "oversized":
        return Reply(200, content_type, body + b"<!--" + b"x" * (6 * 1024 * 1024) + b"-->")
    if fault == "reset":
        return Reply(200, content_type, body, fault="reset")
    if fault == "entity_payload":
        bomb = (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        )
        rest = body.split(b"?>", 1)[-1]
        root_open = rest.index(b">") + 1  # expand the entity inside the root element
        return Reply(200, content_type, bomb + rest[:root_open] + b"&lol3;" + rest[root_open:])
    raise AssertionError(fault)


# -- XML writing ------------------------------------------------------------------------------


def format_value(type_name: str, value: Any) -> str:
    if type_name == "boolean":
        return "true" if value else "false"
    if type_name == "dateTime":
        moment: datetime = value or PLACEHOLDER_TIME
        if moment.year <= 1:
            return "0001-01-01T00:00:00"
        moment = moment.astimezone(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    if type_name == "decimal":
        return format(Decimal(value or 0), "f")
    return escape(str(value))


class Writer:
    """Serialises Python values by the WSDL's types, in schema order. Strings that are None are
    omitted (ASMX omits null strings rather than sending nil)."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract

    def element(self, name: str, type_name: str, value: Any) -> str:
        if value is None:
            if type_name not in VALUE_TYPES:
                return ""
            value = {"boolean": False, "dateTime": PLACEHOLDER_TIME}.get(type_name, 0)
        if type_name in self.contract.types:
            return f"<{name}>{self.content(type_name, value)}</{name}>"
        return f"<{name}>{format_value(type_name, value)}</{name}>"

    def content(self, type_name: str, value: Any) -> str:
        fields = self.contract.types[type_name]
        if len(fields) == 1 and fields[0].repeated:  # an ArrayOf...
            item = fields[0]
            return "".join(self.element(item.name, item.type, v) for v in value)
        return "".join(self.element(f.name, f.type, value.get(f.name)) for f in fields)


# -- XML reading ------------------------------------------------------------------------------

_SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)
_DATETIME = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?\s*$")


def parse_xml(body: bytes) -> etree._Element:
    if re.search(rb"<!DOCTYPE", body[:4096], re.IGNORECASE) or b"<!ENTITY" in body:
        raise RequestError("Server was unable to read request. ---> DTD is prohibited in this XML document.")
    try:
        return etree.fromstring(body, _SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise RequestError(
            f"Server was unable to read request. ---> There is an error in the XML document. {exc}"
        ) from None


def parse_datetime(text: str) -> tuple[datetime, bool]:
    """(a UTC datetime, whether the text said UTC). No designator is taken as UTC but flagged."""
    match = _DATETIME.match(text)
    if not match:
        raise ValueError(f"The string '{text[:40]}' is not a valid AllXsd value.")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction, zone = match.group(7), match.group(8)
    micro = round(float(fraction) * 1_000_000) if fraction else 0
    micro = min(micro, 999_999)
    moment = datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        offset_minutes = sign * (int(zone[1:3]) * 60 + int(zone[4:6]))
        moment -= timedelta(minutes=offset_minutes)
        return moment, offset_minutes == 0
    return moment, zone == "Z"


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


# -- the service ------------------------------------------------------------------------------


class PhoneNotifyService:
    """The operations, on top of `PhoneNotifyState`. Results are plain dicts/lists shaped like the
    WSDL's types."""

    def __init__(self, state: PhoneNotifyState) -> None:
        self.state = state

    @staticmethod
    def _notify_return(
        call: Call | None, now: datetime, code: int | None = None, queue_id: int = 0, advanced: bool = False
    ) -> dict:
        if call is None:
            code = UNKNOWN_QUEUE_ID_CODE if code is None else code
            return {
                "ResponseCode": code,
                "ResponseText": RESPONSE_CODES[code],
                "CallAnswered": False,
                "QueueID": queue_id,
                "TryCount": 0,
                "Demo": False,
                "Duration": 0,
                "StartTime": PLACEHOLDER_TIME,
                "EndTime": PLACEHOLDER_TIME,
                "MinuteRate": 0,
                "CallComplete": code != 0,
            }
        state = view(call, now)
        result = {
            "ResponseCode": state.code,
            "ResponseText": RESPONSE_CODES[state.code],
            "CallAnswered": state.answered,
            "QueueID": call.queue_id,
            "TryCount": state.tries,
            "Demo": call.demo,
            "MachineDetection": state.machine,
            "Duration": state.duration,
            "StartTime": state.start,
            "EndTime": state.end,
            "MinuteRate": Decimal("0.0600"),
            "Country": "US" if state.tries else None,
            "CallComplete": state.complete,
        }
        if advanced:
            result["TextToSay"] = call.text_to_say
            result["VariableArray"] = [
                {"VariableName": "phonenumber", "VariableValue": call.phone_number},
                {"VariableName": "queueid", "VariableValue": str(call.queue_id)},
                {"VariableName": "callerid", "VariableValue": call.caller_id},
                {"VariableName": "calleridname", "VariableValue": call.caller_id_name},
                {"VariableName": "extension", "VariableValue": call.extension},
                {"VariableName": "referenceid", "VariableValue": call.reference_id},
            ]
        return result

    def _schedule(self, anr: dict) -> dict:
        when = anr.get("UTCScheduledDateTime")
        outcome = self.state.schedule(
            key=anr.get("LicenseKey"),
            phone_number=anr.get("PhoneNumberToDial"),
            text_to_say=anr.get("TextToSay"),
            voice_id=anr.get("VoiceID", 0),
            caller_id=anr.get("CallerIDNumber"),
            caller_id_name=anr.get("CallerIDName"),
            try_count=anr.get("TryCount", 0),
            next_try_seconds=anr.get("NextTryInSeconds", 0),
            scheduled=when[0] if when else None,
            scheduled_is_utc=bool(when and when[1]),
            max_call_length=anr.get("MaxCallLength", 0),
            reference_id=anr.get("ReferenceID"),
        )
        return self._notify_return(outcome.call, self.state.clock.now(), code=outcome.code)

    def NotifyPhoneAdvanced(self, anr: dict | None = None) -> dict:
        return self._schedule(anr or {})

    def NotifyMultiplePhoneAdvanced(self, MultipleANR: list | None = None) -> list:
        return [self._schedule(anr) for anr in MultipleANR or []]

    def NotifyMultiplePhoneBasicWithCPMandReferenceID(
        self,
        PhoneNumbersToDial=None,
        TextToSay=None,
        CallerID=None,
        CallerIDname=None,
        VoiceID=None,
        CallsPerMinute=0,
        ReferenceID=None,
        LicenseKey=None,
    ) -> list:
        numbers = [n for n in (PhoneNumbersToDial or "").split(";") if n.strip()]
        try:
            voice = int((VoiceID or "0").strip())
        except ValueError:
            voice = -1
        spacing = 60.0 / CallsPerMinute if CallsPerMinute and CallsPerMinute > 0 else 0.02
        now = self.state.clock.now()
        results = []
        for index, number in enumerate(numbers):
            when = now + timedelta(seconds=index * spacing)
            results.append(
                self._schedule(
                    {
                        "LicenseKey": LicenseKey,
                        "PhoneNumberToDial": number,
                        "TextToSay": TextToSay,
                        "VoiceID": voice,
                        "CallerIDNumber": CallerID,
                        "CallerIDName": CallerIDname,
                        "TryCount": 1,
                        "UTCScheduledDateTime": (when, True),
                        "ReferenceID": ReferenceID,
                    }
                )
            )
        return results

    def CancelNotify(self, QueueID: int = 0, LicenseKey: str | None = None) -> bool:
        return self.state.cancel_queue_id(LicenseKey, QueueID)

    def CancelNotifyByReferenceID(self, ReferenceID: str | None = None, LicenseKey: str | None = None) -> int:
        return self.state.cancel_by_reference_id(LicenseKey, ReferenceID)

    def GetQueueIDStatus(self, QueueID: int = 0) -> dict:
        return self._notify_return(self.state.find(QueueID), self.state.clock.now(), queue_id=QueueID)

    def GetQueueIDStatusWithAdvancedInfo(self, QueueID: int = 0, LicenseKey: str | None = None) -> dict:
        call = self.state.find(QueueID, normalise_key(LicenseKey)) if key_is_usable(normalise_key(LicenseKey)) else None
        return self._notify_return(call, self.state.clock.now(), queue_id=QueueID, advanced=True)

    def GetMultipleQueueIdStatus(self, QueueIDs: str | None = None, LicenseKey: str | None = None) -> list:
        key = normalise_key(LicenseKey)
        if not key_is_usable(key):
            return []
        now, results = self.state.clock.now(), []
        for part in (QueueIDs or "").split(";"):
            if not part.strip():
                continue
            try:
                qid = int(part.strip())
            except ValueError:
                raise RequestError(f"Input string was not in a correct format for QueueIDs ('{part[:20]}').") from None
            results.append(self._notify_return(self.state.find(qid, key), now, queue_id=qid))
        return results

    def GetQueueIDStatusesByPhoneNumber(self, PhoneNumber: str | None = None, LicenseKey: str | None = None) -> list:
        now = self.state.clock.now()
        return [self._notify_return(c, now) for c in self.state.calls_to_number(LicenseKey, PhoneNumber)]

    def getVoices(self) -> list:
        return [
            {
                "VoiceID": v.voice_id,
                "VoiceName": v.name,
                "VoiceGender": v.gender,
                "VoiceAge": v.age,
                "VoiceLanguage": v.language,
                "VoiceSummary": v.summary,
            }
            for v in VOICES
        ]

    def GetResponseCodes(self) -> list:
        return [{"ResponseCode": code, "ResponseText": text} for code, text in RESPONSE_CODES.items()]

    def GetVersion(self) -> str:
        return SERVICE_VERSION


# -- HTTP ---------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes
    fault: str | None = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server  # type: ignore[assignment]
    server_version = "Microsoft-IIS/10.0"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle's algorithm holds the
        # body back until the client's delayed ACK (40 ms on Linux) on every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("sandbox: " + format, *args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        sandbox = self.server.sandbox
        sandbox._enter()
        try:
            body = b""
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_REQUEST_BYTES:
                self._send(Reply(500, "text/plain; charset=utf-8", b"Maximum request length exceeded."))
                self.close_connection = True
                return
            if length:
                body = self.rfile.read(length)
            reply = sandbox.dispatch(method, self.path, dict(self.headers.items()), body)
            latency = sandbox.faults.latency_seconds + _header_ms(self.headers.get("X-Sandbox-Latency-Ms"))
            if latency > 0:
                time.sleep(latency)
            self._send(reply)
        finally:
            sandbox._leave()

    def _send(self, reply: Reply) -> None:
        if reply.fault == "drop":
            self.close_connection = True
            return
        if reply.fault == "reset":
            head = f"HTTP/1.1 200 OK\r\nContent-Type: {reply.content_type}\r\nContent-Length: {len(reply.body)}\r\n\r\n"
            self.wfile.write(head.encode() + reply.body[: len(reply.body) // 2])
            self.wfile.flush()
            # SO_LINGER 0: close() sends a TCP RST instead of a clean FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Cache-Control", "private")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)


def _header_ms(value: str | None) -> float:
    try:
        return max(0.0, float(value or 0)) / 1000.0
    except ValueError:
        return 0.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    sandbox: Sandbox

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("sandbox: connection error from %s", client_address, exc_info=True)


class Sandbox:
    """The simulator: state + HTTP server. Start it in-process with `start()` or as a context
    manager; `url` is the service endpoint."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
        faults: FaultPlan | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.state = PhoneNotifyState(clock) if clock else PhoneNotifyState()
        self.service = PhoneNotifyService(self.state)
        self.contract = load_contract()
        self.writer = Writer(self.contract)
        self.faults = faults or FaultPlan()
        self.requests_served = 0
        self.internal_errors = 0  # bugs, not bad requests: tests assert this stays 0
        self.operations: Counter[str] = Counter()  # requests per operation, for tests
        self.in_flight = 0
        self.max_in_flight = 0
        self._counter_lock = threading.Lock()
        self._server = _Server((host, port), Handler)
        self.scheme = "http"
        if ssl_context is not None:  # https, e.g. with a self-signed certificate for TLS tests
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._server.sandbox = self
        self._thread: threading.Thread | None = None
        self._wsdl_template = wsdl_path().read_text(encoding="utf-8")

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def host(self) -> str:
        return self._server.server_address[0]

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"{self.scheme}://{host}:{self.port}/NotifyWS/PhoneNotify.asmx"

    def start(self) -> Sandbox:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="phonenotify-sandbox", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _enter(self) -> None:
        with self._counter_lock:
            self.requests_served += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._counter_lock:
            self.in_flight -= 1

    # -- dispatch -------------------------------------------------------------------------------

    def dispatch(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Reply:
        headers = {k.lower(): v for k, v in headers.items()}
        parts = urlsplit(raw_path)
        path = parts.path.rstrip("/")
        lowered = path.lower()
        if lowered == SERVICE_PATH:
            if method == "GET":
                if parts.query.lower() in ("wsdl", "singlewsdl"):
                    return self._wsdl()
                return self._help_page()
            return self._soap(headers, body)
        if lowered.startswith(SERVICE_PATH + "/"):
            return self._http_form(method, path[len(SERVICE_PATH) + 1 :], parts.query, headers, body)
        return Reply(
            404, "text/html; charset=utf-8", b"<html><body><h1>404 - File or directory not found.</h1></body></html>"
        )

    def _wsdl(self) -> Reply:
        text = re.sub(r'location="[^"]*"', f'location="{self.url}"', self._wsdl_template)
        return Reply(200, "text/xml; charset=utf-8", text.encode("utf-8"))

    def _help_page(self) -> Reply:
        items = "".join(f"<li>{name}</li>" for name in self.contract.operations)
        html = (
            "<html><head><title>PhoneNotify Web Service (sandbox)</title></head><body>"
            "<h1>PhoneNotify (sandbox)</h1><p>A local simulator. No real calls are placed.</p>"
            f"<ul>{items}</ul><p>Service description: <a href='?WSDL'>?WSDL</a></p></body></html>"
        )
        return Reply(200, "text/html; charset=utf-8", html.encode())

    def _fault_for(self, headers: dict[str, str], operation: str | None) -> str | None:
        requested = headers.get("x-sandbox-fault")
        if requested in FAULTS:
            return requested
        return self.faults.next_fault(operation)

    # SOAP ------------------------------------------------------------------------------------

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
        operation_name: str | None = None
        namespace = NAMESPACE
        try:
            root = parse_xml(body)
            if etree.QName(root).localname != "Envelope" or etree.QName(root).namespace not in (SOAP11, SOAP12):
                raise RequestError(
                    "Server was unable to process request. ---> The root element is not a SOAP Envelope."
                )
            envelope_ns = etree.QName(root).namespace
            soap_body = root.find(f"{{{envelope_ns}}}Body")
            payload = next((c for c in soap_body if isinstance(c.tag, str)), None) if soap_body is not None else None
            if payload is None:
                raise RequestError("Server was unable to process request. ---> The SOAP Body is empty.")
            qname = etree.QName(payload)
            namespace = qname.namespace or ""
            operation_name = self._soap_action(headers, headers.get("content-type", ""), namespace) or qname.localname
            operation = self.contract.operations.get(operation_name)
            if operation is None or namespace not in KNOWN_NAMESPACES:
                action = headers.get("soapaction", "").strip('"') or operation_name
                raise RequestError(f"Server did not recognize the value of HTTP Header SOAPAction: {action}.")
            if qname.localname != operation.name:
                raise RequestError(
                    f"Server did not recognize the value of HTTP Header SOAPAction: {namespace}{operation_name}."
                )
            with self._counter_lock:
                self.operations[operation.name] += 1
            fault = self._fault_for(headers, operation.name)
            if fault in BEFORE_PROCESSING:
                return faulted(fault, None, self._soap_fault(envelope_ns, SIMULATED_FAILURE, False))
            arguments = read_children(payload, operation.parameters, self.contract, namespace)
            result = getattr(self.service, operation.name)(**arguments)
        except RequestError as exc:
            return self._soap_fault(envelope_ns, str(exc), exc.client_fault)
        except Exception as exc:  # the sandbox must survive anything; report it like ASMX would
            self.internal_errors += 1
            log.exception("sandbox: unexpected error")
            return self._soap_fault(
                envelope_ns, f"Server was unable to process request. ---> {type(exc).__name__}", False
            )
        good = Reply(
            200, self._soap_content_type(envelope_ns), self._soap_envelope(envelope_ns, operation, namespace, result)
        )
        if fault is None:
            return good
        log.info("sandbox: injecting fault %s into %s", fault, operation.name)
        return faulted(fault, good, self._soap_fault(envelope_ns, SIMULATED_FAILURE, False))

    @staticmethod
    def _soap_action(headers: dict[str, str], content_type: str, namespace: str) -> str | None:
        action = headers.get("soapaction")
        if action is None:
            match = re.search(r'action\s*=\s*"?([^";]+)"?', content_type, re.IGNORECASE)
            action = match.group(1) if match else None
        if not action:
            return None
        action = action.strip().strip('"')
        for ns in KNOWN_NAMESPACES:
            if action.startswith(ns):
                return action[len(ns) :]
        return "\0unknown action"  # not ours: reported as unrecognised

    def _soap_envelope(self, envelope_ns: str, operation: Operation, namespace: str, result: Any) -> bytes:
        result_xml = ""
        if operation.result is not None:
            result_xml = self.writer.element(operation.result.name, operation.result.type, result)
        prefix = "soap12" if envelope_ns == SOAP12 else "soap"
        return (
            f'<?xml version="1.0" encoding="utf-8"?><{prefix}:Envelope xmlns:{prefix}="{envelope_ns}" {XSI_XSD}>'
            f'<{prefix}:Body><{operation.name}Response xmlns="{namespace}">{result_xml}</{operation.name}Response>'
            f"</{prefix}:Body></{prefix}:Envelope>"
        ).encode()

    @staticmethod
    def _soap_content_type(envelope_ns: str) -> str:
        return "application/soap+xml; charset=utf-8" if envelope_ns == SOAP12 else "text/xml; charset=utf-8"

    def _soap_fault(self, envelope_ns: str, message: str, client_fault: bool) -> Reply:
        text = escape(message)
        if envelope_ns == SOAP12:
            code = "soap:Sender" if client_fault else "soap:Receiver"
            body = (
                f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP12}" {XSI_XSD}><soap:Body>'
                f"<soap:Fault><soap:Code><soap:Value>{code}</soap:Value></soap:Code>"
                f'<soap:Reason><soap:Text xml:lang="en">{text}</soap:Text></soap:Reason><soap:Detail />'
                "</soap:Fault></soap:Body></soap:Envelope>"
            )
        else:
            code = "soap:Client" if client_fault else "soap:Server"
            body = (
                f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP11}" {XSI_XSD}><soap:Body>'
                f"<soap:Fault><faultcode>{code}</faultcode><faultstring>{text}</faultstring><detail />"
                "</soap:Fault></soap:Body></soap:Envelope>"
            )
        return Reply(500, self._soap_content_type(envelope_ns), body.encode("utf-8"))

    # HTTP GET / POST -------------------------------------------------------------------------

    def _http_form(self, method: str, name: str, query: str, headers: dict[str, str], body: bytes) -> Reply:
        operation = self.contract.find_operation(name)
        if operation is None or not operation.http_get_post:
            message = (
                "System.InvalidOperationException: Request format is unrecognized for URL unexpectedly "
                f"ending in '/{name}'."
            )
            return Reply(500, "text/plain; charset=utf-8", message.encode())
        if method == "GET":
            form = parse_qs(query, keep_blank_values=True)
        else:
            content_type = headers.get("content-type", "").lower()
            if not content_type.startswith("application/x-www-form-urlencoded"):
                return Reply(
                    500,
                    "text/plain; charset=utf-8",
                    b"System.InvalidOperationException: Request format is invalid: "
                    + content_type.encode()[:80]
                    + b".",
                )
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        with self._counter_lock:
            self.operations[operation.name] += 1
        fault = self._fault_for(headers, operation.name)
        server_error = Reply(500, "text/plain; charset=utf-8", f"System.Exception: {SIMULATED_FAILURE}".encode())
        if fault in BEFORE_PROCESSING:
            return faulted(fault, None, server_error)
        arguments = {}
        try:
            for param in operation.parameters:
                if param.name not in form:
                    raise RequestError(f"System.InvalidOperationException: Missing parameter: {param.name}.")
                arguments[param.name] = convert(param, form[param.name][0])
            result = getattr(self.service, operation.name)(**arguments)
        except RequestError as exc:
            return Reply(500, "text/plain; charset=utf-8", str(exc).encode())
        except Exception as exc:
            self.internal_errors += 1
            log.exception("sandbox: unexpected error")
            return Reply(500, "text/plain; charset=utf-8", f"System.Exception: {type(exc).__name__}".encode())
        root = operation.body_root
        # Complex roots carry the xsi/xsd declarations, as ASMX writes them; <int> and friends don't.
        if root in self.contract.types:
            inner, declarations = self.writer.content(root, result), f"{XSI_XSD} "
        else:
            inner, declarations = format_value(root, result), ""
        xml = f'<?xml version="1.0" encoding="utf-8"?>\n<{root} {declarations}xmlns="{NAMESPACE}">{inner}</{root}>'
        good = Reply(200, "text/xml; charset=utf-8", xml.encode("utf-8"))
        return faulted(fault, good, server_error) if fault else good


def serve(host: str = "127.0.0.1", port: int = 0, **kwargs: Any) -> Sandbox:
    """Start a sandbox on a background thread and return it."""
    return Sandbox(host, port, **kwargs).start()
