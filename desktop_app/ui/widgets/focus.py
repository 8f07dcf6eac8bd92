"""A focus ring that can be seen: a 2-pixel dark blue frame (light blue on a dark window) around
the widget with the keyboard focus, in every window of the app. Qt's own (Fusion) is a thin line much like the default
button's border. The ring is drawn beside the widget, not by a style sheet on it, so buttons,
fields and tables keep their native look and size."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QApplication, QFocusFrame, QWidget
from shiboken6 import isValid

from .panels import FOCUS_RING

RING_WIDTH = 2
RING_ON_DARK = "#6cb8ff"  # light blue: about 8:1 against a dark window (Windows' dark mode)


def ring_colour(background: QColor) -> QColor:
    return QColor(RING_ON_DARK if background.lightness() < 128 else FOCUS_RING)


class FocusRing(QFocusFrame):
    """Qt's focus frame (it follows the widget as it moves, resizes or hides), painted as a ring."""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(ring_colour(self.palette().color(QPalette.ColorRole.Window)), RING_WIDTH)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        half = RING_WIDTH / 2
        painter.drawRoundedRect(self.rect().toRectF().adjusted(half, half, -half, -half), 3, 3)


class FocusRings(QObject):
    """Moves the one ring to each widget that takes the focus (none for a window itself)."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.ring = FocusRing()
        app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if not isValid(self.ring):  # it lives in the focused widget's parent, which may have gone
            self.ring = FocusRing()
        nothing: Any = None  # Qt takes a null widget (no ring); the type stubs do not say so
        self.ring.setWidget(new if new is not None and not new.isWindow() else nothing)


def install_focus_ring() -> None:
    """Once per application; later calls do nothing."""
    app = QApplication.instance()
    if isinstance(app, QApplication) and app.findChild(FocusRings) is None:
        FocusRings(app)
