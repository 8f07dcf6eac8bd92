"""The main window's menu bar: File, Accounts, Go (one entry per page, Ctrl+1…) and Help."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtGui import QAction, QKeySequence

from .. import APP_NAME
from .pages import PAGES

if TYPE_CHECKING:  # a Protocol class costs the first paint about 1 ms to create
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
    settings = QAction("&Settings…", window, shortcut=QKeySequence("Ctrl+,"), triggered=window.open_settings)
    quit_ = QAction("&Quit", window, shortcut=QKeySequence.StandardKey.Quit, triggered=window.close)
    file_menu.addAction(settings)
    file_menu.addSeparator()
    file_menu.addAction(quit_)
    accounts_menu = window.menuBar().addMenu("&Accounts")
    accounts_menu.addAction(
        QAction("&Manage accounts…", window, shortcut=QKeySequence("Ctrl+Shift+A"), triggered=window.open_accounts)
    )
    go_menu = window.menuBar().addMenu("&Go")
    for index, spec in enumerate(PAGES):
        go_menu.addAction(
            QAction(
                spec.title.replace("&", ""),
                window,
                shortcut=QKeySequence(f"Ctrl+{index + 1}"),
                triggered=lambda _=False, i=index: window.tabs.setCurrentIndex(i),
            )
        )
    help_menu = window.menuBar().addMenu("&Help")
    help_menu.addAction(QAction("Open &log folder", window, triggered=window.open_log_folder))
    help_menu.addAction(QAction(f"&About {APP_NAME}", window, triggered=window.show_about))
