"""A company network built on loopback, and the service layer against it (issue 21).

Components, all started by the tests on 127.0.0.1, pure Python (no apt package, no mock of
requests): `ForwardProxy` (CONNECT and plain-http forwarding; optionally Basic sign-in, another
scheme's challenge, a blocked port, never answering, or TLS inspection with its own root),
`SilentListener` (accepts and never answers), `PacServer` (serves a PAC file), and certificates:
the conftest's test root for the HTTPS sandbox, and "ACME Corp Root CA" for the inspecting proxy.

Every case checks the plain message, that nothing was sent (no "Outcome unknown", the sandbox saw
no operation), the details for IT and how long it took.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import select
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from desktop_app.service import CannotReachServer, PhoneNotifyClient, ServiceError, TimedOut, new_call_request
from desktop_app.service.errors import (
    CertificateFileProblem,
    CertificateNotTrusted,
    ProxyBlocked,
    ProxyNoAnswer,
    ProxyNotSupported,
    ProxySignInNeeded,
    ProxySignInRefused,
    ProxyUnreachable,
)
from desktop_app.service.network import CONNECT_TIMEOUT_SECONDS, Network, NetworkSettings
from desktop_app.service.proxies import ProxySetup
from desktop_app.service.reference_data import CDYNE_NAMESPACE, NAMESPACE
from tests.conftest import KEY_A, SANDBOX_NAMESPACE
from tests.support import self_signed_root

SANDBOX_NAMESPACE_URI = CDYNE_NAMESPACE if SANDBOX_NAMESPACE == "cdyne" else NAMESPACE

ROOT = Path(__file__).resolve().parent.parent
PROXY_USER, PROXY_PASSWORD = "jdoe", "Pr0xy-S3cret-Pa55!"
ACME = "ACME Corp Root CA"
SHORT_CONNECT = 2.0  # the tests' connect timeout (the app's is CONNECT_TIMEOUT_SECONDS)


# -- certificates -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Authority:
    """A root that issues itself a certificate for 127.0.0.1 (as the conftest's test root does)."""

    name: str
    cert_pem: Path
    key_pem: Path
    cert_der: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_pem, self.key_pem)
        return context


def make_authority(folder: Path, name: str) -> Authority:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    subject = [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ACME Corp"),
        x509.NameAttribute(NameOID.COMMON_NAME, name),
    ]
    pem, der, key_file = self_signed_root(subject, folder, "acme")
    return Authority(name, pem, key_file, der)


@pytest.fixture(scope="session")
def acme(tmp_path_factory) -> Authority:
    return make_authority(tmp_path_factory.mktemp("acme"), ACME)


# -- the components ---------------------------------------------------------------------------------


def relay(a: socket.socket, b: socket.socket, seconds: float = 600) -> None:
    """Copy bytes both ways on one thread (TLS sockets must not be read and written from two).
    A TLS socket is drained after each read: OpenSSL may hold a whole further record that neither
    select() nor pending() reports."""
    deadline = time.monotonic() + seconds
    pair = {a: b, b: a}
    while time.monotonic() < deadline:
        ready, _, _ = select.select(list(pair), [], [], 0.5)
        for sock in ready:
            data = _read_all(sock)
            if data is None:
                continue
            if not data:
                return
            pair[sock].sendall(data)


def _read_all(sock: socket.socket) -> bytes | None:
    """What can be read now: None when nothing yet, b"" when the peer closed or failed."""
    try:
        data = sock.recv(65536)
    except (ssl.SSLWantReadError, BlockingIOError):
        return None
    except OSError:
        return b""
    if not data or not isinstance(sock, ssl.SSLSocket):
        return data
    timeout = sock.gettimeout()
    sock.settimeout(0)
    try:
        while True:
            more = sock.recv(65536)
            if not more:
                break
            data += more
    except (ssl.SSLWantReadError, BlockingIOError, OSError):
        pass
    finally:
        sock.settimeout(timeout)
    return data


@dataclass
class ForwardProxy:
    """A forward proxy on 127.0.0.1. `connections` counts every TCP connection it accepted."""

    basic: tuple[str, str] | None = None  # require this user name and password
    challenge: str = 'Basic realm="ACME proxy"'  # what a 407 asks for
    blocked_ports: frozenset[int] = frozenset()  # CONNECT to these gets 403
    silent: bool = False  # accept, read the CONNECT, never answer
    inspect: Authority | None = None  # terminate TLS with this root's certificate, then re-encrypt
    upstream_ca: Path | None = None  # what the inspecting proxy trusts upstream
    drop_after_request: bool = False  # inspecting: read the request, then hang up without an answer
    connections: int = 0
    targets: list[str] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        for sock in self._held:
            with contextlib.suppress(OSError):
                sock.close()
        self._thread.join(5)

    def _serve(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _read_head(self, client: socket.socket) -> tuple[str, dict[str, str], bytes]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = client.recv(4096)
            if not chunk:
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return lines[0], headers, rest

    def _handle(self, client: socket.socket) -> None:
        client.settimeout(30)
        try:
            while True:  # a 407 keeps the connection for the next attempt
                request_line, headers, rest = self._read_head(client)
                if not request_line:
                    return
                if self.silent:
                    self._held.append(client)
                    return  # never answer; closed when the proxy stops
                if not self._answer(client, request_line, headers, rest):
                    return
        except OSError:
            return
        finally:
            if client not in self._held:
                client.close()

    def _refuse(self, client: socket.socket, status: str, extra: str = "") -> None:
        body = f"<html><body>{status}</body></html>".encode()
        client.sendall(
            f"HTTP/1.1 {status}\r\n{extra}Content-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )

    def _answer(self, client: socket.socket, request_line: str, headers: dict[str, str], rest: bytes) -> bool:
        """Answer one request; True to read another on the same connection."""
        method, target, _version = request_line.split(" ", 2)
        self.targets.append(f"{method} {target}")
        authorization = headers.get("proxy-authorization", "")
        if authorization:
            self.authorizations.append(authorization)
        if self.basic is not None:
            expected = "Basic " + base64.b64encode(f"{self.basic[0]}:{self.basic[1]}".encode()).decode()
            if authorization != expected:
                self._refuse(client, "407 Proxy Authentication Required", f"Proxy-Authenticate: {self.challenge}\r\n")
                return True
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            if int(port) in self.blocked_ports:
                self._refuse(client, "403 Forbidden")
                return False
            self._tunnel(client, host, int(port))
            return False
        self._forward(client, request_line, headers, rest)
        return False

    def _tunnel(self, client: socket.socket, host: str, port: int) -> None:
        upstream = socket.create_connection((host, port), timeout=10)
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        if self.inspect is None:
            relay(client, upstream)
            upstream.close()
            return
        try:
            inner = self.inspect.server_context().wrap_socket(client, server_side=True)
        except (ssl.SSLError, OSError):  # the client refused our certificate: that is the test
            upstream.close()
            return
        with inner:
            if self.drop_after_request:
                inner.recv(65536)
                upstream.close()
                return
            outward = ssl.create_default_context(cafile=str(self.upstream_ca) if self.upstream_ca else None)
            with outward.wrap_socket(upstream, server_hostname=host) as secure:
                relay(inner, secure)

    def _forward(self, client: socket.socket, request_line: str, headers: dict[str, str], rest: bytes) -> None:
        from urllib.parse import urlsplit

        method, target, version = request_line.split(" ", 2)
        parts = urlsplit(target)
        upstream = socket.create_connection((parts.hostname, parts.port or 80), timeout=10)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        kept = "".join(
            f"{name}: {value}\r\n"
            for name, value in headers.items()
            if name not in ("proxy-authorization", "proxy-connection", "connection")
        )
        upstream.sendall(f"{method} {path} {version}\r\n{kept}Connection: close\r\n\r\n".encode("latin-1") + rest)
        relay(client, upstream)
        upstream.close()


@contextlib.contextmanager
def running(proxy: ForwardProxy) -> Iterator[ForwardProxy]:
    try:
        yield proxy
    finally:
        proxy.close()


class SilentListener:
    """Accepts connections and never says a word."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(sock)

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        for sock in self._held:
            sock.close()
        self._thread.join(5)


class PacServer:
    """Serves one PAC file over http on loopback."""

    def __init__(self, script: str) -> None:
        body = script.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ns-proxy-autoconfig")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/proxy.pac"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    with running(ForwardProxy()) as server:
        yield server


@pytest.fixture
def no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def network(
    proxy: str = "", pac: str = "", ca_file: str = "", user: str = "", password: str = "", use_system: bool = True
) -> Network:
    settings = NetworkSettings(
        ca_file=ca_file,
        proxy=ProxySetup(use_system_proxy=use_system, proxy=proxy, pac_url=pac),
        proxy_username=user,
        connect_timeout=SHORT_CONNECT,
    )
    return Network(settings, (lambda _proxy, _user: password) if password else None)


def call(url: str, net: Network, kind: str = "cancel", timeout: float = 30) -> tuple[object, float]:
    """One request of `kind` through `net`: (the result or the ServiceError, seconds). The client
    speaks the sandbox's namespace from the start: these tests are about the way there, and the
    namespace fallback's second request is not what they measure."""
    client = PhoneNotifyClient(url, timeout=timeout, network=net, namespace=SANDBOX_NAMESPACE_URI)
    started = time.monotonic()
    try:
        if kind == "schedule":
            request = new_call_request(
                phone_number="757-555-1230",
                text_to_say="Company network check.",
                scheduled=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
                reference_id="corp-net",
            )
            result: object = client.schedule_call(KEY_A, request)
        else:
            result = client.cancel_by_reference_id(KEY_A, "corp-net").cancelled
    except ServiceError as error:
        result = error
    finally:
        client.close()
    return result, time.monotonic() - started


def nothing_sent(error: object, sandbox) -> None:
    assert isinstance(error, ServiceError), error
    assert not error.outcome_unknown and "Outcome unknown" not in str(error)
    assert "nothing was sent" in str(error)
    assert sum(sandbox.operations.values()) == 0


# -- certificates ----------------------------------------------------------------------------------


CHECK = textwrap.dedent(
    """
    import sys
    from desktop_app.service import PhoneNotifyClient, ServiceError
    from desktop_app.service.network import Network, NetworkSettings
    from desktop_app.service.proxies import ProxySetup
    urls, ca_file, pac = sys.argv[1].split(","), sys.argv[2], sys.argv[3]
    net = Network(NetworkSettings(ca_file=ca_file, proxy=ProxySetup(use_system_proxy=False, pac_url=pac)))
    for url in urls:
        try:
            PhoneNotifyClient(url, timeout=10, network=net).cancel_by_reference_id("{key}", "os-store")
            print("ok")
        except ServiceError as error:
            print(type(error).__name__, error)
    """
).replace("{key}", KEY_A)


def test_the_os_trust_store_is_used(tls_sandbox, certificate):
    """No certificate file: the root comes from the OS store (on Linux, OpenSSL's default paths,
    here SSL_CERT_FILE). In a fresh process: OpenSSL adds what it loads to a context for good."""
    args = [tls_sandbox.url, "", ""]
    trusted = subprocess.run(
        [sys.executable, "-c", CHECK, *args], capture_output=True, text=True, timeout=60, env=_env(certificate[0])
    )
    assert trusted.stdout.strip() == "ok", trusted.stdout + trusted.stderr
    control = subprocess.run(
        [sys.executable, "-c", CHECK, *args], capture_output=True, text=True, timeout=60, env=_env(None)
    )
    assert control.stdout.startswith("CertificateNotTrusted"), control.stdout + control.stderr
    assert "issued by Voice Broadcast Desk test CA" in control.stdout


def _env(cert_file: Path | None) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_DIR", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")}
    env["PYTHONPATH"] = str(ROOT)
    if cert_file is not None:
        env["SSL_CERT_FILE"] = str(cert_file)
    return env


def test_a_company_root_adds_to_the_os_roots_in_one_session(tls_sandbox, certificate, acme, tmp_path):
    """One set of settings, one process: the inspecting proxy's ACME root from the certificate
    file, and the OS store's roots (the test root, through SSL_CERT_FILE) for a direct request."""
    with running(ForwardProxy(inspect=acme, upstream_ca=certificate[0])) as inspecting:
        pac = tmp_path / "route.pac"
        pac.write_text(
            'function FindProxyForURL(url, host) { if (url.indexOf("/Inspected/") >= 0) '
            f'return "PROXY {inspecting.address}"; return "DIRECT"; }}'
        )
        through = tls_sandbox.url.replace("/NotifyWS/", "/Inspected/../NotifyWS/")
        result = subprocess.run(
            [sys.executable, "-c", CHECK, f"{through},{tls_sandbox.url}", str(acme.cert_der), str(pac)],
            capture_output=True,
            text=True,
            timeout=60,
            env=_env(certificate[0]),
        )
        assert result.stdout.split() == ["ok", "ok"], result.stdout + result.stderr
        assert inspecting.connections == 1 and inspecting.targets == [f"CONNECT 127.0.0.1:{tls_sandbox.port}"]


def test_a_der_file_and_a_pem_bundle_are_accepted(tls_sandbox, certificate, acme, tmp_path):
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(certificate[0].read_bytes() + acme.cert_pem.read_bytes())
    with running(ForwardProxy(inspect=acme, upstream_ca=certificate[0])) as inspecting:
        for ca_file in (acme.cert_der, bundle):
            result, _ = call(tls_sandbox.url, network(proxy=inspecting.url, ca_file=str(ca_file)))
            assert result == 0, result
    assert tls_sandbox.operations["CancelNotifyByReferenceID"] == 2


def test_a_missing_or_unreadable_certificate_file_is_named_in_plain_words(tls_sandbox, tmp_path):
    from desktop_app.desk import describe_error

    missing = tmp_path / "acme.cer"
    result, _ = call(tls_sandbox.url, network(ca_file=str(missing)))
    assert isinstance(result, CertificateFileProblem)
    assert str(result).startswith(f"The certificate file {missing} could not be read: there is no such file")
    title, message = describe_error(result)
    assert title == "The certificate file could not be read" and "Something went wrong" not in title + message
    assert "nothing was sent" in message.lower() or "Nothing was sent" in message
    junk = tmp_path / "junk.cer"
    junk.write_text("not a certificate")
    result, _ = call(tls_sandbox.url, network(ca_file=str(junk)))
    assert isinstance(result, CertificateFileProblem) and "holds no certificate" in str(result)
    assert sum(tls_sandbox.operations.values()) == 0


def test_the_certificate_file_is_checked_when_the_settings_are_read(tmp_path):
    import json

    from desktop_app.storage.settings import Settings

    missing = tmp_path / "acme.cer"
    user = tmp_path / "user.json"
    user.write_text(json.dumps({"ca_bundle": str(missing)}))
    assert Settings.load(user).certificate_problem.startswith(f"The certificate file {missing} could not be read")
    site = tmp_path / "site.json"
    site.write_text(json.dumps({"ca_bundle": {"value": str(missing), "locked": True}}))
    problem = Settings.load(tmp_path / "none.json", site_file=site).site_problem
    assert f"The certificate file {missing} could not be read: there is no such file" in problem


def test_an_inspecting_proxy_whose_root_is_not_trusted_is_named(tls_sandbox, certificate, acme):
    with running(ForwardProxy(inspect=acme, upstream_ca=certificate[0])) as inspecting:
        result, seconds = call(tls_sandbox.url, network(proxy=inspecting.url, ca_file=str(certificate[0])), "schedule")
    assert isinstance(result, CertificateNotTrusted)
    assert f"issued by {ACME}" in str(result) and result.issuer == ACME
    assert "certificate could not be verified" in str(result)
    assert f"CN={ACME}" in result.detail and "issuer" in result.detail and "subject" in result.detail
    nothing_sent(result, tls_sandbox)
    assert seconds < 5


# -- one message per cause -------------------------------------------------------------------------


def test_a_proxy_that_wants_a_sign_in_says_so(tls_sandbox, certificate):
    with running(ForwardProxy(basic=(PROXY_USER, PROXY_PASSWORD))) as guarded:
        result, seconds = call(tls_sandbox.url, network(proxy=guarded.url, ca_file=str(certificate[0])), "schedule")
        assert isinstance(result, ProxySignInNeeded) and not isinstance(result, ProxySignInRefused)
        assert result.can_ask and result.scheme == "Basic" and result.realm == "ACME proxy"
        assert "asks you to sign in" in str(result) and result.proxy == guarded.address
        assert "407 Proxy Authentication Required" in result.detail and 'Basic realm="ACME proxy"' in result.detail
        nothing_sent(result, tls_sandbox)
        wrong = network(proxy=guarded.url, ca_file=str(certificate[0]), user=PROXY_USER, password="wrong-one")
        refused, _ = call(tls_sandbox.url, wrong)
        assert isinstance(refused, ProxySignInRefused) and "refused the sign-in" in str(refused)
        right = network(proxy=guarded.url, ca_file=str(certificate[0]), user=PROXY_USER, password=PROXY_PASSWORD)
        assert call(tls_sandbox.url, right)[0] == 0
        assert guarded.authorizations[-1].startswith("Basic ")
    assert seconds < 5
    for error in (result, refused):
        assert PROXY_PASSWORD not in str(error) + error.detail


def test_a_scheme_the_app_cannot_do_is_named(tls_sandbox, certificate):
    with running(ForwardProxy(basic=("x", "y"), challenge="NTLM")) as ntlm:
        result, _ = call(tls_sandbox.url, network(proxy=ntlm.url, ca_file=str(certificate[0])))
    assert isinstance(result, ProxySignInNeeded) and not result.can_ask and result.scheme == "NTLM"
    assert "asks for an NTLM sign-in, which this app cannot do on this computer" in str(result)
    nothing_sent(result, tls_sandbox)


def test_a_proxy_that_blocks_the_address_says_give_it_to_it(tls_sandbox, certificate):
    with running(ForwardProxy(blocked_ports=frozenset({tls_sandbox.port}))) as blocking:
        result, seconds = call(tls_sandbox.url, network(proxy=blocking.url, ca_file=str(certificate[0])), "schedule")
    assert isinstance(result, ProxyBlocked) and "IT department" in str(result)
    assert "403 Forbidden" in result.detail
    nothing_sent(result, tls_sandbox)
    assert seconds < 5


def test_a_proxy_that_is_down_says_so(tls_sandbox, certificate):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    result, seconds = call(tls_sandbox.url, network(proxy=f"http://127.0.0.1:{closed}", ca_file=str(certificate[0])))
    assert isinstance(result, ProxyUnreachable) and "refused the connection" in str(result)
    nothing_sent(result, tls_sandbox)
    assert seconds < 5


def test_a_proxy_that_never_answers_is_given_up_on_quickly_and_nothing_was_sent(tls_sandbox, certificate):
    with running(ForwardProxy(silent=True)) as silent:
        result, seconds = call(
            tls_sandbox.url, network(proxy=silent.url, ca_file=str(certificate[0])), "schedule", timeout=30
        )
    assert isinstance(result, ProxyNoAnswer) and f"did not answer within {SHORT_CONNECT:g} s" in str(result)
    nothing_sent(result, tls_sandbox)
    assert SHORT_CONNECT - 0.2 < seconds < SHORT_CONNECT + 2  # the connect timeout, not the read timeout (30 s)


@pytest.mark.slow
def test_the_proxys_answer_has_its_own_ten_second_timeout(tls_sandbox, certificate):
    assert CONNECT_TIMEOUT_SECONDS == 10
    with running(ForwardProxy(silent=True)) as silent:
        settings = NetworkSettings(ca_file=str(certificate[0]), proxy=ProxySetup(proxy=silent.url))
        result, seconds = call(tls_sandbox.url, Network(settings), "schedule", timeout=60)
    assert isinstance(result, ProxyNoAnswer) and "did not answer within 10 s" in str(result)
    assert 9.5 < seconds < 12


def test_a_server_that_never_finishes_the_handshake_means_nothing_was_sent(tls_sandbox):
    listener = SilentListener()
    try:
        url = f"https://127.0.0.1:{listener.port}/NotifyWS/PhoneNotify.asmx"
        result, seconds = call(url, network(use_system=False), "schedule")
    finally:
        listener.close()
    assert isinstance(result, TimedOut) and "not set up within" in str(result)
    nothing_sent(result, tls_sandbox)
    assert seconds < SHORT_CONNECT + 2


def test_a_connection_lost_after_the_tunnel_and_handshake_leaves_a_schedule_unknown(tls_sandbox, certificate, acme):
    """The other side of "nothing was sent": once the request went through the tunnel, a lost
    answer is "outcome unknown" for a schedule, whatever urllib3 calls it."""
    with running(ForwardProxy(inspect=acme, drop_after_request=True)) as dropping:
        result, _ = call(tls_sandbox.url, network(proxy=dropping.url, ca_file=str(acme.cert_pem)), "schedule")
    assert isinstance(result, CannotReachServer) and result.outcome_unknown
    assert "Outcome unknown" in str(result) and "connection broke" in str(result)


def test_socks_is_refused_in_plain_words_before_anything_is_sent(tls_sandbox, monkeypatch, tmp_path):
    monkeypatch.setenv("HTTPS_PROXY", "socks5://127.0.0.1:1080")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    result, _ = call(tls_sandbox.url, network())
    assert isinstance(result, ProxyNotSupported) and "SOCKS" in str(result)
    nothing_sent(result, tls_sandbox)
    pac = tmp_path / "socks.pac"
    pac.write_text('function FindProxyForURL(url, host) { return "SOCKS 127.0.0.1:1080"; }')
    result, _ = call(tls_sandbox.url, network(pac=str(pac)))
    assert isinstance(result, ProxyNotSupported)
    from desktop_app.service.proxies import normalise_proxy

    with pytest.raises(ValueError, match="SOCKS proxies are not supported"):
        normalise_proxy("socks5://127.0.0.1:1080")


# -- proxies -----------------------------------------------------------------------------------------


def test_a_pac_file_routes_through_the_proxy_it_names_and_direct_bypasses_it(
    sandbox, proxy, no_proxy_variables, tmp_path
):
    through = PacServer(f'function FindProxyForURL(url, host) {{ return "PROXY {proxy.address}; DIRECT"; }}')
    direct = PacServer('function FindProxyForURL(url, host) { return "DIRECT"; }')
    try:
        # (A CDYNE-namespace sandbox makes the client ask twice, the second time in its namespace.)
        assert call(sandbox.url, network(pac=through.url))[0] == 0
        through_proxy = proxy.connections
        assert through_proxy >= 1 and all(t.startswith("POST http://127.0.0.1") for t in proxy.targets)
        assert call(sandbox.url, network(pac=direct.url))[0] == 0
        assert proxy.connections == through_proxy  # DIRECT: the proxy saw nothing more
        route = network(pac=through.url).route(sandbox.url)
        assert route.address == proxy.address and through.url in route.describe()
        as_file = tmp_path / "proxy.pac"
        as_file.write_text(f'function FindProxyForURL(url, host) {{ return "PROXY {proxy.address}"; }}')
        assert call(sandbox.url, network(pac=str(as_file)))[0] == 0
        assert proxy.connections > through_proxy
    finally:
        through.close()
        direct.close()
    assert sandbox.operations["CancelNotifyByReferenceID"] == 3


def test_use_system_proxy_false_keeps_every_request_away_from_the_proxy(tls_sandbox, certificate, proxy, monkeypatch):
    """Discovery included: count the proxy's connections."""
    from desktop_app.service import discover_namespace

    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    off = network(ca_file=str(certificate[0]), use_system=False)
    assert discover_namespace(tls_sandbox.url, network=off)
    assert call(tls_sandbox.url, off)[0] == 0
    assert proxy.connections == 0
    on = network(ca_file=str(certificate[0]))
    assert discover_namespace(tls_sandbox.url, network=on)
    assert call(tls_sandbox.url, on)[0] == 0
    assert proxy.connections == 2  # the control: with the system proxy on, both went through it


def test_a_proxy_password_in_a_variable_is_used_but_never_shown(tls_sandbox, certificate, monkeypatch):
    with running(ForwardProxy(basic=(PROXY_USER, PROXY_PASSWORD))) as guarded:
        monkeypatch.setenv("HTTPS_PROXY", f"http://{PROXY_USER}:{PROXY_PASSWORD}@{guarded.address}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        net = network(ca_file=str(certificate[0]))
        assert call(tls_sandbox.url, net)[0] == 0
        described = net.describe(tls_sandbox.url)
    assert PROXY_PASSWORD not in described and guarded.address in described
    assert "HTTPS_PROXY" in described


def test_every_cause_has_its_own_words():
    """The words each cause's message leads with (the matrix in the issue's closing note)."""
    classes = [ProxySignInNeeded, ProxySignInRefused, ProxyBlocked, ProxyUnreachable, ProxyNoAnswer, ProxyNotSupported]
    titles = [c.title for c in classes] + [CertificateNotTrusted.title, CertificateFileProblem.title]
    assert len(set(titles)) == len(titles)
    assert all(issubclass(c, CannotReachServer) for c in classes)
