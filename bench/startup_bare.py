"""The bare window bench/startup.py compares the app against: a PySide6 QMainWindow of the app's
default size, shown, and "ready" by the same rule (first_paint.py)."""

from first_paint import ReadyAfterFirstPaint
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication([])
window = QMainWindow()
window.resize(860, 680)
probe = ReadyAfterFirstPaint(app, window)
window.show()
app.exec()
