"""Where files go: platformdirs by default, or one folder for an isolated profile (the self-test,
tests, training sessions)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

from .. import APP_ID


@dataclass(frozen=True)
class Profile:
    config_dir: Path  # settings.json (non-secret settings and account names)
    data_dir: Path  # history.sqlite3
    log_dir: Path  # rotating log files
    cache_dir: Path  # cached voice list

    @classmethod
    def default(cls) -> Profile:
        return cls(
            config_dir=platformdirs.user_config_path(APP_ID, appauthor=False),
            data_dir=platformdirs.user_data_path(APP_ID, appauthor=False),
            log_dir=platformdirs.user_log_path(APP_ID, appauthor=False),
            cache_dir=platformdirs.user_cache_path(APP_ID, appauthor=False),
        )

    @classmethod
    def isolated(cls, root: Path) -> Profile:
        return cls(root / "config", root / "data", root / "logs", root / "cache")

    def ensure(self) -> Profile:
        for folder in (self.config_dir, self.data_dir, self.log_dir, self.cache_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def history_file(self) -> Path:
        return self.data_dir / "history.sqlite3"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "voice-broadcast-desk.log"

    @property
    def voices_file(self) -> Path:
        return self.cache_dir / "voices.json"
