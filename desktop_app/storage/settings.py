"""Non-secret settings in a JSON file: endpoint, timeout, CA bundle, account *names*, window
geometry. A license key is never written here."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from ..service.reference_data import DEFAULT_ENDPOINT, DEFAULT_TIMEOUT_SECONDS

log = logging.getLogger(__name__)


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

    @classmethod
    def load(cls, path: Path) -> Settings:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            log.warning("settings file unreadable (%s); using defaults", type(exc).__name__)
            return cls()
        known = {f.name for f in fields(cls)}
        settings = cls(**{k: v for k, v in raw.items() if k in known}) if isinstance(raw, dict) else cls()
        settings.accounts = [str(a) for a in settings.accounts if isinstance(a, str)]
        return settings

    def save(self, path: Path) -> None:
        """Atomic: write a temporary file, then rename it over the old one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=".settings-", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(asdict(self), out, indent=2, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
