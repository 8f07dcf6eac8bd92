"""The row shown while a request runs: what is being done, for how long, and a way to stop waiting.

A server that does not answer keeps a request waiting up to the timeout (30 s by default). After
a few seconds the row counts the seconds, and where the page allows it, offers "Stop waiting": the
page then says honestly what is known (the request may still reach the service) and is usable
again, while the request itself ends on its own and records its outcome in History.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from .panels import plain_label

SHOW_ELAPSED_AFTER_SECONDS = 3  # a quick answer needs no clock
STOPPED_WAITING = "You stopped waiting"
STOPPED_WAITING_CANCEL = (
    "The service has not answered yet, so the cancel may or may not go through. History shows its "
    "outcome when the answer comes. It is safe to cancel again: calls already cancelled are not "
    "counted twice."
)
STOPPED_WAITING_CHECK = "The look-up was stopped, so whether the call was booked is still not known. Check again."
STOPPED_WAITING_BOOKING = (
    "The service has not answered yet, so the call may or may not be booked. History shows the "
    "outcome when the answer comes. Check before booking it again, so that nobody is called twice."
)


class BusyRow(QWidget):
    """An indeterminate progress bar with a label; `stopWaiting` when the user gives up waiting."""

    stopWaiting = Signal()

    def __init__(self, parent: QWidget | None = None, stoppable: bool = False) -> None:
        super().__init__(parent)
        self._text = ""
        self._clock = QElapsedTimer()
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setMaximumWidth(160)
        self.bar.setAccessibleName("Working")
        self.label = plain_label(word_wrap=True)
        layout.addWidget(self.bar)
        layout.addWidget(self.label, 1)
        # Only a row that can stop has the button (with its Alt letter, which must be free there).
        self.stop_button: QPushButton | None = None
        if stoppable:
            self.stop_button = QPushButton("St&op waiting")  # W is the When field's
            self.stop_button.setToolTip(
                "Stop waiting for the answer. The request may still reach the service; History shows its outcome."
            )
            self.stop_button.hide()
            self.stop_button.clicked.connect(self.stopWaiting)
            layout.addWidget(self.stop_button)
        self.hide()

    @property
    def elapsed_seconds(self) -> int:
        return self._clock.elapsed() // 1000 if self._clock.isValid() else 0

    def start(self, text: str) -> None:
        self._text = text
        self.label.setText(text)
        if self.stop_button is not None:
            self.stop_button.hide()
        self._clock.start()
        self._ticker.start()
        self.show()

    def stop(self) -> None:
        self._ticker.stop()
        self._clock.invalidate()
        if self.stop_button is not None:
            self.stop_button.hide()
        self.hide()

    def _tick(self) -> None:
        seconds = self.elapsed_seconds
        if seconds < SHOW_ELAPSED_AFTER_SECONDS:
            return
        self.label.setText(f"{self._text} {seconds} s so far.")
        if self.stop_button is not None and not self.stop_button.isVisible():
            self.stop_button.show()
