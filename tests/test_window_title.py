"""Issue 23, finding 9: the window title names the app once (Qt adds the display name itself)."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from desktop_app import APP_NAME
from tests.conftest import KEY_A, close_window, make_window


def test_the_title_says_sandbox_and_leaves_the_app_name_to_qt(qtbot, tmp_path, app_sandbox, memory_keyring):
    before = QGuiApplication.applicationDisplayName()
    QGuiApplication.setApplicationDisplayName(APP_NAME)  # as app.main does
    window = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    try:
        assert window.windowTitle() == "Sandbox"  # shown as "Sandbox — Voice Broadcast Desk"
        assert APP_NAME not in window.windowTitle()
    finally:
        close_window(window)
        QGuiApplication.setApplicationDisplayName(before)
