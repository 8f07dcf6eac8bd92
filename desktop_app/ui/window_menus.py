"""The main window's menu bar: File, Accounts, Go (one entry per page, Ctrl+1…) and Help.

In sandbox mode File also has "Reset the training data…": after a question that says what it
clears, the sandbox forgets every call it holds (its control route, on the executor); the desk's
history stays. The answer goes to the status bar.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

from .. import APP_NAME
from .connection import SANDBOX_STARTING
from .pages import PAGES
from .widgets.panels import confirm

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenuBar, QStatusBar, QTabWidget, QWidget

    from .controller import AppController

    class Chrome(Protocol):  # what the menus use of the main window (which imports this module)
        tabs: QTabWidget
        controller: AppController

        def menuBar(self) -> QMenuBar: ...  # Qt's name
        def statusBar(self) -> QStatusBar: ...  # Qt's name
        def window(self) -> QWidget: ...  # Qt's name: the window itself, as a widget
        def close(self) -> bool: ...
        def open_settings(self) -> object: ...
        def open_accounts(self) -> object: ...
        def open_log_folder(self) -> None: ...
        def show_about(self) -> None: ...
        def go_to_page(self, index: int) -> None: ...


def install_menus(window: Chrome) -> None:
    bar = window.menuBar()  # the entries' parent: their shortcuts work wherever the window has focus
    file_menu = bar.addMenu("&File")
    file_menu.addAction(action(bar, "&Settings…", window.open_settings, "Ctrl+,"))
    if window.controller.connection.sandbox_mode:
        file_menu.addAction(action(bar, RESET_ENTRY, partial(ask_reset_training_data, window)))
    file_menu.addSeparator()
    file_menu.addAction(action(bar, "&Quit", window.close, QKeySequence(QKeySequence.StandardKey.Quit)))
    accounts_menu = bar.addMenu("&Accounts")
    accounts_menu.addAction(action(bar, "&Manage accounts…", window.open_accounts, "Ctrl+Shift+A"))
    go_menu = bar.addMenu("&Go")
    for index, spec in enumerate(PAGES):
        show_page = partial(window.go_to_page, index)
        go_menu.addAction(action(bar, spec.title.replace("&", ""), show_page, f"Ctrl+{index + 1}"))
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(action(bar, "Open &log folder", window.open_log_folder))
    help_menu.addAction(action(bar, f"&About {APP_NAME}", window.show_about))


RESET_ENTRY = "&Reset the training data…"
RESET_TITLE = "Reset the training data"
RESET_QUESTION = (
    "This deletes every call the training sandbox holds, for every account. History on this desk is kept. Reset?"
)
RESETTING = "Resetting the training data…"


def ask_reset_training_data(window: Chrome) -> None:
    confirm(
        window.window(),
        RESET_TITLE,
        RESET_QUESTION,
        partial(reset_training_data, window),
        yes_text="Reset the training data",
        no_text="Keep it",
        icon=QMessageBox.Icon.Warning,
    )


def reset_training_data(window: Chrome) -> None:
    """Ask the sandbox to forget its calls, on the executor; the status bar says how it went."""
    sandbox, status = window.controller.connection.sandbox, window.statusBar()
    if sandbox is None:
        problem = window.controller.connection.sandbox_problem
        status.showMessage(f"The sandbox could not start: {problem}" if problem else SANDBOX_STARTING)
        return

    def done(deleted: int) -> None:
        calls = "1 call" if deleted == 1 else f"{deleted} calls"
        status.showMessage(f"Training data reset: {calls} deleted. History on this desk is kept.")

    def failed(error: BaseException) -> None:
        status.showMessage(f"The training data was not reset: {error}")

    status.showMessage(RESETTING)
    window.controller.reset_training_data(done, failed, owner=status)


def action(parent: QObject, text: str, run: Callable[[], object], shortcut: str | QKeySequence = "") -> QAction:
    """A menu entry that calls `run()` (without the `checked` flag `triggered` carries)."""
    entry = QAction(text, parent)
    entry.triggered.connect(lambda _checked=False: run())
    if shortcut:
        entry.setShortcut(QKeySequence(shortcut))
    return entry
