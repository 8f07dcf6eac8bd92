"""Qt's offscreen platform with a screen of a chosen size (its default screen is 800 x 600).

Set before the QApplication exists. The tests and `./dev screenshots` use a 1920 x 1080 screen,
where the window opens at its default 860 x 680; tools/layout_check.py uses the small ones."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

DESK_SCREEN = (1920, 1080)


def use_offscreen_screen(width: int, height: int) -> None:
    config = {"screens": [{"name": "desk", "x": 0, "y": 0, "width": width, "height": height, "logicalDpi": 96}]}
    path = Path(tempfile.mkdtemp(prefix="vbd-screen-")) / "screen.json"
    path.write_text(json.dumps(config))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={without_colons(path)}"


def without_colons(path: Path) -> str:
    """Qt splits the platform's options at every ':', a drive letter's too (C:\\...), and then ends
    the process without a word: on Windows, the path relative to the working folder."""
    if os.name != "nt":
        return str(path)
    try:
        relative = os.path.relpath(path)
    except ValueError:  # on another drive: a copy beside the working folder
        relative = os.path.relpath(Path(tempfile.mkdtemp(prefix="vbd-screen-", dir=os.curdir)) / path.name)
        Path(relative).write_text(path.read_text())
    return relative
