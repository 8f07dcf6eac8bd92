"""Render resources/icons/voice-broadcast-desk.svg to the PNG, ICO and ICNS files the installers use.

    python tools/make_icons.py      (needs Pillow: pip install pillow)

The outputs are committed, so builds need neither this script nor Pillow.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"


def main() -> None:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "voice-broadcast-desk.svg"))
    image = QImage(1024, 1024, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    big = ICONS / "voice-broadcast-desk-1024.png"
    image.save(str(big))
    with Image.open(big) as source:
        source.resize((256, 256), Image.LANCZOS).save(ICONS / "voice-broadcast-desk.png")
        source.save(
            ICONS / "voice-broadcast-desk.ico",
            sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)],
        )
        source.save(ICONS / "voice-broadcast-desk.icns")
    big.unlink()
    del app
    print("wrote", ", ".join(p.name for p in sorted(ICONS.iterdir())))


if __name__ == "__main__":
    main()
