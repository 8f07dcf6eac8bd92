"""Which keyring backend to use: the platform's own, found without keyring's full discovery.

keyring's own discovery imports every backend it knows, each checking whether it works here (its
macOS backend alone runs `ctypes.util.find_library`, a slow search on Linux), and scans every
installed package for plug-ins. The app only trusts the platform's own secure store, so it asks
just those, in keyring's order of preference:
- an explicit choice wins: `PYTHON_KEYRING_BACKEND`, or keyring's own `keyringrc.cfg`;
- then the platform backend that works here (if two do, say GNOME Keyring and KDE Wallet both
  running, the one keyring itself prefers: the higher priority);
- if none works: no secure store. A third-party backend is used only when chosen explicitly above.
  That answer is not kept (`KeyStore`), so a keyring that was only slow to start is found later.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import TYPE_CHECKING

from .. import heavy_stacks

if TYPE_CHECKING:
    import keyring.backend

log = logging.getLogger(__name__)
_reported: set[str] = set()

PLATFORM_BACKENDS: dict[str, tuple[str, ...]] = {
    "win32": ("keyring.backends.Windows.WinVaultKeyring",),
    "darwin": ("keyring.backends.macOS.Keyring",),
    "linux": ("keyring.backends.SecretService.Keyring", "keyring.backends.kwallet.DBusKeyring"),
}


def _viable(class_path: str) -> type[keyring.backend.KeyringBackend] | None:
    module_name, _, class_name = class_path.rpartition(".")
    try:
        backend_class = getattr(importlib.import_module(module_name), class_name)
        return backend_class if backend_class.priority >= 1 else None  # keyring's "recommended"
    except Exception as error:  # a missing library or no D-Bus session: not usable here
        if class_path not in _reported:  # once: "none works" is asked again on every keyring call
            _reported.add(class_path)
            log.info("keyring backend %s is not usable here (%s)", class_path, type(error).__name__)
        return None


def choose_backend(platform: str = sys.platform) -> keyring.backend.KeyringBackend:
    heavy_stacks.load()  # keyring and this platform's backends (PLATFORM_BACKENDS)
    import keyring.core as core
    from keyring.backends import fail

    explicit = core.load_env() or core.load_config()
    if explicit is not None:
        return explicit
    candidates = PLATFORM_BACKENDS.get(platform, PLATFORM_BACKENDS["linux"])  # BSDs: as Linux
    viable = [backend for backend in map(_viable, candidates) if backend is not None]
    if viable:
        return max(viable, key=lambda backend: backend.priority)()
    return fail.Keyring()
