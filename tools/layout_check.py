"""Every page at one screen size, scale and palette, filled as staff see it, checked for clipping.

    python tools/layout_check.py --screen 1024x600 --scale 1 [--palette dark] [--shots DIR]

The screen is Qt's offscreen screen of that size (its configuration file), the scale Qt's
`QT_SCALE_FACTOR`; the window opens as the app opens it on that screen. Each page is filled
(a booking, a cancel count, calls found, the watch list, a bulk run, the history) and checked:
- the page gets at least the room its layout needs;
- every table's Status or Result column is wholly inside the table's view, and each of its cells
  shows all of its text (on one line, or wrapped with the row tall enough);
- every word-wrapped label on the page is tall enough for its text, and every other label wide
  enough for it.
Prints one JSON object (the window's size, the screen's, the problems found) and, with --shots,
saves each scene as `<DIR>/<prefix>-<scene>.png`. tests/test_layout_fit.py runs it at the sizes staff
use; `./dev screenshots` keeps the pictures in docs/screenshots/.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def configure_screen(width: int, height: int, scale: str) -> None:
    """Before the QApplication exists: an offscreen screen of `width` x `height` device pixels."""
    from tools.offscreen import use_offscreen_screen

    use_offscreen_screen(width, height)
    os.environ["QT_SCALE_FACTOR"] = scale
    if hasattr(time, "tzset"):  # POSIX: the times shown as in tools/screenshots.py (Windows has no tzset)
        os.environ["TZ"] = "America/New_York"
        time.tzset()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screen", default="1024x600", help="device pixels, WIDTHxHEIGHT")
    parser.add_argument("--scale", default="1", help="Qt's scale factor: 1, 1.5, 2")
    parser.add_argument("--palette", choices=("light", "dark", "high-contrast"), default="light")
    parser.add_argument("--shots", type=Path, help="save each page here as a PNG")
    parser.add_argument("--prefix", default="layout")
    parser.add_argument("--only", help="save only these scenes (comma-separated), e.g. lookup,watch")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    width, height = (int(n) for n in args.screen.split("x"))
    configure_screen(width, height, args.scale)

    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    app.setApplicationDisplayName("Voice Broadcast Desk")
    if args.palette != "light":
        from tools.layout_support import dark_palette, high_contrast_palette

        app.setPalette(dark_palette() if args.palette == "dark" else high_contrast_palette())

    from desktop_app.sandbox import ManualClock, Sandbox
    from tests.support import MemoryKeyring
    from tools.layout_support import ACCOUNTS, fill_pages, problems_on
    from tools.screenshots_support import close_all, settle, window_for

    sandbox = Sandbox(clock=ManualClock(datetime.now(UTC))).start()
    window = window_for(Path(tempfile.mkdtemp(prefix="vbd-layout-")), sandbox, MemoryKeyring(), ACCOUNTS)
    opened = (window.width(), window.height())
    problems: list[str] = []
    screen = window.screen().availableGeometry()
    if not screen.contains(window.frameGeometry()):
        problems.append(f"the window ({window.frameGeometry().getRect()}) does not fit the screen {screen.getRect()}")
    for key, scene in fill_pages(window, sandbox):
        window.show_page(key)
        settle(0.2)
        problems += [f"{scene}: {problem}" for problem in problems_on(window.current_page())]
        if args.shots and (not args.only or scene in args.only.split(",")):
            args.shots.mkdir(parents=True, exist_ok=True)
            window.grab().save(str(args.shots / f"{args.prefix}-{scene}.png"))
    print(json.dumps({"window": opened, "screen": [screen.width(), screen.height()], "problems": problems}))
    close_all(window)
    sandbox.stop()


if __name__ == "__main__":
    main()
