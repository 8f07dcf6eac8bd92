"""The main window: composition and chrome only.

It holds the menus, the sandbox banner, the account picker, the notice line, the tabs and the
status bar. The pages do the work through the controller; the window builds each page the first
time it is needed (the visible one before the first paint, the others right after it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QPoint, QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..storage.secrets import StoreInfo
from .controller import AppController
from .pages import PAGES, PageSpec, build_page
from .startup import AfterFirstPaint, set_app_icon
from .widgets import ResultPanel, Tone, plain_label
from .widgets.focus import install_focus_ring
from .widgets.welcome import WelcomePanel
from .window_menus import install_menus

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

log = logging.getLogger(__name__)
DEFAULT_SIZE = QSize(860, 680)
FRAME_ALLOWANCE = QSize(16, 40)  # a title bar and borders, which the window's own size leaves out
SANDBOX_BANNER = "SANDBOX — no real calls are placed"
NEED_ACCOUNT = ("Add an account first", "Open Manage accounts… and add your account name and license key.")


def sandbox_banner() -> QLabel:
    banner = plain_label(SANDBOX_BANNER)
    banner.setObjectName("sandboxBanner")
    banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
    banner.setAccessibleName(SANDBOX_BANNER)
    banner.setStyleSheet(
        "#sandboxBanner { background: #ffd84d; color: #3d2e00; font-weight: bold; padding: 6px; border-radius: 4px; }"
    )
    return banner


class MainWindow(QMainWindow):
    def __init__(self, controller: AppController, everything: bool = True) -> None:
        """`everything`: right after the first paint, build the hidden pages and load the voices and
        response codes (the app). The self-test passes False: it needs two pages and neither list."""
        super().__init__()
        self.controller = controller
        self._everything = everything
        self._pages: dict[str, QWidget] = {}
        self._notice_reason = ""  # what the notice line shows now: "account", "keyring", "history", ...
        self._unsent_count = 0  # rows of an earlier bulk cancel never sent (the Bulk page offers them)
        self._closing = False
        # Qt adds the application's display name to every title: "Sandbox — Voice Broadcast Desk".
        self.setWindowTitle("Sandbox" if controller.connection.sandbox_mode else "")
        self.setMinimumSize(640, 480)  # fits a 1080p screen at 200% scaling (960 x 540 logical)

        central = QWidget()
        layout = QVBoxLayout(central)
        if controller.connection.sandbox_mode:
            self.sandbox_banner = sandbox_banner()
            layout.addWidget(self.sandbox_banner)
        layout.addLayout(self._account_row())
        self.notice = ResultPanel()  # no account, no keyring, history problems
        layout.addWidget(self.notice)
        self.welcome = WelcomePanel()
        self.welcome.add_button.clicked.connect(self.open_accounts_and_add)
        layout.addWidget(self.welcome)
        self.tabs = QTabWidget()
        for index, spec in enumerate(PAGES):  # the first page (the one shown); placeholders until needed
            self.tabs.addTab(self._build_page(spec) if index == 0 else QWidget(), spec.title)
        self.tabs.tabBar().setAccessibleName("Pages")  # its Tab stop is named, not silent
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        install_menus(self)
        install_focus_ring()  # for every window of the app, dialogs included
        self.endpoint_label = plain_label()
        self.statusBar().addPermanentWidget(self.endpoint_label)
        self._show_endpoint()
        self._restore_geometry()
        self.startup = AfterFirstPaint(self, self._startup_steps, lambda: self._closing)
        self._connect(controller)
        self._show_account(controller.accounts.current)
        self._show_welcome()
        if controller.settings.site_problem:  # reported once, at start-up; the app uses safe defaults
            self._show_notice(
                "site",
                Tone.WARNING,
                "Some settings from your administrator could not be used",
                controller.settings.site_problem,
            )

    # -- set-up ---------------------------------------------------------------------------------------

    def _connect(self, controller: AppController) -> None:
        self.tabs.currentChanged.connect(self._ensure_page)
        self.tabs.currentChanged.connect(lambda _index: self._show_unsent())
        controller.accounts.accountChanged.connect(self._show_account)
        controller.accounts.accountsChanged.connect(lambda: self._show_account(controller.accounts.current))
        controller.accounts.accountsChanged.connect(self._show_welcome)
        controller.accounts.accountNeeded.connect(lambda: self._show_notice("account", Tone.WARNING, *NEED_ACCOUNT))
        controller.historyProblem.connect(self._history_problem)
        controller.keyStoreChanged.connect(self._store_known)
        controller.keyStoreFailed.connect(self._store_failed)
        controller.connection.endpointChanged.connect(self._show_endpoint)
        controller.connection.sandboxFailed.connect(
            lambda message: self._show_notice("sandbox", Tone.ERROR, "The sandbox could not start", message)
        )
        controller.cancelCallRequested.connect(self._open_cancel)
        controller.cancelReferenceRequested.connect(
            lambda reference_id: self.show_page("cancel").ask_cancel_reference_id(reference_id)
        )

    def _account_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        label = QLabel("Accou&nt:")  # Alt+A is the Accounts menu
        self.account = QComboBox()
        self.account.setAccessibleName("Account")
        self.account.setToolTip("The Esendex account whose license key is used for every request")
        self.account.setMinimumContentsLength(18)
        self.account.setModel(self.controller.accounts.model)
        self.account.setPlaceholderText("(no accounts yet)")
        label.setBuddy(self.account)
        self.accounts_button = QPushButton("Manage accounts…")
        self.accounts_button.setAccessibleName("Manage accounts and license keys")
        self.accounts_button.setToolTip("Add, rename or remove accounts and their license keys (Ctrl+Shift+A)")
        self.store_label = plain_label("Checking the keyring…", word_wrap=True)
        row.addWidget(label)
        row.addWidget(self.account)
        row.addWidget(self.accounts_button)
        row.addWidget(self.store_label, 1)
        self.account.currentIndexChanged.connect(self._account_picked)
        self.accounts_button.clicked.connect(self.open_accounts)
        return row

    def _startup_steps(self) -> list[Callable[[], object]]:
        """After the first paint (ui/startup.py): the icon, the hidden pages and the
        watch notifier first, which are work on this thread only; then the chores that start
        workers (the sandbox, the keyring, the voices), which would otherwise compete with that
        work for Python's lock. (The watch list holds its rounds until the sandbox has an address.)"""
        start = partial(self.controller.start, reference_data=self._everything)
        if not self._everything:
            return [start]
        pages = (partial(self._ensure_page, index) for index in range(len(PAGES)))
        return [set_app_icon, *pages, self._install_notifier, start]

    def _install_notifier(self) -> None:
        from .widgets.notifier import install_watch_notifier  # not needed for the first paint

        install_watch_notifier(self, self.tabs, self.controller.watcher)  # follows the desk's calls; says when one ends

    # -- pages ----------------------------------------------------------------------------------------

    def _ensure_page(self, index: int) -> QWidget | None:
        if not 0 <= index < len(PAGES):
            return None
        spec = PAGES[index]
        if spec.key not in self._pages:
            page = self._build_page(spec)
            current = self.tabs.currentIndex()
            placeholder = self.tabs.widget(index)
            self.tabs.blockSignals(True)  # swapping the widget is not the user changing tabs
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, page, spec.title)
            self.tabs.setCurrentIndex(current)
            self.tabs.blockSignals(False)
            if placeholder is not None:
                placeholder.deleteLater()
        return self._pages[spec.key]

    def _build_page(self, spec: PageSpec) -> QWidget:
        page = self._pages[spec.key] = build_page(spec, self.controller)
        if spec.key == "bulk":  # rows an earlier run never sent: said here, on whichever page is open
            from .pages.bulk import BulkPage

            if isinstance(page, BulkPage):
                page.unsentWaiting.connect(self._unsent_waiting)
        return page

    def page(self, key: str) -> Any:
        """The page `key` ("cancel", "lookup", "bulk", "schedule", "history"), built if need be."""
        return self._ensure_page(next(i for i, spec in enumerate(PAGES) if spec.key == key))

    def show_page(self, key: str) -> Any:
        page = self.page(key)
        self.tabs.setCurrentIndex(next(i for i, spec in enumerate(PAGES) if spec.key == key))
        return page

    def go_to_page(self, index: int) -> None:
        """Ctrl+1…: show the page with the focus on its first field (each page's focus proxy)."""
        self.tabs.setCurrentIndex(index)
        page = self._ensure_page(index)
        if page is not None:
            page.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def current_page(self) -> QWidget | None:
        return self._ensure_page(self.tabs.currentIndex())

    # Named access for tests and tools (the window composes the pages; it never reaches into them).
    cancel_page = property(lambda self: self.page("cancel"))
    lookup_page = property(lambda self: self.page("lookup"))
    bulk_page = property(lambda self: self.page("bulk"))
    schedule_page = property(lambda self: self.page("schedule"))
    history_page = property(lambda self: self.page("history"))
    watch_page = property(lambda self: self.page("watch"))

    def _open_cancel(self, queue_id: int) -> None:
        self.show_page("cancel").ask_cancel_call(queue_id)

    # -- chrome ---------------------------------------------------------------------------------------

    def _show_notice(self, reason: str, kind: Tone, headline: str, body: str = "") -> None:
        self._notice_reason = reason
        self.notice.show_result(kind, headline, body)

    def _clear_notice(self, reason: str) -> None:
        if self._notice_reason == reason:
            self._notice_reason = ""
            self.notice.clear()

    def _show_account(self, name: str) -> None:
        position = self.controller.accounts.model.position_of(name)
        self.account.blockSignals(True)
        self.account.setCurrentIndex(position)
        self.account.blockSignals(False)
        if name:
            self._clear_notice("account")

    def _show_welcome(self) -> None:
        """First run: say what the app is for, instead of letting people find out by being refused."""
        self.welcome.setVisible(not self.controller.settings.accounts)

    def _account_picked(self, position: int) -> None:
        if position >= 0:
            self.controller.accounts.set_current(self.controller.accounts.model.row(position).name)

    def _unsent_waiting(self, count: int) -> None:
        self._unsent_count = count
        self._show_unsent()

    def _show_unsent(self) -> None:
        """Said on every page but Bulk cancel, which offers the rows itself."""
        count = self._unsent_count
        if count and self.tabs.currentWidget() is not self._pages.get("bulk"):
            rows = "1 row" if count == 1 else f"{count} rows"
            self._show_notice(
                "unsent",
                Tone.WARNING,
                f"{rows} of an earlier bulk cancel were never sent",
                "Their calls were not cancelled. Open Bulk cancel (Ctrl+4) to send them or discard them.",
            )
        else:
            self._clear_notice("unsent")

    def _history_problem(self, problem: str) -> None:
        if problem:
            self._show_notice("history", Tone.ERROR, "This action was not written to the history", problem)
        else:
            self._clear_notice("history")

    def _store_known(self, info: StoreInfo, previous: str) -> None:
        if info.secure:
            self.store_label.setText(f"Keys are stored in {info.name}.")
            if previous and previous != info.name:
                self._show_notice(
                    "keyring",
                    Tone.WARNING,
                    "The key store has changed",
                    f"Keys were kept in {previous} before; now {info.name} is used. "
                    "Accounts whose keys are missing need their key entered again.",
                )
        else:
            self.store_label.setText("No secure key store.")
            self._show_notice(
                "keyring", Tone.WARNING, "License keys cannot be saved on this computer", info.description
            )

    def _store_failed(self, message: str) -> None:
        self.store_label.setText("The keyring is not available.")
        self._show_notice("keyring", Tone.WARNING, "The keyring is not available", message)

    def _show_endpoint(self) -> None:
        self.endpoint_label.setText(self.controller.connection.endpoint_text())
        self.endpoint_label.setToolTip(self.controller.connection.service_url or "The sandbox is starting")

    # -- dialogs ------------------------------------------------------------------------------------------

    def open_accounts(self) -> Any:
        from .dialogs.accounts import AccountsDialog

        dialog = AccountsDialog(self.controller, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_accounts_and_add(self) -> Any:
        dialog = self.open_accounts()
        dialog.add_account()
        return dialog

    def open_settings(self) -> Any:
        from .dialogs.settings import open_settings

        return open_settings(self.controller, self)

    def open_log_folder(self) -> None:
        folder = self.controller.context.profile.log_dir
        folder.mkdir(parents=True, exist_ok=True)
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def show_about(self) -> None:
        from .dialogs.questions import show_about

        show_about(self, self.controller.context.profile)

    # -- geometry and closing -------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = self.controller.settings.window_geometry
        if geometry:
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode()))
        else:
            self.resize(DEFAULT_SIZE)
        self._fit_to_screen()

    def _fit_to_screen(self) -> None:
        """No larger than the screen it opens on, title bar included: a 1024 x 600 laptop, or a
        larger one at 150 % or 200 % text, has less room than the default size (or a size saved
        on a bigger monitor)."""
        room = self.screen().availableGeometry()
        width = min(self.width(), room.width() - FRAME_ALLOWANCE.width())
        height = min(self.height(), room.height() - FRAME_ALLOWANCE.height())
        self.resize(max(width, self.minimumWidth()), max(height, self.minimumHeight()))
        if not room.contains(self.geometry()):
            self.move(room.topLeft() + QPoint(FRAME_ALLOWANCE.width() // 2, FRAME_ALLOWANCE.height() // 2))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closing or not self.controller.bulk_running:
            self._shut_down()
            event.accept()
            return
        event.ignore()
        self.ask_close_during_bulk()

    def ask_close_during_bulk(self) -> QMessageBox:
        def wait() -> None:
            self.statusBar().showMessage("Closing when the bulk cancel finishes…")
            self._close_when_idle()

        def now() -> None:
            self._closing = True
            self.close()

        from .dialogs.questions import ask_close_during_bulk

        return ask_close_during_bulk(self, wait, now)

    def _close_when_idle(self) -> None:
        if self.controller.bulk_running:
            QTimer.singleShot(100, self._close_when_idle)
        else:
            self._closing = True
            self.close()

    def _shut_down(self) -> None:
        """Hide at once; the work in flight ends by itself and records its own history."""
        self._closing = True
        self.controller.settings.window_geometry = bytes(self.saveGeometry().toBase64().data()).decode("ascii")
        self.controller.save_settings()
        self.controller.shutdown()
