"""The big libraries imported on first use, on worker threads, one at a time.

keyring and the SOAP stack (zeep, requests, lxml) are imported after the first paint, on whichever
worker needs them first. Two threads importing different packages with shared dependencies can
each be handed the other's half-imported module: CPython breaks a possible import deadlock that
way. Seen twice in the self-test, keyring beside zeep: "No module named
'importlib.resources._adapters'" and "cannot import name 'py312'". So these imports take one lock.
(It is re-entrant: one heavy import may start another.)

With that lock, an import on a worker beside the GUI thread's own imports still failed, rarely:
"cannot import name 'fail' from 'keyring.backends'" (a module that is there), twice in about 820
self-test runs, and not reproduced with more logging in 400 more; the cause is not known. A failed
import leaves nothing half-done in `sys.modules`, so a failed heavy import is logged and tried once
more: a module that is really missing fails the second time too, with the same error.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from types import ModuleType

log = logging.getLogger(__name__)
_lock = threading.RLock()


def heavy_import(name: str, package: str | None = None) -> ModuleType:
    loaded = sys.modules.get(name) if package is None else None
    if loaded is not None and not getattr(getattr(loaded, "__spec__", None), "_initializing", False):
        return loaded  # fully imported already: no need to wait for another import to finish
    with _lock:
        try:
            return importlib.import_module(name, package)
        except ImportError as error:
            log.warning("importing %s failed (%s: %s); trying once more", name, type(error).__name__, error)
            return importlib.import_module(name, package)
