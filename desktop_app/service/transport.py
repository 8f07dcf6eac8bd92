"""HTTP plumbing shared by the client and namespace discovery: sessions, size-capped reads and the
zeep transport that uses them. Errors raised here are mapped to plain ones in failures.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
import zeep
from lxml import etree

from .tunnel import forwarded_refusal

# The largest answer we read. Real answers are a few KB (10 status records at most); anything
# bigger is a broken proxy or a hostile server, and reading it all would waste memory.
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
_CHUNK_BYTES = 64 * 1024
_XML_MEDIA_TYPES = ("text/xml", "application/soap+xml", "application/xml")

# No DTD, no entity expansion, no network, no huge trees: a hostile answer gets nothing from us.
HARDENED_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


class ResponseTooLarge(Exception):
    """The answer was bigger than MAX_RESPONSE_BYTES; it was not read to the end."""


class NotSoapError(Exception):
    """An HTTP error status whose body is not a SOAP fault (an HTML page from a proxy, say)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def read_capped(response: requests.Response, limit: int = MAX_RESPONSE_BYTES) -> bytes:
    """Read a streamed response up to `limit` bytes, then release the connection.

    A complete read hands the connection back to the pool (keep-alive); an oversized answer is
    abandoned and its connection dropped.
    """
    try:
        declared = int(response.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        response.close()
        raise ResponseTooLarge()
    body = bytearray()
    try:
        for chunk in response.iter_content(_CHUNK_BYTES):
            body += chunk
            if len(body) > limit:
                raise ResponseTooLarge()
    finally:
        response.close()
    return bytes(body)


@dataclass(frozen=True)
class Answer:
    """What zeep reads from an HTTP answer (status, headers, body), built from a capped read so
    that nobody writes into a requests.Response's internals."""

    status_code: int
    headers: Any  # requests' case-insensitive header mapping
    content: bytes
    encoding: str | None = None


def media_type(headers: Any) -> str:
    return str(headers.get("Content-Type", "")).split(";")[0].strip().lower()


class GuardedTransport(zeep.Transport):
    """zeep's transport, reading at most MAX_RESPONSE_BYTES, refusing answers that are not
    well-formed XML, recognising HTTP errors that are not SOAP faults, and never logging the
    envelope (it carries the license key)."""

    connect_timeout: float | None = None  # connecting, the proxy and the handshake; None: the read timeout

    def post(self, address: str, message: bytes | str, headers: dict[str, str]) -> Answer:
        read = self.operation_timeout
        response = self.session.post(
            address, data=message, headers=headers, timeout=(self.connect_timeout or read, read), stream=True
        )
        refused = forwarded_refusal(response, address, self.session)
        if refused is not None:
            raise refused  # a proxy's 407 for a plain-http request: it never reached the service
        body = read_capped(response)
        if body:
            # zeep parses with recover=True when not strict, which would quietly accept a truncated
            # answer as a shorter one. Refuse anything that is not well-formed first.
            etree.fromstring(body, HARDENED_PARSER)
        soap_fault = media_type(response.headers) in _XML_MEDIA_TYPES and b"Fault" in body
        if response.status_code >= 400 and not soap_fault:
            raise NotSoapError(response.status_code)
        return Answer(response.status_code, response.headers, body, response.encoding)
