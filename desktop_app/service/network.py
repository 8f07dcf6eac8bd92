"""One way to build a connection: every HTTP session the app opens (the client, namespace
discovery, bulk runs, the watch list, the self-test, PAC downloads) comes from a `Network`.

`NetworkSettings` is what the effective settings say (the user's settings over the site file's,
locks applied, plus the environment's proxy variables and the OS's own proxy and certificate
settings, read here). A `Network` holds what it found out while it lives: the route (PAC files are
read once), the trust context and the proxy sign-in. The app makes a new one when the settings or
the network change, so the proxy setup is read again.

Nothing here is process-wide: no environment variable is changed and no module is patched.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import requests

from .errors import CertificateFileProblem, ProxyNotSupported, ServiceError
from .proxies import ProxyFinder, ProxySetup, Route
from .redaction import add_secret
from .tls import CertificateFileError, describe_trust, trust_context
from .transport import read_capped
from .tunnel import NetworkAdapter, ProxySignIn, windows_sign_in_available

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 10.0  # connecting, the proxy's answer to CONNECT and the TLS handshake
PasswordLookup = Callable[[str, str], "str | None"]  # (proxy host:port, user name) -> password or None
Observer = Callable[[ServiceError], None]


@dataclass(frozen=True)
class NetworkSettings:
    ca_file: str = ""  # adds roots to the system's store
    proxy: ProxySetup = field(default_factory=ProxySetup)
    proxy_username: str = ""  # for Basic sign-in; the password is in the keyring
    windows_sign_in: bool = True  # Negotiate/NTLM with the user's own Windows sign-in, where possible
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS
    direct: bool = False  # the built-in sandbox on loopback: never through a proxy

    @classmethod
    def from_values(cls, values: Mapping[str, object], *, direct: bool = False) -> NetworkSettings:
        """From the effective settings' plain values (storage.settings.Settings.network_values)."""
        setup = ProxySetup(
            use_system_proxy=bool(values.get("use_system_proxy", True)),
            proxy=str(values.get("proxy") or ""),
            pac_url=str(values.get("pac_url") or ""),
            origin=str(values.get("origin") or "Settings"),
        )
        return cls(
            ca_file=str(values.get("ca_file") or ""),
            proxy=setup,
            proxy_username=str(values.get("proxy_username") or ""),
            direct=direct,
        )

    @classmethod
    def simple(cls, ca_bundle: str | None = None, use_system_proxy: bool = True) -> NetworkSettings:
        return cls(ca_file=ca_bundle or "", proxy=ProxySetup(use_system_proxy=use_system_proxy))

    @property
    def proxy_mode(self) -> str:
        return "none (the built-in sandbox)" if self.direct else self.proxy.mode


class Network:
    """Builds sessions for one set of NetworkSettings. Thread-safe."""

    def __init__(
        self,
        settings: NetworkSettings | None = None,
        passwords: PasswordLookup | None = None,
        observer: Observer | None = None,
    ) -> None:
        self.settings = settings or NetworkSettings()
        self._passwords = passwords
        self._observer = observer
        setup = ProxySetup(use_system_proxy=False) if self.settings.direct else self.settings.proxy
        self._finder = ProxyFinder(setup, fetch=self._fetch_text)
        self._sign_ins: dict[str, ProxySignIn] = {}
        self._lock = threading.Lock()

    # -- where requests go --------------------------------------------------------------------------

    def route(self, url: str) -> Route:
        if self.settings.direct:
            return Route("", "the built-in sandbox, which is never reached through a proxy")
        return self._finder.route(url)

    def connect_timeout(self, read_timeout: float) -> float:
        return min(self.settings.connect_timeout, read_timeout)

    def new_session(self, url: str) -> requests.Session:
        """A session for requests to `url`. Raises CertificateFileProblem or ProxyNotSupported
        (nothing is sent then)."""
        try:
            context = trust_context(self.settings.ca_file)
        except CertificateFileError as error:
            raise CertificateFileProblem(
                f"{error} Nothing was sent. Check the Certificate file in Settings, or ask your IT department.",
                detail=f"certificate file: {error.path}; {error.reason}",
            ) from None
        route = self.route(url)
        if route.is_socks:
            raise ProxyNotSupported(
                f"The proxy setting asks for a SOCKS proxy ({route.address}), which this app does not support, "
                "so nothing was sent. Ask your IT department for the address of an HTTP proxy, or set one in Settings.",
                proxy=route.address,
                detail=f"route: {route.describe()}",
            )
        session = requests.Session()
        session.trust_env = False  # the route is decided here, once, not by requests per call
        session.proxies = {"http": route.proxy, "https": route.proxy} if route.proxy else {}
        session.verify = True
        adapter = NetworkAdapter(context, self.sign_in(route))
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    def sign_in(self, route: Route) -> ProxySignIn | None:
        """How to sign in to this route's proxy: the user name from the settings and its password
        from the keyring, else a user name and password written into a proxy variable; and the
        Windows sign-in where it is available."""
        if not route.proxy:
            return None
        with self._lock:
            known = self._sign_ins.get(route.address)
        if known is not None:
            return known
        username, password = self.settings.proxy_username, ""
        if username and self._passwords is not None:
            try:
                password = self._passwords(route.address, username) or ""
            except Exception as error:  # a keyring problem must not stop requests that need no sign-in
                log.warning("proxy sign-in not read from the keyring: %s", type(error).__name__)
        if not password and route.credentials is not None:
            username, password = route.credentials
        if password:
            add_secret(password)
        sign_in = ProxySignIn(username, password, windows=self.settings.windows_sign_in)
        with self._lock:
            self._sign_ins[route.address] = sign_in
        return sign_in

    # -- telling people ----------------------------------------------------------------------------

    def describe(self, url: str) -> str:
        """Which proxy and which certificates requests to `url` use, in words, without a secret."""
        route = self.route(url)
        parts = [f"proxy mode: {self.settings.proxy_mode}", f"route: {route.describe()}"]
        sign_in = self.sign_in(route)
        if sign_in is not None and sign_in.basic:
            parts.append(f"proxy sign-in: Basic as {sign_in.username}")
        elif sign_in is not None and sign_in.windows and windows_sign_in_available():
            parts.append("proxy sign-in: this Windows account (Negotiate/NTLM) if the proxy asks")
        parts.append(f"certificates: {describe_trust(self.settings.ca_file)}")
        return "; ".join(parts)

    def route_summary(self, url: str) -> str:
        """The route only (cheap once known), for an error's details."""
        try:
            return self.route(url).describe()
        except Exception:
            return "unknown"

    def report(self, error: ServiceError) -> None:
        """A request failed: tell the observer (the app asks for a proxy sign-in this way)."""
        if self._observer is None:
            return
        try:
            self._observer(error)
        except Exception:
            log.exception("the network observer failed")

    # -- PAC downloads -------------------------------------------------------------------------------

    def _fetch_text(self, url: str, timeout: float) -> str:
        """Download a PAC file directly (never through a proxy), trusting the same roots."""
        session = requests.Session()
        session.trust_env = False
        adapter = NetworkAdapter(trust_context(self.settings.ca_file))
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        try:
            response = session.get(url, timeout=(min(timeout, self.settings.connect_timeout), timeout), stream=True)
            body = read_capped(response, 1024 * 1024)
            if response.status_code != 200:
                raise OSError(f"HTTP {response.status_code}")
            return body.decode(response.encoding or "utf-8", errors="replace")
        finally:
            session.close()


def new_session(endpoint: str, ca_bundle: str | None = None, use_system_proxy: bool = True) -> requests.Session:
    """A session for one endpoint with these two settings and nothing else (the app builds its
    sessions from its whole settings through a Network)."""
    return Network(NetworkSettings.simple(ca_bundle, use_system_proxy)).new_session(endpoint)


def platform_name() -> str:
    return {"win32": "Windows", "darwin": "macOS"}.get(sys.platform, "Linux")
