"""The big libraries imported on first use, on worker threads, one at a time.

keyring and the SOAP stack (zeep, requests, lxml) are imported after the first paint, on whichever
worker needs them first. Two threads importing different packages with shared dependencies can
each be handed the other's half-imported module: CPython breaks a possible import deadlock that
way. Seen twice in the self-test, keyring beside zeep: "No module named
'importlib.resources._adapters'" and "cannot import name 'py312'". So these imports take one lock.
(It is re-entrant: one heavy import may start another.)
"""

from __future__ import annotations

import importlib
import sys
import threading
from types import ModuleType

_lock = threading.RLock()


def heavy_import(name: str, package: str | None = None) -> ModuleType:
    loaded = sys.modules.get(name) if package is None else None
    if loaded is not None and not getattr(getattr(loaded, "__spec__", None), "_initializing", False):
        return loaded  # fully imported already: no need to wait for another import to finish
    with _lock:
        return importlib.import_module(name, package)
