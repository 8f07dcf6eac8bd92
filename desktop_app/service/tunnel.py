"""The connection itself: the proxy's CONNECT tunnel, the TLS handshake, and what each says when it
fails, so that failures.py can tell the causes apart and say whether anything was sent.

urllib3's own tunnel throws the proxy's answer away (only "Tunnel connection failed: 407" is left)
and reports a proxy that never answers the CONNECT, or a server that never finishes the TLS
handshake, as a *read* timeout, which reads as "the request may have been sent". Here:

- `TunnelRefused` carries the proxy's status line and the sign-in schemes it asked for;
- `ProxySilent` is a proxy that accepted the connection and never answered the CONNECT;
- `HandshakeSilent` is a server (or inspecting proxy) that never finished the TLS handshake;
- `UntrustedCertificate` names the issuer and subject of the certificate that was refused.

All four happen before a byte of the request is written: nothing was sent. They are OSErrors (or an
SSL error), so urllib3 and requests wrap them as usual; failures.py finds them in the chain.

Connecting, the proxy's answer and the TLS handshake share the connect timeout (about 10 s), which
is apart from the read timeout for the service's answer.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import re
import socket
import ssl
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
import requests.adapters
import urllib3.connection
import urllib3.connectionpool
import urllib3.util

from .tls import CertificateNames, certificate_names

log = logging.getLogger(__name__)

MAX_PROXY_ANSWER_BYTES = 64 * 1024
_SCHEME_NAMES = {"basic": "Basic", "ntlm": "NTLM", "negotiate": "Negotiate", "digest": "Digest", "kerberos": "Kerberos"}
_STATUS = re.compile(r"^HTTP/\d(?:\.\d)?\s+(\d{3})\s*(.*)$")


# -- what the connection reports ------------------------------------------------------------------


class TunnelRefused(OSError):
    """The proxy answered the CONNECT (or a forwarded request) with something other than 200."""

    def __init__(
        self,
        proxy: str,
        status: int,
        status_line: str,
        challenges: tuple[str, ...] = (),
        signed_in_with: str = "",
    ) -> None:
        super().__init__(f"proxy {proxy} answered: {status_line}")
        self.proxy = proxy  # host:port, never a password
        self.status = status
        self.status_line = status_line
        self.challenges = challenges  # the Proxy-Authenticate headers: 'Basic realm="corp"', 'NTLM', ...
        self.signed_in_with = signed_in_with  # the scheme we signed in with ("" when we sent none)

    @property
    def schemes(self) -> tuple[str, ...]:
        names = (c.split(None, 1)[0] for c in self.challenges if c.strip())
        return tuple(dict.fromkeys(_SCHEME_NAMES.get(n.lower(), n) for n in names))

    @property
    def realm(self) -> str:
        for challenge in self.challenges:
            match = re.search(r'realm="([^"]*)"', challenge, re.IGNORECASE)
            if match:
                return match.group(1)
        return ""


class ProxySilent(OSError):
    """The proxy accepted the connection but did not answer the CONNECT in time (or hung up)."""

    def __init__(self, proxy: str, seconds: float, closed: bool = False) -> None:
        what = "closed the connection without answering" if closed else f"did not answer within {seconds:g} s"
        super().__init__(f"proxy {proxy} {what} (CONNECT)")
        self.proxy = proxy
        self.seconds = seconds
        self.closed = closed


class HandshakeSilent(OSError):
    """The secure connection was not set up in time: the server (or a proxy in between) accepted
    the connection and never finished the TLS handshake."""

    def __init__(self, host: str, seconds: float, proxy: str = "") -> None:
        via = f" through proxy {proxy}" if proxy else ""
        super().__init__(f"TLS handshake with {host}{via} did not finish within {seconds:g} s")
        self.host = host
        self.seconds = seconds
        self.proxy = proxy


class HandshakeBroken(OSError):
    """The connection closed (or failed) while the secure connection was being set up: before the
    request was written."""

    def __init__(self, host: str, reason: str, proxy: str = "") -> None:
        via = f" through proxy {proxy}" if proxy else ""
        super().__init__(f"TLS handshake with {host}{via} failed: {reason}")
        self.host = host
        self.proxy = proxy


class UntrustedCertificate(ssl.SSLCertVerificationError):
    """The server's certificate did not verify; names what was presented."""

    def __init__(self, error: ssl.SSLCertVerificationError, host: str, names: CertificateNames | None, proxy: str):
        super().__init__(*error.args)
        self.verify_message = str(getattr(error, "verify_message", "") or error.reason or error)
        self.host = host
        self.names = names
        self.proxy = proxy


class SocksNotSupported(ValueError):
    """The proxy setting (or the PAC file) names a SOCKS proxy; the app has no SOCKS support."""

    def __init__(self, proxy: str, source: str) -> None:
        super().__init__(f"SOCKS proxy {proxy} ({source})")
        self.proxy = proxy
        self.source = source


# -- signing in to a proxy --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProxySignIn:
    """How to sign in to the proxy: Basic with a user name and password (held in memory only while
    a session uses it; the password never appears in a repr), and/or the user's own Windows
    sign-in (Negotiate, NTLM) where the platform allows it."""

    username: str = ""
    password: str = field(default="", repr=False)
    windows: bool = False

    @property
    def basic(self) -> bool:
        return bool(self.username and self.password)

    def basic_header(self) -> str:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"


def windows_sign_in_available() -> bool:
    """Negotiate/NTLM with the user's own sign-in: Windows only, with pyspnego (SSPI)."""
    if sys.platform != "win32":
        return False
    try:
        import spnego  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        return False
    return True


# -- the CONNECT exchange -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProxyAnswer:
    status: int
    status_line: str
    headers: tuple[tuple[str, str], ...]
    keep_alive: bool

    def values(self, name: str) -> tuple[str, ...]:
        return tuple(v for k, v in self.headers if k.lower() == name.lower())


def connect_exchange(sock: socket.socket, proxy: str, target: str, headers: Mapping[str, str]) -> ProxyAnswer:
    """Send one CONNECT on `sock` and read the proxy's answer (status line, headers and a short
    body, so that the connection can carry the next leg of a sign-in). Raises ProxySilent."""
    lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}", "Proxy-Connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    seconds = sock.gettimeout() or 0.0
    try:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        reader = sock.makefile("rb", buffering=0)
        try:
            return _read_answer(reader, proxy, seconds)
        finally:
            reader.close()
    except TimeoutError:
        raise ProxySilent(proxy, seconds) from None
    except (ConnectionResetError, BrokenPipeError):
        raise ProxySilent(proxy, seconds, closed=True) from None


def _read_answer(reader: Any, proxy: str, seconds: float) -> ProxyAnswer:
    status_line = reader.readline(8192).decode("latin-1").strip()
    if not status_line:
        raise ProxySilent(proxy, seconds, closed=True)
    match = _STATUS.match(status_line)
    if match is None:
        raise TunnelRefused(proxy, 0, status_line[:200])
    headers: list[tuple[str, str]] = []
    read = len(status_line)
    while True:
        line = reader.readline(8192)
        read += len(line)
        if line in (b"\r\n", b"\n", b"") or read > MAX_PROXY_ANSWER_BYTES:
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
    answer = ProxyAnswer(int(match.group(1)), status_line[:200], tuple(headers), keep_alive=True)
    if answer.status != 200:
        answer = _skip_body(reader, answer)
    return answer


def _skip_body(reader: Any, answer: ProxyAnswer) -> ProxyAnswer:
    """Read a refusal's body, so that the next leg of a sign-in can use the same connection."""
    connection = " ".join(answer.values("Connection") + answer.values("Proxy-Connection")).lower()
    try:
        length = int((answer.values("Content-Length") or ("",))[0])
    except ValueError:
        length = -1
    if "close" in connection or not 0 <= length <= MAX_PROXY_ANSWER_BYTES:
        return ProxyAnswer(answer.status, answer.status_line, answer.headers, keep_alive=False)
    while length > 0:
        chunk = reader.read(length)
        if not chunk:
            return ProxyAnswer(answer.status, answer.status_line, answer.headers, keep_alive=False)
        length -= len(chunk)
    return answer


def _windows_legs(
    sock: socket.socket, proxy_host: str, proxy: str, target: str, headers: dict[str, str], first: ProxyAnswer
) -> tuple[ProxyAnswer, str]:
    """Negotiate or NTLM with the user's own Windows sign-in (SSPI through pyspnego), on the same
    connection as the first 407. Returns the last answer and the scheme used ("" if none fits)."""
    import spnego  # type: ignore[import-not-found,unused-ignore]  # Windows only (pyspnego)

    offered = {c.split(None, 1)[0].lower(): c for c in first.values("Proxy-Authenticate")}
    scheme = next((s for s in ("negotiate", "ntlm") if s in offered), "")
    if not scheme or not first.keep_alive:
        return first, ""
    context = spnego.client(hostname=proxy_host, service="HTTP", protocol=scheme)
    label = "Negotiate" if scheme == "negotiate" else "NTLM"
    token = context.step()
    answer = first
    for _leg in range(3):
        if not token:
            break
        leg_headers = {**headers, "Proxy-Authorization": f"{label} {base64.b64encode(token).decode('ascii')}"}
        answer = connect_exchange(sock, proxy, target, leg_headers)
        if answer.status != 407 or not answer.keep_alive:
            break
        challenge = next((v for v in answer.values("Proxy-Authenticate") if v.lower().startswith(scheme)), "")
        parts = challenge.split(None, 1)
        if len(parts) < 2:
            break
        token = context.step(base64.b64decode(parts[1]))
    return answer, label


# -- urllib3's connection, pools and requests' adapter ---------------------------------------------


class _TLSConnection(urllib3.connection.HTTPSConnection):
    """urllib3's HTTPS connection with the tunnel and the failures above. `sign_in` is set on the
    per-session subclass that the adapter makes."""

    sign_in: ProxySignIn | None = None

    def _tunnel(self) -> None:
        proxy = f"{self.host}:{self.port}"
        target = f"{self._tunnel_host}:{self._tunnel_port}"
        headers = dict(getattr(self, "_tunnel_headers", {}) or {})
        sent = "Basic" if "Proxy-Authorization" in headers else ""
        answer = connect_exchange(self._socket(), proxy, target, headers)
        sign_in = self.sign_in
        if answer.status == 407 and sign_in is not None and sign_in.windows and windows_sign_in_available():
            answer, scheme = _windows_legs(self._socket(), self.host, proxy, target, headers, answer)
            sent = scheme or sent
        if answer.status != 200:
            self.close()
            raise TunnelRefused(proxy, answer.status, answer.status_line, answer.values("Proxy-Authenticate"), sent)

    def _socket(self) -> socket.socket:
        sock = self.sock
        if sock is None:
            raise OSError("the connection to the proxy was closed")
        return sock  # a plain socket until the TLS wrap

    def connect(self) -> None:
        tunnelling = self._tunnel_host is not None
        host = str(self._tunnel_host if tunnelling else self.host)
        port = int(self._tunnel_port if tunnelling and self._tunnel_port else self.port or 443)
        proxy = f"{self.host}:{self.port}" if tunnelling else ""
        headers = dict(getattr(self, "_tunnel_headers", {}) or {}) if tunnelling else {}
        seconds = self.timeout if isinstance(self.timeout, int | float) else 0.0
        try:
            super().connect()
        except ssl.SSLCertVerificationError as error:
            self.close()  # a connection that failed half-way must not leave its socket open
            names = self._presented(host, port, proxy, headers, seconds)
            raise UntrustedCertificate(error, host, names, proxy) from error
        except TimeoutError as error:  # builtin: the CONNECT answer or the handshake; not urllib3's connect timeout
            self.close()
            raise HandshakeSilent(host, seconds, proxy) from error
        except (TunnelRefused, ProxySilent, ssl.SSLError):
            self.close()
            raise
        except OSError as error:  # reset or closed mid-handshake (urllib3's own connect errors are no OSErrors)
            self.close()
            raise HandshakeBroken(host, f"{type(error).__name__}: {error}"[:200], proxy) from error

    def _presented(
        self, host: str, port: int, proxy: str, headers: dict[str, str], seconds: float
    ) -> CertificateNames | None:
        """The certificate the server (or an inspecting proxy) presents, read on a connection of
        its own without verifying it, only to name its issuer. Sends nothing but a handshake."""
        try:
            address = (self._dns_host, self.port) if proxy else (host, port)
            with socket.create_connection(address, timeout=seconds or 10) as raw:
                if proxy:
                    answer = connect_exchange(raw, proxy, f"{host}:{port}", headers)
                    if answer.status != 200:
                        return None
                der = _unverified_certificate(raw, host)
            return certificate_names(der) if der else None
        except Exception as error:  # only a name for the message: never let it hide the real failure
            log.info("could not read the refused certificate's names: %s", type(error).__name__)
            return None


def _unverified_certificate(raw: socket.socket, host: str) -> bytes | None:
    """The certificate presented in a TLS handshake over `raw`, unverified. The handshake runs over
    memory buffers, not an `ssl.SSLSocket`: when the peer resets the connection before the
    handshake, `wrap_socket` raises after taking over the socket and leaves it open (seen
    intermittently in tests/test_fault_matrix.py); here the caller's `raw` is all there is to close."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname=host)
    while True:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            raw.sendall(outgoing.read())
            received = raw.recv(65536)
            if not received:
                return None  # closed before the handshake finished
            incoming.write(received)
    raw.sendall(outgoing.read())  # the handshake's last message, so the server is not left waiting
    return tls.getpeercert(binary_form=True)


class _HTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _TLSConnection


class NetworkAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter with the trust context (the OS store plus any company root), the proxy's
    Basic sign-in held in memory, and the connection above. No proxy with a password in its URL
    is ever made: the sign-in travels only as the Proxy-Authorization header of the CONNECT."""

    def __init__(self, context: ssl.SSLContext, sign_in: ProxySignIn | None = None) -> None:
        self._context = context
        self._sign_in = sign_in
        connection = type("_SessionTLSConnection", (_TLSConnection,), {"sign_in": sign_in})
        self._pools = {
            "http": urllib3.connectionpool.HTTPConnectionPool,
            "https": type("_SessionHTTPSPool", (_HTTPSPool,), {"ConnectionCls": connection}),
        }
        super().__init__()

    @property
    def sign_in(self) -> ProxySignIn | None:
        return self._sign_in

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, ssl_context=self._context, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pools

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        fresh = proxy not in self.proxy_manager
        manager = super().proxy_manager_for(
            proxy, ssl_context=self._context, proxy_ssl_context=self._context, **proxy_kwargs
        )
        if fresh:
            manager.pool_classes_by_scheme = self._pools
        return manager

    def proxy_headers(self, proxy: str) -> dict[str, str]:
        sign_in = self._sign_in
        return {"Proxy-Authorization": sign_in.basic_header()} if sign_in is not None and sign_in.basic else {}

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        """Always verify, with the trust context alone: requests would load certifi's bundle into
        it (replacing nothing, but trusting roots the operating system may have removed)."""
        conn.cert_reqs = "CERT_REQUIRED"
        conn.ca_certs = None
        conn.ca_cert_dir = None


def forwarded_refusal(response: requests.Response, url: str, session: requests.Session) -> TunnelRefused | None:
    """A plain-http request forwarded by a proxy that answered 407 itself (https goes through the
    tunnel instead): the same error as a refused CONNECT. None for any other answer."""
    proxy_url = session.proxies.get("http", "") if url.lower().startswith("http:") else ""
    if not proxy_url or response.status_code != 407:
        return None
    parts = urllib3.util.parse_url(proxy_url)
    proxy = f"{parts.host}:{parts.port or 80}"
    line = f"HTTP/1.1 {response.status_code} {response.reason or ''}".strip()
    challenges = tuple(v.strip() for v in str(response.headers.get("Proxy-Authenticate", "")).split(",") if v.strip())
    adapter = session.get_adapter(url)
    sign_in = adapter.sign_in if isinstance(adapter, NetworkAdapter) else None
    with contextlib.suppress(Exception):
        response.close()
    return TunnelRefused(proxy, 407, line, challenges, "Basic" if sign_in is not None and sign_in.basic else "")
