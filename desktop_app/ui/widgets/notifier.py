"""Telling the user that a watched call ended, without stealing focus.

Where the desktop has a system tray, a tray message; otherwise a status-bar message. Either way
the tab of the watch list gets a badge ("Calls from this desk (2)") until it is looked at.
Nothing here raises or activates a window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow, QStyle, QSystemTrayIcon, QTabWidget

if TYPE_CHECKING:
    from ..watcher import Watcher

TITLE = "A call has ended"
SHOW_MS = 30_000


class Notifier(QObject):
    def __init__(self, window: QMainWindow, tabs: QTabWidget, tab_index: int, tab_title: str) -> None:
        super().__init__(window)
        self.window, self.tabs, self.tab_index, self.tab_title = window, tabs, tab_index, tab_title
        self.unseen = 0
        self.last = ""
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            icon = window.windowIcon()
            if icon.isNull():
                icon = window.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
            self.tray = QSystemTrayIcon(icon, self)
            self.tray.setToolTip(window.windowTitle())
            self.tray.show()
        tabs.currentChanged.connect(self._tab_shown)

    def notify(self, text: str) -> None:
        """`text`: one plain sentence ("Call 4093250 to 7575551237 ended: answered by a machine, 0:08")."""
        self.last = text
        if self.tray is not None:
            self.tray.showMessage(TITLE, text, QSystemTrayIcon.MessageIcon.Information, SHOW_MS)
        else:
            self.window.statusBar().showMessage(text, SHOW_MS)
        if self.tabs.currentIndex() != self.tab_index or not self.window.isActiveWindow():
            self.unseen += 1
            self.tabs.setTabText(self.tab_index, self.badge_text())

    def badge_text(self) -> str:
        return f"{self.tab_title} ({self.unseen})" if self.unseen else self.tab_title

    def _tab_shown(self, index: int) -> None:
        if index == self.tab_index and self.unseen:
            self.unseen = 0
            self.tabs.setTabText(self.tab_index, self.tab_title)


def install_watch_notifier(window: QMainWindow, tabs: QTabWidget, watcher: Watcher, key: str = "watch") -> Notifier:
    """Connect `watcher` to a Notifier on `window`, whose page `key` is one of `tabs`; once only:
    a second call returns the first Notifier."""
    existing = window.findChild(Notifier)
    if existing is not None:
        return existing
    from ..pages import PAGES

    index = next(i for i, spec in enumerate(PAGES) if spec.key == key)
    notifier = Notifier(window, tabs, index, PAGES[index].title)
    watcher.callEnded.connect(notifier.notify)
    return notifier
