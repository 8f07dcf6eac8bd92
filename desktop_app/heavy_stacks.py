"""The keyring stack and the SOAP stack, imported once, by one thread, in one order. No Qt here.

Why. CPython (3.11) gives each module being imported its own lock. When two threads import modules
that need each other in opposite order, each holds the lock the other waits for. CPython does not
let that deadlock happen: the thread that would wait for a module the other thread is still
running (one already in sys.modules) gets that module anyway, half run
(`importlib._bootstrap._lock_unlock_module` catches the `_DeadlockError` that `_ModuleLock.acquire`
raises: "Concurrent circular import, we'll accept a partially initialized module object"). That
thread then fails with "cannot import name ... from partially initialized module ...". The other
thread was waiting for a module whose import has just failed; it is handed that failed module and
fails in turn with "cannot import name 'x' from 'y'", for a module that is there. Those are the
shapes of the two failures seen when keyring was imported on a worker beside other imports:
"cannot import name 'fail' from 'keyring.backends'" and "cannot import name 'py312'"
(importlib_metadata, which keyring imports). tests/test_reliability.py reproduces the mechanism with
two small modules that import each other.

What. `load()` imports both stacks (the modules in `modules()`): keyring and the backends the app
may choose (storage/keyring_choice.py), then lxml, requests, zeep and the app's modules that use
them (service.client, service.discovery). One lock, one thread, one fixed order, once: a thread
that calls it meanwhile waits for the whole load, then returns; later calls cost a flag check.
Nothing is retried and nothing is patched up: an ImportError reaches the caller (a later call
tries again, from the start, as a plain `import` would).

Who calls it. Every worker job, first (ui/executor.py), so the first job loads the stacks before
any of its own code runs and the others wait. Code that may run elsewhere calls it before it
imports any of these modules, then imports them as usual: the service package's lazy names for
the client and discovery, storage/secrets.py and storage/keyring_choice.py. The GUI thread never
imports these stacks (nor calls `load()`: it would freeze the window while they load).

What it cannot do. It orders the threads that call it. A thread that imports a module of these
stacks without calling it first could meet the load half-way, as before.
"""

from __future__ import annotations

import importlib
import sys
import threading

KEYRING_STACK = ("keyring", "keyring.core", "keyring.errors", "keyring.backends.fail")
# The modules of storage/keyring_choice.py's PLATFORM_BACKENDS (BSDs are treated as Linux there).
KEYRING_BACKENDS = {
    "win32": ("keyring.backends.Windows",),
    "darwin": ("keyring.backends.macOS",),
    "linux": ("keyring.backends.SecretService", "keyring.backends.kwallet"),
}
SOAP_STACK = ("lxml.etree", "requests", "zeep", "desktop_app.service.client", "desktop_app.service.discovery")

_lock = threading.Lock()
_loaded = False
_loading_thread: int | None = None


def modules(platform: str = sys.platform) -> tuple[str, ...]:
    """What `load()` imports, in order."""
    return (*KEYRING_STACK, *KEYRING_BACKENDS.get(platform, KEYRING_BACKENDS["linux"]), *SOAP_STACK)


def load() -> None:
    """Import the keyring and SOAP stacks unless that is done; wait while another thread does it."""
    global _loaded, _loading_thread
    if _loaded or _loading_thread == threading.get_ident():
        return  # (the second: a module of the stacks asking while it is imported must not wait for itself)
    with _lock:
        if _loaded:
            return
        _loading_thread = threading.get_ident()
        try:
            for name in modules():
                importlib.import_module(name)
        finally:
            _loading_thread = None
        _loaded = True
