"""The main window's menu bar: File, Accounts, Go (one entry per page, Ctrl+1…) and Help."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol

from PySide6.QtGui import QAction, QKeySequence

from .. import APP_NAME
from .pages import PAGES

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenuBar, QTabWidget

    class Chrome(Protocol):  # what the menus use of the main window (which imports this module)
        tabs: QTabWidget

        def menuBar(self) -> QMenuBar: ...  # Qt's name
        def close(self) -> bool: ...
        def open_settings(self) -> object: ...
        def open_accounts(self) -> object: ...
        def open_log_folder(self) -> None: ...
        def show_about(self) -> None: ...


def install_menus(window: Chrome) -> None:
    file_menu = window.menuBar().addMenu("&File")
    file_menu.addAction(action(window, "&Settings…", window.open_settings, "Ctrl+,"))
    file_menu.addSeparator()
    file_menu.addAction(action(window, "&Quit", window.close, QKeySequence(QKeySequence.StandardKey.Quit)))
    accounts_menu = window.menuBar().addMenu("&Accounts")
    accounts_menu.addAction(action(window, "&Manage accounts…", window.open_accounts, "Ctrl+Shift+A"))
    go_menu = window.menuBar().addMenu("&Go")
    for index, spec in enumerate(PAGES):
        show_page = partial(window.tabs.setCurrentIndex, index)
        go_menu.addAction(action(window, spec.title.replace("&", ""), show_page, f"Ctrl+{index + 1}"))
    help_menu = window.menuBar().addMenu("&Help")
    help_menu.addAction(action(window, "Open &log folder", window.open_log_folder))
    help_menu.addAction(action(window, f"&About {APP_NAME}", window.show_about))


def action(window: Chrome, text: str, run: Callable[[], object], shortcut: str | QKeySequence = "") -> QAction:
    """A menu entry that calls `run()` (without the `checked` flag `triggered` carries)."""
    entry = QAction(text, window)
    entry.triggered.connect(lambda _checked=False: run())
    if shortcut:
        entry.setShortcut(QKeySequence(shortcut))
    return entry
