"""The connection part of the controller: where requests go, in which namespace, and the client
the desk builds for them.

In sandbox mode requests go only to the built-in sandbox: while it starts (or if it could not
start) they are refused in plain words, never sent to the real service's address.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..heavy_imports import heavy_import
from ..service.reference_data import DEFAULT_NAMESPACE

if TYPE_CHECKING:
    from ..service import PhoneNotifyClient

log = logging.getLogger(__name__)
SANDBOX_STARTING = "The sandbox is still starting. Try again in a moment."
DISCOVERY_TIMEOUT_SECONDS = 5.0  # a short look at the live WSDL; the bundled namespace is the fallback


class ConnectionMixin:
    """Mixed into AppController, which provides `settings`, `sandbox`, `sandbox_mode`,
    `sandbox_problem`, `namespace`, `namespace_source`, `namespaces`, `desk`, `executor`,
    `save_settings()` and the signal `endpointChanged`."""

    def _use_known_namespace(self) -> None:
        """The namespace remembered for this address (one read of the cache), else the bundled one,
        until discovery answers."""
        cached = self.namespaces.get(self.settings.endpoint)
        self.namespace = cached or DEFAULT_NAMESPACE
        self.namespace_source = "cached" if cached else "bundled"

    def _client_factory(self) -> Callable[[], PhoneNotifyClient]:
        timeout, ca_bundle = self.settings.timeout_seconds, self.settings.ca_bundle or None
        endpoint, namespace, proxy = self.settings.endpoint, self.namespace, self.settings.use_system_proxy

        def create() -> PhoneNotifyClient:  # runs on a worker, where importing zeep costs the window nothing
            client_class = heavy_import("desktop_app.service.client").PhoneNotifyClient

            url = self.service_url if self.sandbox_mode else endpoint
            if not url:  # never the real service in sandbox mode, not even while the sandbox starts
                from ..service import CannotReachServer

                problem = self.sandbox_problem
                raise CannotReachServer(f"The sandbox could not start: {problem}" if problem else SANDBOX_STARTING)
            return client_class(url, timeout=timeout, ca_bundle=ca_bundle, namespace=namespace, use_system_proxy=proxy)

        return create

    def discover_namespace(self) -> None:
        """Read the live WSDL's namespace on a worker (fact sheet 11.1: which one the live host
        expects is not known from here). Until it answers, the cached or bundled one is used; if
        it fails, the client still falls back once when the server does not know the SOAPAction."""
        url, ca_bundle = self.service_url, self.settings.ca_bundle or None
        if not url:
            return

        def discover() -> str:
            from ..service import discover_namespace

            return discover_namespace(url, timeout=DISCOVERY_TIMEOUT_SECONDS, ca_bundle=ca_bundle)

        def found(namespace: str) -> None:
            if not self.sandbox_mode:
                self.namespaces.put(self.settings.endpoint, namespace)
            changed, self.namespace, self.namespace_source = namespace != self.namespace, namespace, "discovered"
            if changed:
                self.desk.reconfigure(self._client_factory())
            self.endpointChanged.emit()

        def failed(error: BaseException) -> None:
            log.info("namespace discovery failed (%s); using %s", type(error).__name__, self.namespace)

        self.executor.submit(discover, found, failed)

    @property
    def namespace_in_use(self) -> str:
        """What the client speaks now: it may have switched after a SOAPAction fault."""
        return self.desk.namespace_in_use or self.namespace

    @property
    def service_url(self) -> str:
        if self.sandbox_mode:
            return self.sandbox.url if self.sandbox else ""
        return self.settings.endpoint

    @property
    def sandbox_url(self) -> str | None:
        return self.sandbox.url if self.sandbox is not None else None

    def endpoint_text(self) -> str:
        """Where requests go, in plain words (the address is in `service_url`)."""
        if self.sandbox_mode:
            return "Sandbox, no real calls" if self.sandbox else "Sandbox, starting…"
        from urllib.parse import urlsplit

        host = urlsplit(self.settings.endpoint).hostname or self.settings.endpoint
        return f"Esendex ({host})" if host.endswith("esendex.us") else f"Service at {host}"

    def settings_saved(self) -> None:
        """The Settings dialog changed the settings: new sessions for new requests."""
        self.save_settings()
        self._use_known_namespace()
        self.desk.reconfigure(self._client_factory())
        self.endpointChanged.emit()
        self.discover_namespace()
