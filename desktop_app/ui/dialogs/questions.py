"""Small message boxes of the main window: closing during a bulk run, and About."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from ... import APP_NAME, __version__
from ...storage.profile import Profile


def ask_close_during_bulk(parent: QWidget, wait: Callable[[], None], close_now: Callable[[], None]) -> QMessageBox:
    """Wait for the run, close now (nothing more is sent), or stay. Does not block the event loop."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "A bulk cancel is still running",
        "Calls are still being cancelled. If you close now, nothing more is sent; the requests already "
        "sent finish and are written to the history.",
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    wait_button = box.addButton("Wait, then close", QMessageBox.ButtonRole.AcceptRole)
    now_button = box.addButton("Close now", QMessageBox.ButtonRole.DestructiveRole)
    stay = box.addButton("Don't close", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(wait_button)
    box.setEscapeButton(stay)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def chosen(button: object) -> None:
        if button is wait_button:
            wait()
        elif button is now_button:
            close_now()

    box.buttonClicked.connect(chosen)
    box.open()
    return box


def show_about(parent: QWidget, profile: Profile) -> None:
    import html  # here: not needed for the first paint

    folders = (
        f"{label}: {html.escape(str(path))}"
        for label, path in (
            ("Settings", profile.config_dir),
            ("History", profile.history_file),
            ("Logs", profile.log_dir),
        )
    )
    QMessageBox.about(
        parent,
        f"About {APP_NAME}",
        f"<h3>{APP_NAME} {__version__}</h3>"
        "<p>Schedule and cancel calls with the Esendex Voice Broadcast API (PhoneNotify).</p>"
        f"<p>{'<br>'.join(folders)}</p>",
    )
