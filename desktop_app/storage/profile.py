"""Where files go: platformdirs by default, or one folder for an isolated profile (the self-test,
tests, training sessions)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import platformdirs
from platformdirs.api import PlatformDirsABC

from .. import APP_ID


class Profile(NamedTuple):
    config_dir: Path  # settings.json (non-secret settings and account names)
    data_dir: Path  # history.sqlite3
    log_dir: Path  # rotating log files
    cache_dir: Path  # cached voice list

    @classmethod
    def default(cls, dirs: type[PlatformDirsABC] = platformdirs.PlatformDirs) -> Profile:
        """The system's usual folders. Windows: settings in %APPDATA% (they roam with a domain
        profile), history, logs and cache in %LOCALAPPDATA% (they stay on the machine). macOS:
        ~/Library/Application Support, ~/Library/Logs, ~/Library/Caches. Linux: the XDG folders.
        `dirs` is the platformdirs class, so each system's folders can be checked on any system."""
        local, roaming = dirs(APP_ID, appauthor=False), dirs(APP_ID, appauthor=False, roaming=True)
        return cls(
            config_dir=Path(roaming.user_config_dir),
            data_dir=Path(local.user_data_dir),
            log_dir=Path(local.user_log_dir),
            cache_dir=Path(local.user_cache_dir),
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
