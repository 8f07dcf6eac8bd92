"""Which proxy a request goes through, and why.

In order, the first that applies:

1. `use_system_proxy` off and nothing set explicitly: no proxy, for every request (discovery too);
2. an explicit proxy (`proxy`, from the site file or Settings): that proxy;
3. an explicit PAC address (`proxy_pac_url`: http(s) URL, file:// URL or a path): what its
   `FindProxyForURL` says (the first entry; `DIRECT` means no proxy);
4. the system's settings:
   - the environment variables HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY (every system);
   - Windows: the "automatic configuration script" (AutoConfigURL, Group Policy first), then
     "Automatically detect settings" (WPAD by DNS), then the static WinINet proxy and its bypass
     list; macOS: the same three from the network preferences (`scutil --proxy`);
   - Linux: the environment variables only (desktop proxy settings are not read).

A PAC file or WPAD script that cannot be read is reported in the details and the request goes
direct, as browsers do. A SOCKS proxy is refused in plain words before anything is sent: the app has
no SOCKS support. The PAC file is read once per `ProxyFinder` (the app makes a new one when the
settings or the network change) and its script runs under a lock (dukpy is not thread-safe).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

PAC_TIMEOUT_SECONDS = 5.0
WPAD_TIMEOUT_SECONDS = 2.0
MAX_PAC_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ProxySetup:
    """What the settings say about proxies (already merged: site file, user, locks)."""

    use_system_proxy: bool = True
    proxy: str = ""  # "http://host:port", never with a user name or password
    pac_url: str = ""
    origin: str = "Settings"  # where `proxy` / `pac_url` came from, in words

    @property
    def mode(self) -> str:
        if self.proxy:
            return "explicit proxy"
        if self.pac_url:
            return "PAC file"
        return "system settings" if self.use_system_proxy else "no proxy"


@dataclass(frozen=True)
class Route:
    """Where one URL's requests go. `proxy` is "" for a direct connection."""

    proxy: str  # "http://host:port" (a scheme and an address, never a password)
    source: str  # why, in words: "the PAC file http://...", "the environment variable HTTPS_PROXY"
    problem: str = ""  # what could not be read on the way (the details for IT say it)
    # A user name and password written into a proxy variable (http://user:pass@host:port): taken
    # out of `proxy` and used only when the keyring holds no sign-in for this proxy.
    credentials: tuple[str, str] | None = field(default=None, repr=False, compare=False)

    @property
    def address(self) -> str:
        """host:port of the proxy ("" when direct)."""
        parts = urlsplit(self.proxy)
        return f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}" if self.proxy else ""

    @property
    def is_socks(self) -> bool:
        return self.proxy.lower().startswith("socks")

    def describe(self) -> str:
        where = f"proxy {self.address}" if self.proxy else "no proxy (direct)"
        text = f"{where}, from {self.source}"
        return f"{text}; {self.problem}" if self.problem else text


def normalise_proxy(value: str) -> str:
    """ "host:port" or "http://host:port" → "http://host:port". Raises ValueError in plain words."""
    text = value.strip()
    if not text:
        return ""
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme.startswith("socks"):
        raise ValueError("SOCKS proxies are not supported: ask your IT department for the HTTP proxy's address")
    if scheme not in ("http", "https"):
        raise ValueError("the proxy address must look like proxy.example.com:8080 or http://proxy.example.com:8080")
    if parts.username or parts.password:
        raise ValueError(
            "put no user name or password in the proxy address: the app asks for them when the proxy wants them, "
            "and keeps the password in the system keyring"
        )
    try:
        port = parts.port
    except ValueError:
        raise ValueError("the proxy's port must be a number from 1 to 65535") from None
    if not parts.hostname:
        raise ValueError("the proxy address has no server name")
    if port is None:
        raise ValueError("the proxy address needs its port, like proxy.example.com:8080")
    return f"{scheme}://{_host(parts.hostname)}:{port}"


def _host(hostname: str) -> str:
    return f"[{hostname}]" if ":" in hostname else hostname


def normalise_pac_url(value: str) -> str:
    """An http(s) or file:// URL, or a local path, for the PAC file. Raises ValueError."""
    text = value.strip()
    if not text:
        return ""
    scheme = urlsplit(text).scheme.lower()
    if scheme in ("http", "https"):
        if not urlsplit(text).hostname:
            raise ValueError("the PAC address has no server name")
        return text
    if scheme == "file" or len(scheme) <= 1:  # file://, a path, or C:\... (a drive letter)
        return text
    raise ValueError("the PAC address must start with http://, https:// or file://, or be a file's path")


class ProxyFinder:
    """Finds the route for a URL under one ProxySetup. Thread-safe; reads a PAC file once."""

    def __init__(self, setup: ProxySetup, fetch: Any = None) -> None:
        self.setup = setup
        self._fetch = fetch  # (url, timeout) -> text; the network layer passes one that trusts the same roots
        self._lock = threading.Lock()
        self._pac: Any = None
        self._pac_source = ""
        self._pac_problem = ""
        self._pac_read = False
        self._routes: dict[str, Route] = {}

    def route(self, url: str) -> Route:
        key = _origin(url)
        with self._lock:
            cached = self._routes.get(key)
            if cached is None:
                cached = self._routes[key] = self._find(url)
            return cached

    def _find(self, url: str) -> Route:
        setup = self.setup
        if setup.proxy:
            return Route(setup.proxy, f"the proxy set in {setup.origin}")
        if setup.pac_url:
            return self._from_pac(url, setup.pac_url, f"the PAC file {setup.pac_url} (set in {setup.origin})")
        if not setup.use_system_proxy:
            return Route("", "the setting not to use this computer's proxy")
        return self._system(url)

    # -- the system's settings ------------------------------------------------------------------------

    def _system(self, url: str) -> Route:
        import urllib.request

        parts = urlsplit(url)
        host, scheme = parts.hostname or "", parts.scheme.lower()
        environment = urllib.request.getproxies_environment()
        if {"http", "https", "all"} & environment.keys():
            bypass = getattr(urllib.request, "proxy_bypass_environment")  # noqa: B009 - not in typeshed's stubs
            if bypass(host, environment):
                return Route("", "the environment variable NO_PROXY")
            name = scheme if scheme in environment else "all"
            if name in environment:
                proxy, credentials = _split_credentials(_with_scheme(environment[name]))
                return Route(proxy, f"the environment variable {name.upper()}_PROXY", credentials=credentials)
        pac = self._system_pac()
        if pac:
            return self._from_pac(url, pac, f"this computer's automatic proxy configuration ({pac})")
        if self._system_auto_detect():
            wpad = self._wpad(url)
            if wpad is not None:
                return wpad
        if sys.platform in ("win32", "darwin"):
            return self._system_static(url, host, scheme)
        problem = self._pac_problem
        return Route("", "this computer's settings (no proxy is set)", problem)

    def _system_static(self, url: str, host: str, scheme: str) -> Route:
        import requests.utils

        found = requests.utils.get_environ_proxies(url)  # the WinINet / macOS static proxy and bypass list
        chosen = found.get(scheme) or found.get("all") or ""
        where = "Windows' proxy settings" if sys.platform == "win32" else "macOS's network settings"
        if not chosen:
            return Route("", f"{where} (no proxy for {host})", self._pac_problem)
        proxy, credentials = _split_credentials(_with_scheme(chosen))
        return Route(proxy, where, self._pac_problem, credentials)

    def _system_pac(self) -> str:
        try:
            if sys.platform == "win32":
                from pypac.os_settings import autoconfig_url_from_registry  # type: ignore[import-untyped,unused-ignore]

                return str(autoconfig_url_from_registry() or "")
            if sys.platform == "darwin":
                settings = _scutil_proxy()
                if settings.get("ProxyAutoConfigEnable") == "1":
                    return settings.get("ProxyAutoConfigURLString", "")
        except Exception as error:
            log.info("system PAC setting unreadable: %s", type(error).__name__)
        return ""

    def _system_auto_detect(self) -> bool:
        try:
            if sys.platform == "win32":
                return _windows_auto_detect()
            if sys.platform == "darwin":
                return _scutil_proxy().get("ProxyAutoDiscoveryEnable") == "1"
        except Exception as error:
            log.info("system auto-detect setting unreadable: %s", type(error).__name__)
        return False

    def _wpad(self, url: str) -> Route | None:
        from pypac.wpad import proxy_urls_from_dns  # type: ignore[import-untyped]

        for candidate in proxy_urls_from_dns():
            route = self._from_pac(url, candidate, f"automatic proxy detection (WPAD, {candidate})", quiet=True)
            if not self._pac_problem:
                return route
            self._pac_read, self._pac = False, None  # try the next candidate
        self._pac_problem = "automatic proxy detection (WPAD) found no PAC file"
        return None

    # -- PAC files ------------------------------------------------------------------------------------

    def _from_pac(self, url: str, address: str, source: str, quiet: bool = False) -> Route:
        if not self._pac_read:
            self._pac_read = True
            self._pac, self._pac_problem = self._load_pac(
                address, WPAD_TIMEOUT_SECONDS if quiet else PAC_TIMEOUT_SECONDS
            )
            self._pac_source = source
        if self._pac is None:
            return Route("", f"{source}: unusable, so no proxy", self._pac_problem)
        host = urlsplit(url).hostname or ""
        try:
            answer = str(self._pac.find_proxy_for_url(url, host))
        except Exception as error:
            return Route("", f"{source}: it failed, so no proxy", f"the PAC script failed ({type(error).__name__})")
        return Route(_first_proxy(answer), f"{source}, which answered {answer.strip()[:120]!r}")

    def _load_pac(self, address: str, timeout: float) -> tuple[Any, str]:
        try:
            text = self._read_pac(address, timeout)
        except Exception as error:
            return None, f"the PAC file {address} could not be read ({_reason(error)})"
        try:
            from pypac.parser import PACFile  # type: ignore[import-untyped]

            return PACFile(text), ""
        except Exception as error:
            return None, f"the PAC file {address} is not a usable script ({type(error).__name__})"

    def _read_pac(self, address: str, timeout: float) -> str:
        parts = urlsplit(address)
        if parts.scheme.lower() in ("http", "https"):
            if self._fetch is None:
                raise OSError("no way to download it")
            return str(self._fetch(address, timeout))
        path = unquote(parts.path) if parts.scheme.lower() == "file" else address
        if parts.scheme.lower() == "file" and parts.netloc and sys.platform == "win32":
            path = f"//{parts.netloc}{path}" if ":" not in parts.netloc else parts.netloc + path
        if sys.platform == "win32" and len(path) > 2 and path[0] == "/" and path[2] == ":":
            path = path[1:]  # file:///C:/... -> C:/...
        data = Path(path).read_bytes()[: MAX_PAC_BYTES + 1]
        if len(data) > MAX_PAC_BYTES:
            raise OSError("it is larger than 1 MB")
        return data.decode("utf-8", errors="replace")


def _reason(error: BaseException) -> str:
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return type(error).__name__ if not str(error) else f"{type(error).__name__}: {str(error)[:160]}"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}".lower()


def _with_scheme(proxy: str) -> str:
    text = proxy.strip()
    return text if "://" in text else "http://" + text


def _split_credentials(proxy: str) -> tuple[str, tuple[str, str] | None]:
    """A proxy URL without its user name and password, and those (or None)."""
    parts = urlsplit(proxy)
    if not parts.username:
        return proxy, None
    host = _host(parts.hostname or "")
    address = f"{host}:{parts.port}" if parts.port else host
    return f"{parts.scheme}://{address}", (unquote(parts.username), unquote(parts.password or ""))


def _first_proxy(answer: str) -> str:
    """The first entry of a PAC answer ("PROXY a:1; DIRECT"), as a proxy URL ("" for DIRECT)."""
    for entry in answer.split(";"):
        words = entry.split()
        if not words:
            continue
        kind = words[0].upper()
        if kind == "DIRECT":
            return ""
        if len(words) < 2:
            continue
        scheme = {"PROXY": "http", "HTTP": "http", "HTTPS": "https", "SOCKS": "socks5"}.get(kind, kind.lower())
        return f"{scheme}://{words[1]}"
    return ""


def _scutil_proxy() -> dict[str, str]:
    """macOS: the network preferences' proxy dictionary (`scutil --proxy`), flat."""
    import subprocess

    output = subprocess.run(["scutil", "--proxy"], capture_output=True, text=True, timeout=5, check=False).stdout
    values = {}
    for line in output.splitlines():
        name, sep, value = line.partition(" : ")
        if sep:
            values[name.strip()] = value.strip()
    return values


def _windows_auto_detect() -> bool:
    """Windows: "Automatically detect settings" (WinINet's DefaultConnectionSettings, flag 0x08)."""
    import winreg  # type: ignore[import-not-found,unused-ignore]

    path = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections"
    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, path) as key:  # type: ignore[attr-defined,unused-ignore]
        value, _kind = winreg.QueryValueEx(key, "DefaultConnectionSettings")  # type: ignore[attr-defined,unused-ignore]
    return len(value) > 8 and bool(value[8] & 0x08)


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def environment_proxy_names() -> tuple[str, ...]:
    """The proxy variables set in this process's environment (names only: values may hold a password)."""
    return tuple(sorted(name for name in os.environ if name.lower() in {"https_proxy", "http_proxy", "all_proxy"}))
