"""The controller's connection part: where requests go, in which namespace, and the client the
desk builds for them.

In sandbox mode requests go only to the built-in sandbox: while it starts (or if it could not
start) they are refused in plain words, never sent to the real service's address.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from ..service.reference_data import DEFAULT_NAMESPACE
from ..storage.namespaces import NamespaceCache
from .executor import Executor
from .threads import require_gui_thread

if TYPE_CHECKING:
    from pathlib import Path

    from ..local_sandbox import SandboxProcess
    from ..sandbox import Sandbox
    from ..service import PhoneNotifyClient, ServiceError
    from ..service.network import Network
    from ..storage.secrets import KeyStore
    from ..storage.settings import Settings

log = logging.getLogger(__name__)
SANDBOX_STARTING = "The sandbox is still starting. Try again in a moment."
DISCOVERY_TIMEOUT_SECONDS = 5.0  # a short look at the live WSDL; the bundled namespace is the fallback
REREAD_AFTER_FAILURE_SECONDS = 30.0  # a request that could not get out re-reads the proxy setup, at most this often
ClientFactory = Callable[[], "PhoneNotifyClient"]


def start_sandbox_process(namespace: str, log_file: Path, state_file: Path | None = None) -> SandboxProcess:
    from ..local_sandbox import SandboxProcess

    return SandboxProcess.start(namespace, log_file, state_file=state_file)  # its own process, on loopback only


class Connection(QObject):
    endpointChanged = Signal()  # settings saved, the sandbox started or the namespace became known
    clientChanged = Signal()  # requests from now on need a client made by `client_factory()`
    sandboxFailed = Signal(str)
    # A request failed on the way out (from a worker; queued to the GUI thread): the error.
    requestFailed = Signal(object)
    # The proxy wants a Basic sign-in: (proxy host:port, realm, True when it refused the last one).
    proxySignInNeeded = Signal(str, str, bool)

    def __init__(
        self,
        settings: Settings,
        executor: Executor,
        namespaces: NamespaceCache,
        sandbox: Sandbox | SandboxProcess | None,
        sandbox_mode: bool,
        keys: KeyStore | None = None,
        save_settings: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        """`keys`: where proxy passwords are kept; `save_settings`: how a proxy user name is saved."""
        super().__init__(parent)
        self._settings = settings
        self._executor = executor
        self._namespaces = namespaces
        self.sandbox = sandbox
        self.sandbox_mode = sandbox_mode
        self.sandbox_problem = ""  # why the built-in sandbox could not start, if it could not
        self.namespace = DEFAULT_NAMESPACE
        self.namespace_source = "bundled"
        self.use_known_namespace()
        self.keys = keys
        self.save_settings = save_settings
        self._network_info: Any = None  # QNetworkInformation, once watched
        self._network_state: tuple[object, ...] = ()
        self._last_reread = 0.0
        self._sign_in_open = False
        self._given_sign_in: set[str] = set()  # proxies given a sign-in this session
        self._declined: set[str] = set()  # proxies whose sign-in the user cancelled: not asked again unasked
        self.sign_in_dialog: Any = None
        self.requestFailed.connect(self._request_failed)

    # -- the built-in sandbox -----------------------------------------------------------------------

    @property
    def sandbox_needed(self) -> bool:
        """Sandbox mode, and the sandbox not started yet."""
        return self.sandbox_mode and self.sandbox is None

    def start_sandbox(self, source: Callable[[], SandboxProcess], then: Callable[[], None]) -> None:
        """Start the sandbox on a worker; `then()` once it answers (not if it fails)."""

        def started(sandbox: SandboxProcess) -> None:
            self.sandbox = sandbox
            self.endpointChanged.emit()
            then()

        def failed(error: BaseException) -> None:
            self.sandbox_problem = str(error)
            self.sandboxFailed.emit(str(error))

        self._executor.submit(source, started, failed)

    # -- the namespace and the client ---------------------------------------------------------------

    def use_known_namespace(self) -> None:
        """The namespace remembered for this address, else the bundled one, until discovery answers."""
        cached = self._namespaces.get(self._settings.endpoint)
        self.namespace = cached or DEFAULT_NAMESPACE
        self.namespace_source = "cached" if cached else "bundled"

    def network_factory(self) -> Callable[[], Network]:
        """Makes the `Network` every request of the next client uses (proxy, certificates, sign-in),
        from the effective settings of now (read here, on the GUI thread; built on a worker). The
        built-in sandbox is never reached through a proxy."""
        require_gui_thread()
        values, direct = self._settings.network_values(), self.sandbox_mode
        keys, report = self.keys, self.requestFailed.emit

        def create() -> Network:
            from ..service.network import Network, NetworkSettings

            def password(proxy: str, username: str) -> str | None:
                return keys.get_proxy_password(proxy, username) if keys is not None else None

            return Network(NetworkSettings.from_values(values, direct=direct), password, report)

        return create

    def client_factory(self) -> ClientFactory:
        """Makes clients on a worker, with the settings of now (read here, on the GUI thread)."""
        require_gui_thread()
        timeout = self._settings.timeout_seconds
        endpoint, namespace = self._settings.endpoint, self.namespace
        network = self.network_factory()

        def create() -> PhoneNotifyClient:
            from ..service import CannotReachServer, PhoneNotifyClient

            url = self.service_url if self.sandbox_mode else endpoint
            if not url:  # never the real service in sandbox mode, not even while the sandbox starts
                problem = self.sandbox_problem
                raise CannotReachServer(f"The sandbox could not start: {problem}" if problem else SANDBOX_STARTING)
            return PhoneNotifyClient(url, timeout=timeout, namespace=namespace, network=network())

        return create

    def describe(self, on_done: Callable[[str], None], on_error: Callable[[BaseException], None]) -> None:
        """Where requests go and how (endpoint, proxy mode and route, certificates; never a
        secret), found on a worker: `on_done(text)`. For --self-test and the details for IT."""
        url, network = self.service_url, self.network_factory()

        def describe() -> str:
            return f"endpoint: {url}; {network().describe(url)}"

        self._executor.submit(describe, on_done, on_error)

    def discover_namespace(self) -> None:
        """Read the live WSDL's namespace on a worker (fact sheet 11.1: which one the live host
        expects is not known from here). Until it answers, the cached or bundled one is used; if
        it fails, the client still falls back once when the server does not know the SOAPAction."""
        url, network = self.service_url, self.network_factory()
        if not url:
            return
        self.watch_the_network()

        def discover() -> str:
            from ..service import discover_namespace

            return discover_namespace(url, timeout=DISCOVERY_TIMEOUT_SECONDS, network=network())

        def found(namespace: str) -> None:
            if not self.sandbox_mode:
                self._namespaces.put(self._settings.endpoint, namespace)
            changed, self.namespace, self.namespace_source = namespace != self.namespace, namespace, "discovered"
            if changed:
                self.clientChanged.emit()
            self.endpointChanged.emit()

        def failed(error: BaseException) -> None:
            log.info("namespace discovery failed (%s); using %s", type(error).__name__, self.namespace)

        self._executor.submit(discover, found, failed)

    # -- the network changes: read the proxy setup again -------------------------------------------

    def watch_the_network(self) -> None:
        """Re-read the proxy setup (a new Network for new requests) when the network changes:
        reachability or the kind of link (Qt's network information, as the watch list uses)."""
        if self._network_info is not None:
            return
        self._network_info = _network_information() or False
        if self._network_info:
            self._network_state = _state(self._network_info)
            self._network_info.reachabilityChanged.connect(self._network_changed)
            self._network_info.transportMediumChanged.connect(self._network_changed)

    def _network_changed(self, *_args: object) -> None:
        state = _state(self._network_info) if self._network_info else ()
        if state == self._network_state:
            return
        self._network_state = state
        log.info("the network changed (%s): the proxy setup is read again", state)
        self.reread_network()

    def reread_network(self) -> None:
        """New requests build a new Network: the proxy setup (PAC file, WPAD, system settings) is
        read again."""
        self._last_reread = time.monotonic()
        self.clientChanged.emit()

    def _request_failed(self, error: ServiceError) -> None:
        """On the GUI thread: a request failed on its way out."""
        from ..service.errors import (
            CannotReachServer,
            CertificateFileProblem,
            ProxySignInNeeded,
            ProxySignInRefused,
            TimedOut,
        )

        if isinstance(error, ProxySignInNeeded) and error.can_ask:
            refused = isinstance(error, ProxySignInRefused)
            if not refused and error.proxy in self._given_sign_in:
                return  # a request made before the sign-in was given: the next one signs in
            self._given_sign_in.discard(error.proxy)
            self.proxySignInNeeded.emit(error.proxy, error.realm, refused)
            if error.proxy not in self._declined:
                self.ask_proxy_sign_in(error.proxy, error.realm, refused)
            return
        could_not_get_out = isinstance(error, (CannotReachServer, TimedOut, CertificateFileProblem))
        due = time.monotonic() - self._last_reread > REREAD_AFTER_FAILURE_SECONDS
        if could_not_get_out and not error.outcome_unknown and due:
            self.reread_network()  # a VPN switch, a moved laptop: the next request looks again

    # -- proxy sign-in ----------------------------------------------------------------------------------

    def ask_proxy_sign_in(self, proxy: str, realm: str = "", refused: bool = False, parent: Any = None) -> None:
        """Ask for the proxy's user name and password (one dialog at a time); the password goes to
        the keyring on a worker, the user name to the settings; then new requests sign in."""
        if self._sign_in_open or self.keys is None:
            return
        from .dialogs.proxy_sign_in import ProxySignInDialog

        self._sign_in_open = True
        dialog = ProxySignInDialog(proxy, realm, self._settings.proxy_username, refused, parent or _main_window())
        keys = self.keys

        def finished(result: int) -> None:
            self._sign_in_open = False
            if not result:
                self._declined.add(proxy)
                return
            self._declined.discard(proxy)
            self._given_sign_in.add(proxy)
            username, password, remember = dialog.take_values()
            self._executor.submit(
                lambda: keys.set_proxy_password(proxy, username, password, session_only=not remember),
                lambda _saved: self._signed_in(username),
                lambda error: dialog_failed(str(error)),
            )

        def dialog_failed(message: str) -> None:
            log.warning("proxy sign-in not saved: %s", message)

        dialog.finished.connect(finished)
        dialog.open()
        self.sign_in_dialog = dialog

    def sign_in_to_proxy(self, parent: Any, tell: Callable[[str], None]) -> None:
        """Settings → Proxy sign-in…: find the proxy the service's requests go through (on a
        worker: a PAC file may have to be read), then ask for its sign-in. `tell(text)` says what
        was found (as saved: a changed proxy field counts once saved)."""
        url, network = self.service_url or self._settings.endpoint, self.network_factory()

        def found(address: str) -> None:
            if not address:
                tell("No proxy is used for the service, so there is nothing to sign in to.")
                return
            tell(f"Proxy {address}")
            self._declined.discard(address)
            self.ask_proxy_sign_in(address, parent=parent)

        self._executor.submit(lambda: network().route(url).address, found, lambda error: tell(str(error)))

    def _signed_in(self, username: str) -> None:
        self._settings.proxy_username = username
        if self.save_settings is not None:
            self.save_settings()
        self.reread_network()
        self.discover_namespace()

    def settings_changed(self) -> None:
        """The Settings dialog changed the settings: new sessions for new requests."""
        self._declined.clear()
        self._settings.check_certificate_file()
        self.use_known_namespace()
        self.clientChanged.emit()
        self.endpointChanged.emit()
        self.discover_namespace()

    # -- where requests go ---------------------------------------------------------------------------

    @property
    def service_url(self) -> str:
        if self.sandbox_mode:
            return self.sandbox.url if self.sandbox else ""
        return self._settings.endpoint

    @property
    def sandbox_url(self) -> str | None:
        return self.sandbox.url if self.sandbox is not None else None

    def endpoint_text(self) -> str:
        """Where requests go, in plain words (the address is in `service_url`)."""
        if self.sandbox_mode:
            return "Sandbox, no real calls" if self.sandbox else "Sandbox, starting…"
        from urllib.parse import urlsplit

        host = urlsplit(self._settings.endpoint).hostname or self._settings.endpoint
        return f"Esendex ({host})" if host.endswith("esendex.us") else f"Service at {host}"


def _main_window() -> Any:
    """The window to put the sign-in dialog over: the app's main window (never a transient box
    that may close and take the dialog with it)."""
    from PySide6.QtWidgets import QApplication, QMainWindow

    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible()]
    active = QApplication.activeWindow()
    return next((w for w in windows if w is active), windows[0] if windows else None)


def _network_information() -> Any:
    try:
        from PySide6.QtNetwork import QNetworkInformation

        if QNetworkInformation.instance() is None:
            QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability)
        return QNetworkInformation.instance()
    except Exception:  # no backend on this desktop: the proxy setup is read again after failures only
        return None


def _state(info: Any) -> tuple[object, ...]:
    return (info.reachability(), info.transportMedium())
