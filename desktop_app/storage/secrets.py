"""License keys in the operating system's keyring, behind one small facade.

- One entry per account under the service name `VoiceBroadcastDesk`.
- Every keyring call is serialised by one lock (backends are not all thread-safe, and an unlock
  prompt must not be raced). Callers run these methods on a worker thread, never the GUI thread.
- Every keyring failure becomes a `KeyStoreError` with a plain message. There is never a
  plaintext fallback: without a secure store, a key can only be kept in memory for this session,
  and only when the user asks for that.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NamedTuple

from .. import heavy_stacks

if TYPE_CHECKING:  # keyring itself is imported on first use, on a worker thread, after the first paint
    import keyring.backend

log = logging.getLogger(__name__)

SERVICE_NAME = "VoiceBroadcastDesk"
# Proxy passwords: a service of their own, so that no account name can ever collide with one.
PROXY_SERVICE_NAME = "VoiceBroadcastDesk proxy sign-in"
# An account's separate license key for listening (GetTTSIn…), under the account's name.
SPEECH_SERVICE_NAME = "VoiceBroadcastDesk speech"

# What to call each backend in the window.
_BACKEND_NAMES = {
    "keyring.backends.SecretService": "GNOME Keyring / Secret Service",
    "keyring.backends.libsecret": "GNOME Keyring / Secret Service (libsecret)",
    "keyring.backends.kwallet": "KDE Wallet",
    "keyring.backends.Windows": "Windows Credential Manager",
    "keyring.backends.macOS": "macOS Keychain",
}
_INSECURE_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


class KeyStoreError(Exception):
    """`str(error)` is a plain message for the user."""

    title = "License key unavailable"


class StoreInfo(NamedTuple):
    name: str  # e.g. "GNOME Keyring / Secret Service"
    secure: bool  # False: no secure store; keys can only be kept for this session

    @property
    def description(self) -> str:
        if self.secure:
            return f"License keys are stored in {self.name}."
        return (
            "No secure key store is available on this computer, so license keys cannot be saved. "
            "You can keep a key for this session only; it is forgotten when the app closes."
        )


def _describe(backend: keyring.backend.KeyringBackend) -> StoreInfo:
    module = type(backend).__module__
    if module.startswith("keyring.backends.chainer"):
        inner = [b for b in getattr(backend, "backends", []) if not type(b).__module__.startswith(_INSECURE_MODULES)]
        if not inner:
            return StoreInfo("no secure store", False)
        return _describe(inner[0])
    if module.startswith(_INSECURE_MODULES):
        return StoreInfo("no secure store", False)
    name = next((label for prefix, label in _BACKEND_NAMES.items() if module.startswith(prefix)), None)
    return StoreInfo(name or type(backend).__name__, True)


class KeyStore:
    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend
        self._lock = threading.Lock()
        self._session_keys: dict[tuple[str, str], str] = {}  # (service, account): "this session only", never disk
        self._session_passwords: dict[str, str] = {}  # proxy passwords kept for this session only

    @property
    def backend(self) -> keyring.backend.KeyringBackend:
        if self._backend is not None:
            return self._backend
        from .keyring_choice import choose_backend

        backend = choose_backend()  # may be slow (D-Bus): worker thread only
        if not type(backend).__module__.startswith(_INSECURE_MODULES):
            self._backend = backend  # "none works" is asked again next time: it may have started since
        return backend

    def info(self) -> StoreInfo:
        with self._keyring_call("checked"):
            return _describe(self.backend)

    # -- session-only keys --------------------------------------------------------------------

    def keep_for_session(self, account: str, key: str, service: str = SERVICE_NAME) -> None:
        from ..service import validation  # on first use: the first paint does not need it

        self._session_keys[service, account] = validation.license_key(key)

    def is_session_only(self, account: str, service: str = SERVICE_NAME) -> bool:
        return (service, account) in self._session_keys

    # -- the keyring ----------------------------------------------------------------------------

    @contextmanager
    def _keyring_call(self, action: str, what: str = "the key") -> Iterator[None]:
        """Hold the lock and turn any backend failure into a plain KeyStoreError."""
        with self._lock:
            heavy_stacks.load()  # the first use imports keyring (and the SOAP stack), as every worker does
            import keyring.errors as keyring_errors

            try:
                yield
            except KeyStoreError:
                raise
            except keyring_errors.KeyringLocked:
                raise KeyStoreError(
                    f"The keyring is locked, so {what} could not be {action}. "
                    "Unlock it (you may be asked for your login password) and try again."
                ) from None
            except keyring_errors.NoKeyringError:
                raise KeyStoreError(f"No secure key store is available, so {what} could not be {action}.") from None
            except Exception as error:  # D-Bus and platform errors are not all KeyringErrors
                # The type and where it arose, never the message (it could quote what was stored).
                log.warning("keyring call failed: %s at %s", type(error).__name__, _where(error))
                raise KeyStoreError(
                    f"The keyring reported a problem, so {what} could not be {action}. "
                    "Try again; if it keeps happening, sign out and in again to restart the keyring."
                ) from None

    def get(self, account: str, service: str = SERVICE_NAME) -> str:
        """The account's key (its license key, or with SPEECH_SERVICE_NAME its speech key). Raises
        KeyStoreError if there is none or the keyring fails."""
        if (service, account) in self._session_keys:
            return self._session_keys[service, account]
        with self._keyring_call("read"):
            key = self.backend.get_password(service, account)
        if not key:
            raise KeyStoreError(
                f"There is no license key saved for “{account}” (it may have been removed outside this app). "
                "Open Accounts and enter the key again."
            )
        return key

    def set(self, account: str, key: str, service: str = SERVICE_NAME) -> None:
        from ..service import validation

        key = validation.license_key(key)
        if not _describe(self.backend).secure:
            raise KeyStoreError(
                "No secure key store is available, so the key was not saved. Keep it for this session only instead."
            )
        with self._keyring_call("saved"):
            self.backend.set_password(service, account, key)
        self._session_keys.pop((service, account), None)

    def delete(self, account: str, service: str = SERVICE_NAME) -> None:
        """Remove the account's key. A key that is already gone counts as removed."""
        self._session_keys.pop((service, account), None)
        if not _describe(self.backend).secure:
            return
        try:
            with self._keyring_call("removed"):
                self.backend.delete_password(service, account)
        except KeyStoreError:
            # Backends raise PasswordDeleteError for an entry that is already gone: that is success.
            with self._keyring_call("removed"):
                if self.backend.get_password(service, account):
                    raise

    def delete_account(self, account: str) -> None:
        """Remove the account's license key and its speech key, if it has one."""
        self.delete(account)
        self.delete(account, SPEECH_SERVICE_NAME)

    def rename(self, old: str, new: str) -> None:
        """Move the account's keys (the license key, and the speech key if it has one) to `new`."""
        for service in (SERVICE_NAME, SPEECH_SERVICE_NAME):
            if (service, old) in self._session_keys:
                self._session_keys[service, new] = self._session_keys.pop((service, old))
                continue
            try:
                key = self.get(old, service)
            except KeyStoreError:
                if service == SERVICE_NAME:
                    raise
                continue  # no speech key: nothing to move
            self.set(new, key, service)
            self.delete(old, service)

    # -- proxy sign-in passwords ---------------------------------------------------------------------
    # One entry per proxy and user name ("jdoe@proxy.corp.example:8080") under PROXY_SERVICE_NAME.
    # Like license keys: the keyring, or memory for this session when there is no secure store; never
    # a file, the environment, a log or the history.

    def get_proxy_password(self, proxy: str, username: str) -> str | None:
        """The saved password, or None when there is none. Raises KeyStoreError on a keyring failure."""
        entry = proxy_entry(proxy, username)
        if entry in self._session_passwords:
            return self._session_passwords[entry]
        with self._keyring_call("read", "the proxy password"):
            backend = self.backend
            if not _describe(backend).secure:
                return None
            return backend.get_password(PROXY_SERVICE_NAME, entry) or None

    def set_proxy_password(self, proxy: str, username: str, password: str, session_only: bool = False) -> bool:
        """Save the password in the keyring; True if it was saved there, False if it is kept for this
        session only (asked for, or no secure store)."""
        entry = proxy_entry(proxy, username)
        if not session_only:
            with self._keyring_call("saved", "the proxy password"):
                backend = self.backend
                if _describe(backend).secure:
                    backend.set_password(PROXY_SERVICE_NAME, entry, password)
                    self._session_passwords.pop(entry, None)
                    return True
        self._session_passwords[entry] = password
        return False

    def delete_proxy_password(self, proxy: str, username: str) -> None:
        entry = proxy_entry(proxy, username)
        self._session_passwords.pop(entry, None)
        with self._keyring_call("removed", "the proxy password"):
            backend = self.backend
            if _describe(backend).secure and backend.get_password(PROXY_SERVICE_NAME, entry):
                backend.delete_password(PROXY_SERVICE_NAME, entry)


def proxy_entry(proxy: str, username: str) -> str:
    """The keyring entry's name for a proxy sign-in: "user@host:port" (no secret in it)."""
    return f"{username}@{proxy}"


def _where(error: BaseException) -> str:
    """The file and line where `error` was raised, for the log."""
    frames = traceback.extract_tb(error.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
