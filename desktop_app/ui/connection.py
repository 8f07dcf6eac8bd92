"""The controller's connection part: where requests go, in which namespace, and the client the
desk builds for them.

In sandbox mode requests go only to the built-in sandbox: while it starts (or if it could not
start) they are refused in plain words, never sent to the real service's address.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from ..service.reference_data import DEFAULT_NAMESPACE
from ..storage.namespaces import NamespaceCache
from .executor import Executor
from .threads import require_gui_thread

if TYPE_CHECKING:
    from pathlib import Path

    from ..local_sandbox import SandboxProcess
    from ..sandbox import Sandbox
    from ..service import PhoneNotifyClient
    from ..storage.settings import Settings

log = logging.getLogger(__name__)
SANDBOX_STARTING = "The sandbox is still starting. Try again in a moment."
DISCOVERY_TIMEOUT_SECONDS = 5.0  # a short look at the live WSDL; the bundled namespace is the fallback
ClientFactory = Callable[[], "PhoneNotifyClient"]


def start_sandbox_process(namespace: str, log_file: Path, state_file: Path | None = None) -> SandboxProcess:
    from ..local_sandbox import SandboxProcess

    return SandboxProcess.start(namespace, log_file, state_file=state_file)  # its own process, on loopback only


class Connection(QObject):
    endpointChanged = Signal()  # settings saved, the sandbox started or the namespace became known
    clientChanged = Signal()  # requests from now on need a client made by `client_factory()`
    sandboxFailed = Signal(str)

    def __init__(
        self,
        settings: Settings,
        executor: Executor,
        namespaces: NamespaceCache,
        sandbox: Sandbox | SandboxProcess | None,
        sandbox_mode: bool,
        parent: QObject | None = None,
    ) -> None:
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

    def client_factory(self) -> ClientFactory:
        """Makes clients on a worker, with the settings of now (read here, on the GUI thread)."""
        require_gui_thread()
        timeout, ca_bundle = self._settings.timeout_seconds, self._settings.ca_bundle or None
        endpoint, namespace, proxy = self._settings.endpoint, self.namespace, self._settings.use_system_proxy

        def create() -> PhoneNotifyClient:
            from ..service import CannotReachServer, PhoneNotifyClient

            url = self.service_url if self.sandbox_mode else endpoint
            if not url:  # never the real service in sandbox mode, not even while the sandbox starts
                problem = self.sandbox_problem
                raise CannotReachServer(f"The sandbox could not start: {problem}" if problem else SANDBOX_STARTING)
            return PhoneNotifyClient(
                url, timeout=timeout, ca_bundle=ca_bundle, namespace=namespace, use_system_proxy=proxy
            )

        return create

    def discover_namespace(self) -> None:
        """Read the live WSDL's namespace on a worker (fact sheet 11.1: which one the live host
        expects is not known from here). Until it answers, the cached or bundled one is used; if
        it fails, the client still falls back once when the server does not know the SOAPAction."""
        url, ca_bundle = self.service_url, self._settings.ca_bundle or None
        if not url:
            return

        def discover() -> str:
            from ..service import discover_namespace

            return discover_namespace(url, timeout=DISCOVERY_TIMEOUT_SECONDS, ca_bundle=ca_bundle)

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

    def settings_changed(self) -> None:
        """The Settings dialog changed the settings: new sessions for new requests."""
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
