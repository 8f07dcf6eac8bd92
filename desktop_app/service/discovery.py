"""Which namespace does a PhoneNotify endpoint speak? Read it from its live WSDL.

Which namespace the live host expects is UNVERIFIED (fact sheet 11.1). The live WSDL is not loaded
with zeep (it imports the SOAP-encoding schema, which the hardened settings refuse, 11.2): only the
root's `targetNamespace` attribute is read, with a hardened parser, from at most 2 MB.
"""

from __future__ import annotations

import re

import requests
from lxml import etree

from . import validation as check
from .errors import DiscoveryFailed, ServerError, ServiceError
from .failures import mapped_errors
from .network import Network, NetworkSettings
from .redaction import redact
from .reference_data import KNOWN_NAMESPACES
from .transport import HARDENED_PARSER, MAX_RESPONSE_BYTES, read_capped
from .tunnel import forwarded_refusal

# A DOCTYPE can declare entities; a WSDL never needs one, so we refuse it before parsing.
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_WHAT_TO_DO = "Check the service address in Settings."


def wsdl_url(endpoint: str) -> str:
    return endpoint.split("?", 1)[0].split("#", 1)[0] + "?WSDL"


def namespace_from_wsdl(body: bytes) -> str:
    """The known namespace a WSDL declares as its targetNamespace, or DiscoveryFailed."""
    if not body.strip():
        raise DiscoveryFailed(f"The server sent an empty service description. {_WHAT_TO_DO}")
    if _DOCTYPE.search(body):
        raise DiscoveryFailed(
            f"The server's service description contained unsafe XML and was ignored. {_WHAT_TO_DO}",
            detail="DOCTYPE or ENTITY declaration",
        )
    try:
        root = etree.fromstring(body, HARDENED_PARSER)
    except etree.XMLSyntaxError as exc:
        raise DiscoveryFailed(
            f"The server's answer is not a service description (WSDL). {_WHAT_TO_DO}",
            detail=redact(str(exc))[:300],
        ) from None
    namespace = root.get("targetNamespace")
    if namespace in KNOWN_NAMESPACES:
        return namespace
    shown = redact(str(namespace))[:120]
    raise DiscoveryFailed(
        f"The server at this address does not describe the PhoneNotify service. {_WHAT_TO_DO}",
        detail=f"targetNamespace={shown}",
    )


def discover_namespace(
    endpoint_url: str,
    *,
    timeout: float = 5.0,
    ca_bundle: str | None = None,
    session: requests.Session | None = None,
    network: Network | None = None,
) -> str:
    """GET `<endpoint>?WSDL` and return its namespace if it is one of KNOWN_NAMESPACES.

    Raises a ServiceError: CannotReachServer / TimedOut / ServerError when the WSDL cannot be
    fetched, DiscoveryFailed when what came back is not a PhoneNotify WSDL (HTML, malformed or
    unsafe XML, another namespace). Nothing is sent but the GET; no license key is involved.
    `network` (the app's: proxy, certificates, sign-in) builds the session unless one is given;
    without either, `ca_bundle` and the system proxy settings decide.
    """
    endpoint = check.endpoint(endpoint_url)
    network = network or Network(NetworkSettings.simple(ca_bundle))
    try:
        return _discover(endpoint, timeout, session, network)
    except ServiceError as error:
        network.report(error)
        raise


def _discover(endpoint: str, timeout: float, session: requests.Session | None, network: Network) -> str:
    http = session
    try:
        with mapped_errors("read"):
            http = http or network.new_session(endpoint)
            url = wsdl_url(endpoint)
            response = http.get(
                url,
                timeout=(network.connect_timeout(timeout), timeout),
                stream=True,
                headers={"Accept": "text/xml, application/xml"},
            )
            refused = forwarded_refusal(response, url, http)
            if refused is not None:
                raise refused
            body = read_capped(response, MAX_RESPONSE_BYTES)
        if response.status_code >= 500:
            raise ServerError(
                "The service is having problems right now "
                f"(HTTP {response.status_code}); this is usually temporary. Please try again in a moment.",
                status_code=response.status_code,
            )
        if response.status_code >= 400:
            raise DiscoveryFailed(
                f"The server did not send its service description (HTTP {response.status_code}). {_WHAT_TO_DO}"
            )
        return namespace_from_wsdl(body)
    finally:
        if session is None and http is not None:
            http.close()
