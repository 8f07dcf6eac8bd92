"""The "ready" rule of bench/startup.py for the plain-PySide6 programs it compares against (the
bare window, startup_floor.py): print "ready" one turn of the event loop after the window's first
paint, then quit. The app uses the same rule for its own start-up steps (desktop_app/ui/startup.py),
and its probe (desktop_app/ui/startup_probe.py) reports from there."""

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget


class ReadyAfterFirstPaint(QObject):
    def __init__(self, app: QApplication, window: QWidget) -> None:
        super().__init__(window)
        self.app, self.window = app, window
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.window.removeEventFilter(self)
            QTimer.singleShot(0, self._ready)
        return False

    def _ready(self) -> None:
        print("ready", flush=True)
        self.app.quit()
