"""Keyboard and screen-reader access, and layouts that fit at 100% and 200% scaling."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTableWidget,
    QWidget,
)

INPUTS = (QLineEdit, QPlainTextEdit, QComboBox, QAbstractSpinBox, QDateTimeEdit, QTableWidget, QListWidget)
ROOT = Path(__file__).resolve().parent.parent


def unnamed_controls(root: QWidget) -> list[str]:
    missing = []
    for widget in root.findChildren(QWidget):
        if widget.objectName().startswith("qt_") or isinstance(
            widget.parent(),
            (QAbstractSpinBox, QComboBox, QLineEdit),  # e.g. a line edit's own clear button
        ):
            continue  # Qt's own parts of a compound control
        if isinstance(widget, QAbstractButton):
            if not (widget.accessibleName() or widget.text().replace("&", "").strip()):
                missing.append(f"{type(widget).__name__} in {type(widget.parent()).__name__} {widget.objectName()!r}")
        elif isinstance(widget, INPUTS) and not widget.accessibleName():
            missing.append(
                f"{type(widget).__name__} {widget.objectName()!r} {getattr(widget, 'placeholderText', str)()!r}"
            )
    return missing


def test_every_control_has_an_accessible_name(qtbot, window):
    assert unnamed_controls(window) == []
    accounts = window.open_accounts()
    settings = window.open_settings()
    assert unnamed_controls(accounts) == [] and unnamed_controls(settings) == []
    accounts.close()
    settings.close()


def test_keyboard_shortcuts_and_tab_order(qtbot, window):
    for key, page in (
        (Qt.Key.Key_2, window.lookup_page),
        (Qt.Key.Key_3, window.page("watch")),
        (Qt.Key.Key_4, window.bulk_page),
        (Qt.Key.Key_5, window.schedule_page),
        (Qt.Key.Key_6, window.history_page),
    ):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert window.current_page() is page
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    page = window.cancel_page
    assert window.current_page() is page
    page.reference.setFocus()
    qtbot.waitUntil(page.reference.hasFocus)
    qtbot.keyClick(page.reference, Qt.Key.Key_Tab)
    assert page.cancel_button.hasFocus()
    qtbot.keyClick(page.cancel_button, Qt.Key.Key_Tab)
    assert page.queue_id.hasFocus()
    # Enter in the field starts the cancel (after a confirmation).
    page.reference.setText("kbd")
    qtbot.keyClick(page.reference, Qt.Key.Key_Return)
    from tests.test_ui import click_message_box

    click_message_box(qtbot, page, "Keep them")
    assert not page.in_flight


SCALED = textwrap.dedent(
    """
    import sys, tempfile
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from desktop_app.sandbox import Sandbox
    from desktop_app.storage.history import History
    from desktop_app.storage.profile import Profile
    from desktop_app.storage.secrets import KeyStore
    from desktop_app.storage.settings import Settings
    from desktop_app.ui.controller import AppContext, AppController
    from desktop_app.ui.main_window import MainWindow
    from tests.support import MemoryKeyring

    sandbox = Sandbox().start()
    profile = Profile.isolated(Path(tempfile.mkdtemp())).ensure()
    window = MainWindow(AppController(AppContext(profile, Settings(), KeyStore(MemoryKeyring()),
                                                 History(profile.history_file), sandbox)))
    window.resize(window.minimumSize())
    window.show()
    app.processEvents()
    problems = []
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        app.processEvents()
        page = window.current_page()
        need, have = page.minimumSizeHint(), page.size()
        if need.width() > have.width() or need.height() > have.height():
            problems.append(f"{window.tabs.tabText(index)} needs {need.width()}x{need.height()}, "
                            f"has {have.width()}x{have.height()}")
    print("ratio", window.devicePixelRatio())
    print("size", window.width(), window.height())
    print("problems", problems)
    window.grab().save(sys.argv[1])
    window.close()
    window.controller.executor.wait(5)
    sandbox.stop()
    """
)


def test_layouts_fit_the_minimum_window_at_100_and_200_percent(tmp_path):
    for scale in ("1", "2"):
        shot = tmp_path / f"scale-{scale}.png"
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": scale, "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [sys.executable, "-c", SCALED, str(shot)], capture_output=True, text=True, timeout=60, env=env, cwd=ROOT
        )
        assert result.returncode == 0, result.stderr[-2000:]
        lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
        assert float(lines["ratio"]) == float(scale)
        assert lines["size"] == "640 480"
        assert lines["problems"] == "[]", lines["problems"]
        assert shot.stat().st_size > 10_000
