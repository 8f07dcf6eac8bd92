"""The main window's menu bar: File, Accounts, Go (one entry per page, Ctrl+1…) and Help."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject
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
    bar = window.menuBar()  # the entries' parent: their shortcuts work wherever the window has focus
    file_menu = bar.addMenu("&File")
    file_menu.addAction(action(bar, "&Settings…", window.open_settings, "Ctrl+,"))
    file_menu.addSeparator()
    file_menu.addAction(action(bar, "&Quit", window.close, QKeySequence(QKeySequence.StandardKey.Quit)))
    accounts_menu = bar.addMenu("&Accounts")
    accounts_menu.addAction(action(bar, "&Manage accounts…", window.open_accounts, "Ctrl+Shift+A"))
    go_menu = bar.addMenu("&Go")
    for index, spec in enumerate(PAGES):
        show_page = partial(window.tabs.setCurrentIndex, index)
        go_menu.addAction(action(bar, spec.title.replace("&", ""), show_page, f"Ctrl+{index + 1}"))
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(action(bar, "Open &log folder", window.open_log_folder))
    help_menu.addAction(action(bar, f"&About {APP_NAME}", window.show_about))


def action(parent: QObject, text: str, run: Callable[[], object], shortcut: str | QKeySequence = "") -> QAction:
    """A menu entry that calls `run()` (without the `checked` flag `triggered` carries)."""
    entry = QAction(text, parent)
    entry.triggered.connect(lambda _checked=False: run())
    if shortcut:
        entry.setShortcut(QKeySequence(shortcut))
    return entry
