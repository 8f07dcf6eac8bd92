"""Remember which namespace each PhoneNotify endpoint speaks, so the app can use it at once on the
next start (and re-discover it on a worker). A small JSON file; losing it costs one discovery."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path

from ..service.reference_data import KNOWN_NAMESPACES

log = logging.getLogger(__name__)
FORMAT_VERSION = 1


def _key(endpoint: str) -> str:
    # Host names and IIS paths are case-insensitive, and a trailing slash names the same service.
    return endpoint.strip().rstrip("/").lower()


class NamespaceCache:
    """`get(endpoint)` -> the cached namespace or None; `put(endpoint, namespace)` stores it.

    The file is written atomically (temporary file + rename). A missing, unreadable or corrupt
    file reads as empty, with a log line; it never raises.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("namespace cache %s ignored (%s)", self.path, type(exc).__name__)
            return {}
        endpoints = data.get("endpoints") if isinstance(data, dict) else None
        if not isinstance(endpoints, dict):
            log.warning("namespace cache %s ignored (unexpected content)", self.path)
            return {}
        return {k: v for k, v in endpoints.items() if isinstance(k, str) and v in KNOWN_NAMESPACES}

    def get(self, endpoint: str) -> str | None:
        with self._lock:
            return self._read().get(_key(endpoint))

    def put(self, endpoint: str, namespace: str) -> None:
        if namespace not in KNOWN_NAMESPACES:
            raise ValueError(f"not a PhoneNotify namespace: {namespace!r}")
        with self._lock:
            endpoints = self._read()
            if endpoints.get(_key(endpoint)) == namespace:
                return
            endpoints[_key(endpoint)] = namespace
            text = json.dumps({"version": FORMAT_VERSION, "endpoints": endpoints}, indent=2, sort_keys=True)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(prefix=".namespaces-", dir=self.path.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(text + "\n")
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
