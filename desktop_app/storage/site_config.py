"""The administrator's system-wide settings file, read before the user's own settings.

IT drops one JSON file in the machine's site configuration folder (platformdirs):

- Linux: `/etc/xdg/VoiceBroadcastDesk/site-settings.json` (any folder in `$XDG_CONFIG_DIRS` too)
- Windows: `C:\\ProgramData\\VoiceBroadcastDesk\\site-settings.json`
- macOS: `/Library/Application Support/VoiceBroadcastDesk/site-settings.json`

`VOICE_BROADCAST_SITE_CONFIG=/path/to/file.json` points the app at another file (tests, trials).

Each key is either a plain value (a default the user may change) or `{"value": ..., "locked": true}`
(shown read-only with "Set by your administrator"). Keys starting with `_` are comments::

    {
      "_comment": "Voice Broadcast Desk, set by IT",
      "endpoint": {"value": "https://ws.esendex.us/NotifyWS/PhoneNotify.asmx", "locked": true},
      "timeout_seconds": 30,
      "use_system_proxy": {"value": true, "locked": true},
      "ca_bundle": "/etc/ssl/certs/corporate-root.pem",
      "proxy": "http://proxy.corp.example:8080",
      "proxy_pac_url": "http://wpad.corp.example/proxy.pac",
      "default_caller_id": "757-555-0100",
      "accounts": ["Support", "Billing"],
      "default_account": "Support",
      "calling_window": {"value": "08:00-21:00", "locked": true}
    }

License keys are never read from this file (an entry that looks like one is refused). Loading never
raises: a file that cannot be used is reported once as a plain message naming the file and the line,
and every setting it would have set keeps its usual default. A key with a bad value is skipped on
its own; the rest of the file still applies.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import platformdirs

from .. import APP_ID
from ..service.errors import InvalidInput

log = logging.getLogger(__name__)

SITE_FILE_NAME = "site-settings.json"
SITE_CONFIG_VARIABLE = "VOICE_BROADCAST_SITE_CONFIG"
LOCKED_NOTE = "Set by your administrator"
TIMEOUT_RANGE = (1, 300)  # seconds; the same range the Settings dialog offers
MAX_SITE_FILE_BYTES = 256_000  # a settings file is a few hundred bytes; refuse anything absurd
LINUX_SITE_DIR = Path("/etc/xdg") / APP_ID  # where the .deb's conffile lives


class _Bad(ValueError):
    """A value the file sets that cannot be used; the message is for the administrator."""


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise _Bad(f"{what} must be text in quotes")
    return value.strip()


def _endpoint(value: object) -> str:
    from ..service import validation  # on first use: the first paint does not need it

    try:
        return validation.endpoint(_text(value, "the address"))
    except InvalidInput as error:
        raise _Bad(str(error)) from None


def _timeout(value: object) -> float:
    low, high = TIMEOUT_RANGE
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise _Bad(f"the timeout must be a number of seconds from {low} to {high}")
    return float(value)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Bad("it must be true or false (without quotes)")
    return value


def _caller_id(value: object) -> str:
    from ..service import validation

    text = _text(value, "the caller ID")
    try:
        return validation.optional_phone_number(text, "default_caller_id", "caller ID number")
    except InvalidInput as error:
        raise _Bad(str(error)) from None


def _account_name(value: object) -> str:
    name = _text(value, "an account name")
    if not name or len(name) > 100 or any(ch < " " for ch in name):
        raise _Bad("an account name must be 1 to 100 characters on one line")
    if re.search(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", name):
        # Without echoing it: the "name" may be somebody's key.
        raise _Bad("an account name looks like a license key; keys never go in this file, only account names")
    return name


def _certificate_file(value: object) -> str:
    """A certificate file that adds roots (PEM or DER); checked now, so a file that is missing or
    damaged on this computer is reported in plain words when the file is read."""
    from ..service.tls import certificate_file_problem  # standard library only

    path = _text(value, "the certificate file's path")
    problem = certificate_file_problem(path)
    if problem:
        raise _Bad(problem.rstrip("."))
    return path


def _proxy(value: object) -> str:
    from ..service.proxies import normalise_proxy

    try:
        return normalise_proxy(_text(value, "the proxy address"))
    except ValueError as error:
        raise _Bad(str(error)) from None


def _pac_url(value: object) -> str:
    from ..service.proxies import normalise_pac_url

    try:
        return normalise_pac_url(_text(value, "the PAC address"))
    except ValueError as error:
        raise _Bad(str(error)) from None


def _calling_window(value: object) -> str:
    """The hours a call may ring in the recipient's time, "08:00-21:00" (service/recipient_time.py)."""
    from ..service.recipient_time import parse_window

    try:
        return parse_window(value).setting
    except ValueError as error:
        raise _Bad(str(error)) from None


def _accounts(value: object) -> list[str]:
    if not isinstance(value, list):
        raise _Bad('it must be a list of account names, like ["Support", "Billing"]')
    names = [_account_name(item) for item in value]
    return list(dict.fromkeys(names))  # without duplicates, in the administrator's order


# The keys an administrator may set, each with its check. Settings field names, on purpose.
SITE_KEYS: Mapping[str, Callable[[object], object]] = {
    "endpoint": _endpoint,
    "timeout_seconds": _timeout,
    "use_system_proxy": _flag,
    "ca_bundle": _certificate_file,
    "proxy": _proxy,
    "proxy_pac_url": _pac_url,
    "default_caller_id": _caller_id,
    "accounts": _accounts,
    "default_account": lambda value: _account_name(value),
    "calling_window": lambda value: _calling_window(value),
}
_SECRET_WORDS = ("key", "password", "secret", "token")


class SiteConfig(NamedTuple):
    path: Path | None = None
    values: Mapping[str, object] = MappingProxyType({})  # Settings field name -> checked value
    locked: frozenset[str] = frozenset()
    problems: tuple[str, ...] = ()  # "line 4: ..." each; empty when the whole file was fine

    @property
    def problem(self) -> str:
        """One plain message for the user and the log ("" when the file was fine or absent)."""
        if not self.problems:
            return ""
        where = str(self.path)
        if len(self.problems) == 1 and self.problems[0].startswith("could not be used"):
            return (
                f"The administrator's settings file {where} {self.problems[0]}. "
                "The app uses its usual settings instead. Please tell your IT department."
            )
        listed = "; ".join(self.problems)
        return (
            f"Some settings in the administrator's settings file {where} were ignored ({listed}). "
            "The app uses its usual values for those. Please tell your IT department."
        )


def site_config_path(environ: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """The site settings file to read: $VOICE_BROADCAST_SITE_CONFIG, else the system's site config
    folder. On Linux every `$XDG_CONFIG_DIRS` folder is searched, then /etc/xdg: a desktop session
    may put another folder first, and the .deb always installs under /etc/xdg."""
    environ = os.environ if environ is None else environ
    override = environ.get(SITE_CONFIG_VARIABLE, "").strip()
    if override:
        return Path(override)
    platform = platform or sys.platform
    if platform.startswith("linux") or platform.startswith("freebsd"):
        folders = [Path(p) / APP_ID for p in environ.get("XDG_CONFIG_DIRS", "").split(os.pathsep) if p.strip()]
        for folder in folders:
            if (folder / SITE_FILE_NAME).is_file():
                return folder / SITE_FILE_NAME
        return LINUX_SITE_DIR / SITE_FILE_NAME
    return platformdirs.site_config_path(APP_ID, appauthor=False) / SITE_FILE_NAME


def _line_of(text: str, key: str) -> int:
    """The line where `key` is set, for the message (JSON itself keeps no positions)."""
    match = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def load_site_config(path: Path | None) -> SiteConfig:
    """Read and check the site file. Never raises; a missing file is simply no site settings."""
    if path is None:
        return SiteConfig()
    try:
        return _load(path)
    except Exception as exc:  # the app must start whatever is in that file
        log.warning("site settings %s ignored: %s", path, type(exc).__name__)
        return SiteConfig(path, problems=(f"could not be used ({type(exc).__name__})",))


class _Unusable(Exception):
    """The whole file cannot be used; the message says why."""


def _load(path: Path) -> SiteConfig:
    try:
        text = _read_text(path)
        if text is None:
            return SiteConfig()  # no file: no site settings
        raw = _parse_object(text)
    except _Unusable as unusable:
        return SiteConfig(path, problems=(f"could not be used: {unusable}",))
    values: dict[str, object] = {}
    locked: set[str] = set()
    problems: list[str] = []
    for key, entry in raw.items():
        if key.startswith("_"):
            continue  # a comment
        try:
            values[key], is_locked = _checked(key, entry)
        except _Bad as bad:
            problems.append(f"line {_line_of(text, key)}: {bad}")
            continue
        if is_locked:
            locked.add(key)
    result = SiteConfig(path, values, frozenset(locked), tuple(problems))
    if problems:
        log.warning("site settings %s: %d problem(s): %s", path, len(problems), "; ".join(problems))
    else:
        log.info("site settings %s applied (locked: %s)", path, ", ".join(sorted(locked)) or "none")
    return result


def _read_text(path: Path) -> str | None:
    """The file's text, or None when there is no file. Raises _Unusable."""
    try:
        if path.stat().st_size > MAX_SITE_FILE_BYTES:
            raise _Unusable(f"it is larger than {MAX_SITE_FILE_BYTES} bytes")
        return path.read_text(encoding="utf-8-sig")  # Notepad may add a byte-order mark
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise _Unusable("it is not UTF-8 text") from None
    except OSError as exc:
        raise _Unusable(f"it cannot be read ({exc.strerror or exc})") from None


def _parse_object(text: str) -> dict[str, object]:
    """The file's one JSON object. Raises _Unusable."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise _Unusable(f"line {error.lineno}, column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise _Unusable("it is nested too deeply") from None
    if not isinstance(raw, dict):
        raise _Unusable("line 1: it must be one JSON object, { ... }")
    return raw


def _checked(key: str, entry: object) -> tuple[object, bool]:
    """The checked value the file sets for `key`, and whether it is locked. Raises _Bad, with a
    message that names the key."""
    if key not in SITE_KEYS:
        if any(word in key.lower() for word in _SECRET_WORDS):
            raise _Bad(f'"{key}" is not allowed: passwords and license keys are never read from this file')
        raise _Bad(f'"{key}" is not a setting this app knows (known: {", ".join(SITE_KEYS)})')
    value, is_locked = _unwrapped(key, entry)
    try:
        return SITE_KEYS[key](value), is_locked
    except _Bad as bad:
        raise _Bad(f'"{key}": {bad}') from None


def _unwrapped(key: str, entry: object) -> tuple[object, bool]:
    """A plain value (not locked), or the value and the lock of `{"value": ..., "locked": ...}`."""
    if not isinstance(entry, dict):
        return entry, False
    is_locked = entry.get("locked", False)
    if "value" not in entry or set(entry) - {"value", "locked"} or not isinstance(is_locked, bool):
        raise _Bad(f'"{key}" must be a value or {{"value": ..., "locked": true or false}}')
    return entry["value"], is_locked


def check_site_config(path: Path | None = None) -> int:
    """`--check-site-config`: print what the site file sets, as the app reads it. For IT, and for
    the installer checks. 0: the file is fine or absent; 1: it has problems (printed)."""
    path = path or site_config_path()
    site = load_site_config(path)
    if not path.is_file() and not site.problems:
        print(f"site settings: {path}: no file (the app uses its usual settings)", flush=True)
        return 0
    print(f"site settings: {path}", flush=True)
    for name, value in site.values.items():
        shown = json.dumps(value, ensure_ascii=False)
        print(f"  {name} = {shown}{' (locked)' if name in site.locked else ''}", flush=True)
    if site.problems:
        print(site.problem, flush=True)
        return 1
    print("site settings: OK", flush=True)
    return 0
