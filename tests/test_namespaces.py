"""Namespace discovery, the namespace cache, and the client's one-time SOAPAction fallback, over
real HTTP on 127.0.0.1 (the sandbox, or a tiny server of our own for answers the sandbox does not
give)."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from desktop_app.sandbox import Sandbox
from desktop_app.service import (
    KNOWN_NAMESPACES,
    CannotReachServer,
    DiscoveryFailed,
    PhoneNotifyClient,
    ServerError,
    SoapFault,
    TimedOut,
    UnexpectedResponse,
    discover_namespace,
    load_wsdl,
)
from desktop_app.service.reference_data import DEFAULT_NAMESPACE, LEGACY_NAMESPACE, NAMESPACE
from desktop_app.storage.namespaces import NamespaceCache


@pytest.fixture
def sandbox(clock):
    """These tests write Esendex-namespace requests by hand: always an Esendex sandbox, whatever
    namespace the rest of the suite runs against (VBD_SANDBOX_NAMESPACE)."""
    with Sandbox(clock=clock, namespace="esendex") as server:
        yield server


# (status, content type, body) for one request: (method, path, headers, body).
Responder = Callable[[str, str, dict[str, str], bytes], tuple[int, str, bytes]]


@contextmanager
def static_server(respond: Responder) -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP/1.1 server answering with `respond`; yields (endpoint URL, request log)."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            seen.append(f"{self.command} {self.path} {headers.get('soapaction', '')}")
            status, content_type, payload = respond(self.command, self.path, headers, body)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _answer

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a client that gives up early (oversized answer, timeout) is expected here

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/NotifyWS/PhoneNotify.asmx", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def fixed(status: int, content_type: str, body: bytes) -> Responder:
    return lambda *_args: (status, content_type, body)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- discovery ----------------------------------------------------------------------------------


def test_known_namespaces_and_default():
    assert KNOWN_NAMESPACES == ("https://ws.esendex.us/NotifyWS/", "http://ws.cdyne.com/NotifyWS/")
    assert DEFAULT_NAMESPACE == NAMESPACE == KNOWN_NAMESPACES[0]


def test_discovery_against_the_sandbox_finds_the_esendex_namespace(sandbox):
    assert discover_namespace(sandbox.url) == NAMESPACE
    assert discover_namespace(sandbox.url.replace("PhoneNotify.asmx", "phonenotify.asmx")) == NAMESPACE


@pytest.fixture
def cdyne_sandbox(clock) -> Iterator[Sandbox]:
    with Sandbox(clock=clock, namespace="cdyne") as server:
        yield server


def test_discovery_against_a_cdyne_only_sandbox_finds_the_cdyne_namespace(cdyne_sandbox):
    assert discover_namespace(cdyne_sandbox.url) == LEGACY_NAMESPACE


def test_client_falls_back_once_to_cdyne_and_sticks_to_it(cdyne_sandbox):
    client = PhoneNotifyClient(cdyne_sandbox.url, namespace=NAMESPACE, timeout=5)
    before = cdyne_sandbox.requests_served
    assert client.cancel_by_reference_id("3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d", "r1").cancelled == 0
    assert cdyne_sandbox.requests_served - before == 2  # refused, then retried in the other namespace
    assert client.namespace == LEGACY_NAMESPACE
    client.get_version()
    assert cdyne_sandbox.requests_served - before == 3  # no more fallbacks
    client.close()


@pytest.mark.parametrize(
    ("answer", "error_class", "words"),
    [
        (fixed(200, "text/html", b"<html><body><h1>Welcome</h1><p>Sign in</body></html>"), DiscoveryFailed, "not a"),
        (fixed(200, "text/xml", b"<definitions targetNamespace='x'"), DiscoveryFailed, "not a service description"),
        (fixed(200, "text/xml", b""), DiscoveryFailed, "empty"),
        (
            fixed(200, "text/xml", b"<definitions xmlns='http://schemas.xmlsoap.org/wsdl/' targetNamespace='urn:x'/>"),
            DiscoveryFailed,
            "does not describe the PhoneNotify service",
        ),
        (fixed(404, "text/html", b"<html>404</html>"), DiscoveryFailed, "HTTP 404"),
        (fixed(503, "text/html", b"<html>busy</html>"), ServerError, "HTTP 503"),
        (fixed(200, "text/xml", b"<a>" + b"x" * (3 * 1024 * 1024) + b"</a>"), UnexpectedResponse, "far larger"),
    ],
)
def test_discovery_refuses_what_is_not_a_phonenotify_wsdl(answer, error_class, words):
    with static_server(answer) as (url, _seen), pytest.raises(error_class) as error:
        discover_namespace(url, timeout=3)
    assert words in str(error.value)


def test_discovery_never_expands_entities_and_is_fast():
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    payload = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "lol">{laughs}]>'
        f'<definitions targetNamespace="{NAMESPACE}">&l9;</definitions>'
    ).encode()
    external = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<definitions targetNamespace="{NAMESPACE}">&x;</definitions>'
    ).encode()
    for body in (payload, external):
        with static_server(fixed(200, "text/xml", body)) as (url, _seen):
            started = time.monotonic()
            with pytest.raises(DiscoveryFailed) as error:
                discover_namespace(url, timeout=3)
        assert time.monotonic() - started < 2
        assert "unsafe XML" in str(error.value) and "lol" not in str(error.value) + error.value.detail


def test_discovery_of_a_server_that_is_down_or_slow_fails_fast():
    started = time.monotonic()
    with pytest.raises(CannotReachServer) as error:
        discover_namespace(f"http://127.0.0.1:{_closed_port()}/NotifyWS/PhoneNotify.asmx", timeout=2)
    assert "refused the connection" in str(error.value) and time.monotonic() - started < 2

    def slow(*_args):
        time.sleep(1.5)
        return 200, "text/xml", b"<x/>"

    with static_server(slow) as (url, _seen):
        started = time.monotonic()
        with pytest.raises(TimedOut):
            discover_namespace(url, timeout=0.3)
        assert time.monotonic() - started < 1.2


def test_discovery_uses_a_given_session_and_leaves_it_open(sandbox):
    import requests

    with requests.Session() as session:
        assert discover_namespace(sandbox.url, session=session) == NAMESPACE
        assert discover_namespace(sandbox.url, session=session) == NAMESPACE
        assert session.adapters  # still usable: the caller owns it


# -- the client in either namespace -------------------------------------------------------------


def test_bundled_wsdl_is_parsed_once_per_namespace():
    esendex, cdyne = load_wsdl(namespace=NAMESPACE), load_wsdl(namespace=LEGACY_NAMESPACE)
    assert esendex is load_wsdl() and cdyne is load_wsdl(namespace=LEGACY_NAMESPACE) and esendex is not cdyne
    operation = cdyne.bindings[f"{{{LEGACY_NAMESPACE}}}PhoneNotifySoap"]._operations["CancelNotifyByReferenceID"]
    assert operation.soapaction == f"{LEGACY_NAMESPACE}CancelNotifyByReferenceID"
    with pytest.raises(ValueError):
        load_wsdl(namespace="urn:other")


def test_a_client_speaks_the_namespace_it_is_given(clock):
    with Sandbox(clock=clock, namespace="both") as sandbox:  # lenient: either namespace, answered in kind
        client = PhoneNotifyClient(sandbox.url, namespace=LEGACY_NAMESPACE, timeout=5)
        assert client.namespace == LEGACY_NAMESPACE
        before = sandbox.requests_served
        assert "sandbox" in client.get_version()
        assert client.namespace == LEGACY_NAMESPACE and sandbox.requests_served - before == 1
        client.close()


def test_a_cdyne_client_falls_back_to_a_strict_esendex_sandbox(sandbox):
    client = PhoneNotifyClient(sandbox.url, namespace=LEGACY_NAMESPACE, timeout=5)
    assert "sandbox" in client.get_version()
    assert client.namespace == NAMESPACE
    client.close()


def _asmx(accepted_namespace: str) -> Responder:
    """An ASMX-like server that knows only one namespace: other SOAPActions get its fault."""

    def respond(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        action = headers.get("soapaction", "").strip('"')
        soap = "http://schemas.xmlsoap.org/soap/envelope/"
        if not action.startswith(accepted_namespace):
            fault = (
                f'<soap:Envelope xmlns:soap="{soap}"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode>'
                f"<faultstring>System.Web.Services.Protocols.SoapException: Server did not recognize the value "
                f"of HTTP Header SOAPAction: {action}.</faultstring><detail /></soap:Fault></soap:Body></soap:Envelope>"
            )
            return 500, "text/xml; charset=utf-8", fault.encode()
        answer = (
            f'<soap:Envelope xmlns:soap="{soap}"><soap:Body><GetVersionResponse xmlns="{accepted_namespace}">'
            "<GetVersionResult>4.3 (test)</GetVersionResult></GetVersionResponse></soap:Body></soap:Envelope>"
        )
        return 200, "text/xml; charset=utf-8", answer.encode()

    return respond


def test_soapaction_fault_switches_namespace_once_and_the_client_keeps_it():
    with static_server(_asmx(LEGACY_NAMESPACE)) as (url, seen):
        client = PhoneNotifyClient(url, timeout=5)
        assert client.get_version() == "4.3 (test)"
        assert [line.split(" ", 2)[2] for line in seen] == [
            f'"{NAMESPACE}GetVersion"',
            f'"{LEGACY_NAMESPACE}GetVersion"',
        ]
        assert client.namespace == LEGACY_NAMESPACE
        assert client.get_version() == "4.3 (test)" and len(seen) == 3
        client.close()


def test_a_server_that_knows_neither_namespace_gets_exactly_two_tries():
    with static_server(_asmx("urn:nobody/")) as (url, seen):
        client = PhoneNotifyClient(url, timeout=5)
        with pytest.raises(SoapFault) as error:
            client.get_version()
        assert len(seen) == 2 and "did not recognize" in str(error.value)
        client.close()


def test_other_soap_faults_are_not_retried(sandbox):
    client = PhoneNotifyClient(sandbox.url, timeout=5)
    sandbox.faults.inject("soap_fault")
    before = sandbox.requests_served
    with pytest.raises(SoapFault):
        client.get_version()
    assert sandbox.requests_served - before == 1 and client.namespace == NAMESPACE
    client.close()


# -- the cache ----------------------------------------------------------------------------------


def test_cache_round_trip_and_normalised_endpoints(tmp_path):
    cache = NamespaceCache(tmp_path / "state" / "namespaces.json")
    assert cache.get("https://ws.esendex.us/NotifyWS/PhoneNotify.asmx") is None
    cache.put("https://ws.esendex.us/NotifyWS/PhoneNotify.asmx", LEGACY_NAMESPACE)
    assert cache.get("https://WS.esendex.us/notifyws/phonenotify.asmx/") == LEGACY_NAMESPACE
    cache.put("http://127.0.0.1:8080/NotifyWS/PhoneNotify.asmx", NAMESPACE)
    again = NamespaceCache(tmp_path / "state" / "namespaces.json")
    assert again.get("http://127.0.0.1:8080/NotifyWS/PhoneNotify.asmx") == NAMESPACE
    assert again.get("https://ws.esendex.us/NotifyWS/PhoneNotify.asmx") == LEGACY_NAMESPACE
    assert [p.name for p in (tmp_path / "state").iterdir()] == ["namespaces.json"]  # no temporary files left
    with pytest.raises(ValueError):
        cache.put("https://ws.esendex.us/NotifyWS/PhoneNotify.asmx", "urn:other")


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[1, 2]", b'{"endpoints": 5}', b"\xff\xfe\x00", json.dumps({"endpoints": {"a": "urn:x"}}).encode()],
)
def test_a_corrupt_cache_is_ignored_with_a_log_line_and_then_rewritten(tmp_path, caplog, content):
    path = tmp_path / "namespaces.json"
    path.write_bytes(content)
    cache = NamespaceCache(path)
    with caplog.at_level(logging.WARNING, logger="desktop_app.storage.namespaces"):
        assert cache.get("a") is None
    if b"urn:x" not in content:
        assert "namespace cache" in caplog.text
    cache.put("a", NAMESPACE)
    assert cache.get("a") == NAMESPACE and json.loads(path.read_text())["endpoints"] == {"a": NAMESPACE}
