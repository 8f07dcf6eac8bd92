"""The big libraries imported on first use, on worker threads, one at a time.

keyring and the SOAP stack (zeep, requests, lxml) are imported after the first paint, on whichever
worker needs them first. Two threads importing different packages with shared dependencies can
each be handed the other's half-imported module: CPython breaks a possible import deadlock that
way. Seen twice in the self-test, keyring beside zeep: "No module named
'importlib.resources._adapters'" and "cannot import name 'py312'". So these imports take one lock.
(It is re-entrant: one heavy import may start another.)

With that lock, an import on a worker beside the GUI thread's own imports still failed, rarely:
"cannot import name 'fail' from 'keyring.backends'" (a module that is there), twice in about 820
self-test runs, and not reproduced with more logging in 400 more; the cause is not known. So a
heavy import that fails is tried once more. The modules that finished before the failure stay
loaded (Python drops only the ones that failed) and are not run again; the retry makes their
parents anew, so each is bound to its parent again, as Python does when it loads one. A module
that is not there at all is not tried again; one that is really broken fails the second time too.
"""

from __future__ import annotations

import importlib
import importlib.util
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
        before = set(sys.modules)
        try:
            return importlib.import_module(name, package)
        except ImportError as error:
            first = error
        full_name = importlib.util.resolve_name(name, package) if package else name
        if isinstance(first, ModuleNotFoundError) and first.name == full_name:
            raise first  # not there at all: nothing to try again
        module = importlib.import_module(name, package)
        _bind_to_parents(set(sys.modules) - before)
        log.warning(
            "importing %s failed once (%s: %s) and worked the second time", full_name, type(first).__name__, first
        )
        return module


def _bind_to_parents(names: set[str]) -> None:
    """Make each module an attribute of its package, where it is not (see the module's docstring)."""
    for name in names:
        parent, _, child = name.rpartition(".")
        if parent in sys.modules and name in sys.modules and not hasattr(sys.modules[parent], child):
            setattr(sys.modules[parent], child, sys.modules[name])
