"""Coloured words (errors, warnings, notes) that stay readable on a light or a dark window.

Each tone has a colour for light backgrounds and one for dark ones, both at least 4.5:1 against
the window colours of the usual light and dark palettes (WCAG 2.1 AA; tests/test_layout_fit.py
checks the pages in both). A label keeps its tone when the palette changes, as it does when Windows
switches to dark mode while the app runs. Colour is never the only sign: the words say it too.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget


class TextTone(Enum):
    ERROR = ("#b3261e", "#ff8a80")
    WARNING = ("#8a5a00", "#ffc46b")
    NOTE = ("#2a5599", "#8ab4f8")


def tone_colour(tone: TextTone, background: QColor) -> QColor:
    on_light, on_dark = tone.value
    return QColor(on_dark if background.lightness() < 128 else on_light)


class _ToneKeeper(QObject):
    """Sets the label's text colour for the background it sits on, again after a palette change."""

    def __init__(self, label: QWidget, tone: TextTone | None) -> None:
        super().__init__(label)
        self.label, self.tone = label, tone
        label.installEventFilter(self)
        self.apply()

    def apply(self) -> None:
        parent = self.label.parentWidget() or self.label
        palette = self.label.palette()
        if self.tone is None:
            colour = parent.palette().color(QPalette.ColorRole.WindowText)
        else:
            colour = tone_colour(self.tone, parent.palette().color(QPalette.ColorRole.Window))
        if palette.color(QPalette.ColorRole.WindowText) != colour:  # (setting it sends PaletteChange)
            palette.setColor(QPalette.ColorRole.WindowText, colour)
            self.label.setPalette(palette)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ParentChange):
            self.apply()
        return False


def set_text_tone(label: QWidget, tone: TextTone | None) -> None:
    """Show `label`'s text in `tone` (None: the palette's usual text colour)."""
    keeper = label.findChild(_ToneKeeper)
    if keeper is None:
        _ToneKeeper(label, tone)
    else:
        keeper.tone = tone
        keeper.apply()
