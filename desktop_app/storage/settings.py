"""Non-secret settings in a JSON file: endpoint, timeout, CA bundle, account *names*, window
geometry. A license key is never written here.

An administrator's site settings file (see `site_config`) is applied first; the user's file then
overrides what it may. A locked value always comes from the site file: the user's file never
overrides it, and saving never writes it there."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from ..service.reference_data import DEFAULT_ENDPOINT, DEFAULT_TIMEOUT_SECONDS
from .site_config import LOCKED_NOTE, SiteConfig, load_site_config

log = logging.getLogger(__name__)

__all__ = ["LOCKED_NOTE", "Settings"]

_RUNTIME = {"persist": False}  # fields that describe this session; never read from or written to the user's file


@dataclass
class Settings:
    endpoint: str = DEFAULT_ENDPOINT
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    ca_bundle: str = ""
    accounts: list[str] = field(default_factory=list)
    default_account: str = ""
    last_account: str = ""
    window_geometry: str = ""  # base64 of QWidget.saveGeometry()
    keyring_backend: str = ""  # the store first used, so a silent switch can be noticed
    use_system_proxy: bool = True  # the system's proxy settings (environment, PAC, WPAD, static)
    proxy: str = ""  # an explicit proxy, "http://host:port" (never with a password)
    proxy_pac_url: str = ""  # an explicit PAC file: http(s):// or file:// URL, or a path
    proxy_username: str = ""  # for a proxy's Basic sign-in; the password is in the keyring only
    default_caller_id: str = ""  # the schedule form's default caller ID number
    # The hours a call may ring in the recipient's time (service/recipient_time.py): the Schedule
    # page warns outside them. The administrator's site file may set or lock it.
    calling_window: str = "08:00-21:00"
    # -- from the administrator's site file (never saved in the user's file) --
    locked: frozenset[str] = field(default=frozenset(), metadata=_RUNTIME)  # field names set read-only
    site_problem: str = field(default="", metadata=_RUNTIME)  # plain message naming the file and line
    offered_accounts: list[str] = field(default_factory=list, metadata=_RUNTIME)  # names the admin offers
    site_values: dict[str, object] = field(default_factory=dict, metadata=_RUNTIME, repr=False)
    # Why the certificate file cannot be used, in plain words naming it ("" when fine or none set).
    certificate_problem: str = field(default="", metadata=_RUNTIME)
    # The schedule form's saved test numbers: [{"name": ..., "number": ...}] (never in the history).
    test_numbers: list[dict] = field(default_factory=list)

    def is_locked(self, name: str) -> bool:
        return name in self.locked

    @classmethod
    def _persisted(cls) -> set[str]:
        return {f.name for f in fields(cls) if f.metadata.get("persist", True)}

    @classmethod
    def load(cls, path: Path, site_file: Path | None = None) -> Settings:
        """The user's settings over the site file's (`site_file=None`: no site file). Never raises."""
        site = load_site_config(site_file)
        settings = cls()
        for name, value in site.values.items():
            setattr(settings, name, list(value) if isinstance(value, list) else value)
        settings.locked = site.locked
        settings.site_problem = site.problem
        settings.site_values = dict(site.values)
        offered = site.values.get("accounts", [])
        settings.offered_accounts = list(offered) if isinstance(offered, list) else []  # (a list: site_config)

        user = cls._read_user_file(path)
        builtin = cls()
        for name, value in user.items():
            if name in settings.locked:
                continue  # the administrator's value wins, whatever the user's file says
            if name in site.values and name != "accounts" and value == getattr(builtin, name):
                # Files saved before IT set a default hold every field at its built-in value: that
                # is not a choice the user made, so the administrator's default applies.
                continue
            if name == "accounts" and isinstance(value, list):  # (a list: see _read_user_file)
                # The administrator's names first, then the user's own.
                value = list(dict.fromkeys([*settings.offered_accounts, *value]))
            setattr(settings, name, value)
        settings.check_certificate_file()
        return settings

    def check_certificate_file(self) -> str:
        """Check the certificate file now (when the settings are read or changed): the plain
        message, also kept in `certificate_problem` and logged ("" when it is usable or unset)."""
        if not self.ca_bundle:  # the usual case: nothing to read (and no TLS module to load at start)
            self.certificate_problem = ""
            return ""
        from ..service.tls import certificate_file_problem  # standard library only

        self.certificate_problem = certificate_file_problem(self.ca_bundle)
        if self.certificate_problem:
            log.warning("%s", self.certificate_problem)
        return self.certificate_problem

    def network_values(self) -> dict[str, object]:
        """What every connection is built from (service.network.NetworkSettings.from_values):
        plain values, read on the GUI thread; the session itself is built on a worker."""
        from_site = (self.proxy and self.proxy == self.site_values.get("proxy")) or (
            self.proxy_pac_url and self.proxy_pac_url == self.site_values.get("proxy_pac_url")
        )
        origin = "the administrator's site settings file" if from_site else "Settings"
        return {
            "ca_file": self.ca_bundle.strip(),
            "use_system_proxy": self.use_system_proxy,
            "proxy": self.proxy.strip(),
            "pac_url": self.proxy_pac_url.strip(),
            "proxy_username": self.proxy_username.strip(),
            "origin": origin,
        }

    @classmethod
    def _read_user_file(cls, path: Path) -> dict[str, object]:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("settings file unreadable (%s); using defaults", type(exc).__name__)
            return {}
        if not isinstance(raw, dict):
            return {}
        defaults = cls()
        values: dict[str, object] = {}
        for name in cls._persisted() & raw.keys():
            value, default = raw[name], getattr(defaults, name)
            if name == "accounts":
                values[name] = [str(a) for a in value if isinstance(a, str)] if isinstance(value, list) else []
            elif name == "timeout_seconds":
                if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                    values[name] = float(value)
            elif isinstance(value, type(default)):
                values[name] = value
        return values

    def to_user_file(self) -> dict[str, object]:
        """What `save` writes: every persisted field, except locked ones, the administrator's
        offered account names, and values still equal to the site file's default (so a later
        change of that default by IT still reaches this user)."""
        data = {name: value for name, value in asdict(self).items() if name in self._persisted()}
        for name in self.locked:
            data.pop(name, None)
        for name, site_value in self.site_values.items():
            if name in data and name != "accounts" and data[name] == site_value:
                del data[name]
        if "accounts" in data:
            data["accounts"] = [a for a in self.accounts if a not in self.offered_accounts]
        return data

    def save(self, path: Path) -> None:
        """Atomic: write a temporary file, then rename it over the old one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=".settings-", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(self.to_user_file(), out, indent=2, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def site_settings(site_file: Path | None) -> SiteConfig:
    """The site file on its own (for a dialog that wants to say which file set a value)."""
    return load_site_config(site_file)
