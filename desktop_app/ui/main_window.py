"""The main window: account picker, the Cancel / Schedule / History pages, menus and banners."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .. import APP_NAME, __version__
from ..desk import Desk
from ..service.reference_data import RESPONSE_CODES
from ..storage.history import History
from ..storage.profile import Profile
from ..storage.secrets import KeyStore, StoreInfo
from ..storage.settings import Settings
from .accounts_dialog import AccountsDialog
from .bulk_page import BulkPage
from .cancel_page import CancelPage
from .history_page import HistoryPage
from .lookup_page import LookupPage
from .schedule_page import SchedulePage
from .settings_dialog import SettingsDialog
from .tasks import TaskRunner
from .widgets import ResultPanel

if TYPE_CHECKING:
    from ..sandbox import Sandbox

log = logging.getLogger(__name__)
SANDBOX_BANNER = "SANDBOX — no real calls are placed"


@dataclass
class AppContext:
    profile: Profile
    settings: Settings
    keys: KeyStore
    history: History
    sandbox: Sandbox | None = None
    start_sandbox: bool = False  # start the built-in sandbox right after the first paint


def _start_sandbox() -> Sandbox:
    from ..sandbox import Sandbox

    return Sandbox("127.0.0.1", 0).start()  # loopback only


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.settings = context.settings
        self.keys = context.keys
        self.sandbox = context.sandbox
        self.sandbox_mode = context.sandbox is not None or context.start_sandbox
        self.store: StoreInfo | None = None
        self.response_texts = dict(RESPONSE_CODES)  # replaced by GetResponseCodes when it answers
        self.runner = TaskRunner(self, max_threads=4)  # network work
        self.key_runner = TaskRunner(self, max_threads=1)  # one queue for the keyring
        self.desk = Desk(self._client_factory(), context.keys, context.history)
        self._closing = False
        self.setWindowTitle(APP_NAME + (" (sandbox)" if self.sandbox_mode else ""))
        self.setMinimumSize(640, 480)  # fits a 1080p screen at 200% scaling (960 x 540 logical)

        central = QWidget()
        layout = QVBoxLayout(central)
        if self.sandbox_mode:
            banner = QLabel(SANDBOX_BANNER)
            banner.setObjectName("sandboxBanner")
            banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
            banner.setAccessibleName(SANDBOX_BANNER)
            banner.setStyleSheet(
                "#sandboxBanner { background: #ffd84d; color: #3d2e00; font-weight: bold; padding: 6px;"
                " border-radius: 4px; }"
            )
            layout.addWidget(banner)
            self.sandbox_banner = banner

        account_row = QHBoxLayout()
        account_label = QLabel("&Account:")
        self.account = QComboBox()
        self.account.setAccessibleName("Account")
        self.account.setMinimumContentsLength(18)
        account_label.setBuddy(self.account)
        self.accounts_button = QPushButton("Manage accounts…")
        self.accounts_button.setAccessibleName("Manage accounts and license keys")
        self.store_label = QLabel("Checking the keyring…")
        self.store_label.setWordWrap(True)
        account_row.addWidget(account_label)
        account_row.addWidget(self.account)
        account_row.addWidget(self.accounts_button)
        account_row.addWidget(self.store_label, 1)
        layout.addLayout(account_row)
        self.notice = ResultPanel()  # no keyring, history problems
        layout.addWidget(self.notice)

        self.tabs = QTabWidget()
        self.cancel_page = CancelPage(self)
        self.lookup_page = LookupPage(self)
        self.bulk_page = BulkPage(self)
        self.schedule_page = SchedulePage(self)
        self.history_page = HistoryPage(self)
        self.tabs.addTab(self.cancel_page, "&Cancel calls")
        self.tabs.addTab(self.lookup_page, "&Find calls")
        self.tabs.addTab(self.bulk_page, "&Bulk cancel")
        self.tabs.addTab(self.schedule_page, "&Schedule a test call")
        self.tabs.addTab(self.history_page, "&History")
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self._build_menus()
        self.statusBar().showMessage(self._endpoint_text())

        self.account.currentIndexChanged.connect(self._account_changed)
        self.accounts_button.clicked.connect(self.open_accounts)
        self.refresh_accounts()
        self._restore_geometry()
        QTimer.singleShot(0, self._after_first_paint)

    # -- set-up -----------------------------------------------------------------------------------

    def _client_factory(self):
        timeout, ca_bundle = self.settings.timeout_seconds, self.settings.ca_bundle or None
        endpoint = self.settings.endpoint

        def create() -> Any:  # runs on a worker, where importing zeep costs the window nothing
            from ..service.client import PhoneNotifyClient

            url = self.sandbox.url if self.sandbox_mode and self.sandbox is not None else endpoint
            return PhoneNotifyClient(url, timeout=timeout, ca_bundle=ca_bundle)

        return create

    def _endpoint_text(self) -> str:
        if self.sandbox_mode:
            where = f" at {self.sandbox.url}" if self.sandbox else " (starting)"
            return f"Using the built-in sandbox{where}"
        return f"Using {self.settings.endpoint}"

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        settings = QAction("&Settings…", self, shortcut=QKeySequence("Ctrl+,"), triggered=self.open_settings)
        quit_ = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.close)
        file_menu.addAction(settings)
        file_menu.addSeparator()
        file_menu.addAction(quit_)
        accounts_menu = self.menuBar().addMenu("&Accounts")
        accounts_menu.addAction(
            QAction("&Manage accounts…", self, shortcut=QKeySequence("Ctrl+Shift+A"), triggered=self.open_accounts)
        )
        go_menu = self.menuBar().addMenu("&Go")
        for index in range(self.tabs.count()):
            name = self.tabs.tabText(index).replace("&", "")
            go_menu.addAction(
                QAction(
                    name,
                    self,
                    shortcut=QKeySequence(f"Ctrl+{index + 1}"),
                    triggered=lambda _=False, i=index: self.tabs.setCurrentIndex(i),
                )
            )
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(QAction("Open &log folder", self, triggered=self.open_log_folder))
        help_menu.addAction(QAction(f"&About {APP_NAME}", self, triggered=self.show_about))

    def _after_first_paint(self) -> None:
        """Work that is not needed to show the window: the sandbox, keyring, WSDL, voices, history."""
        if self.sandbox_mode and self.sandbox is None:
            self.runner.submit(_start_sandbox, self._sandbox_started, self._sandbox_failed)
            return  # the rest follows once the sandbox answers
        self._start_chores()

    def _sandbox_started(self, sandbox: Sandbox) -> None:
        self.sandbox = self.context.sandbox = sandbox
        self.statusBar().showMessage(self._endpoint_text())
        self._start_chores()

    def _sandbox_failed(self, error: BaseException) -> None:
        self.notice.show_result("error", "The sandbox could not start", str(error))

    def _start_chores(self) -> None:
        self.key_runner.submit(self.keys.info, self._store_known, self._store_failed)
        self.runner.submit(self._load_voices, self._voices_loaded, lambda _e: None)
        self.runner.submit(self.desk.response_codes, self.response_texts.update, lambda _e: None)
        self.history_page.reload()

    def _store_known(self, info: StoreInfo) -> None:
        self.store = info
        if info.secure:
            self.store_label.setText(f"Keys are stored in {info.name}.")
            if self.settings.keyring_backend and self.settings.keyring_backend != info.name:
                self.notice.show_result(
                    "warning",
                    "The key store has changed",
                    f"Keys were kept in {self.settings.keyring_backend} before; now {info.name} is used. "
                    "Accounts whose keys are missing need their key entered again.",
                )
            self.settings.keyring_backend = info.name
            self.save_settings()
        else:
            self.store_label.setText("No secure key store.")
            self.notice.show_result("warning", "License keys cannot be saved on this computer", info.description)

    def _store_failed(self, error: BaseException) -> None:
        self.store_label.setText("The keyring is not available.")
        self.notice.show_result("warning", "The keyring is not available", str(error))

    def _load_voices(self) -> list[tuple[int, str]]:
        cache = self.context.profile.voices_file
        try:
            voices = [(v.voice_id, v.summary or v.name) for v in self.desk.voices()]
        except Exception:
            voices = [tuple(v) for v in json.loads(cache.read_text())] if cache.exists() else []
            return voices
        if voices:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(voices))
        return voices

    def _voices_loaded(self, voices: list[tuple[int, str]]) -> None:
        if voices:
            self.schedule_page.set_voices(voices)

    # -- accounts ----------------------------------------------------------------------------------

    def account_names(self) -> list[str]:
        return list(self.settings.accounts)

    def refresh_accounts(self) -> None:
        current = self.account.currentData() or self.settings.last_account or self.settings.default_account
        self.account.blockSignals(True)
        self.account.clear()
        for name in self.settings.accounts:
            self.account.addItem(name, name)
        if not self.settings.accounts:
            self.account.addItem("(no accounts yet)", None)
        index = self.account.findData(current)
        self.account.setCurrentIndex(index if index >= 0 else 0)
        self.account.blockSignals(False)
        self.history_page.set_accounts(self.settings.accounts)

    def current_account(self) -> str | None:
        return self.account.currentData()

    def require_account(self) -> str | None:
        """The chosen account, or None after telling the user to add one."""
        name = self.current_account()
        if name is None:
            self.notice.show_result(
                "warning", "Add an account first", "Open Manage accounts… and add your account name and license key."
            )
            return None
        return name

    def _account_changed(self) -> None:
        name = self.current_account()
        if name:
            self.settings.last_account = name
            self.save_settings()

    def add_account(self, name: str) -> None:
        if name not in self.settings.accounts:
            self.settings.accounts.append(name)
        if not self.settings.default_account:
            self.settings.default_account = name
        self.settings.last_account = self.settings.last_account or name
        self.save_settings()
        self.refresh_accounts()
        if self.notice.kind == "warning" and self.notice.headline.text() == "Add an account first":
            self.notice.clear()

    def rename_account(self, old: str, new: str) -> None:
        self.settings.accounts = [new if n == old else n for n in self.settings.accounts]
        if self.settings.default_account == old:
            self.settings.default_account = new
        if self.settings.last_account == old:
            self.settings.last_account = new
        self.save_settings()
        self.refresh_accounts()

    def remove_account(self, name: str) -> None:
        self.settings.accounts = [n for n in self.settings.accounts if n != name]
        if self.settings.default_account == name:
            self.settings.default_account = self.settings.accounts[0] if self.settings.accounts else ""
        if self.settings.last_account == name:
            self.settings.last_account = self.settings.default_account
        self.save_settings()
        self.refresh_accounts()

    def set_default_account(self, name: str) -> None:
        self.settings.default_account = name
        self.save_settings()

    def open_accounts(self) -> AccountsDialog:
        dialog = AccountsDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # -- settings, help ------------------------------------------------------------------------------

    def save_settings(self) -> None:
        try:
            self.settings.save(self.context.profile.settings_file)
        except OSError as exc:
            log.error("settings not saved: %s", exc)

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self, self.settings, self.sandbox.url if self.sandbox else None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def saved() -> None:
            dialog.apply_to(self.settings)
            self.save_settings()
            self.desk.reconfigure(self._client_factory())
            self.statusBar().showMessage(self._endpoint_text())

        dialog.accepted.connect(saved)
        dialog.open()
        return dialog

    def open_log_folder(self) -> None:
        folder = self.context.profile.log_dir
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<h3>{APP_NAME} {__version__}</h3>"
            "<p>Schedule and cancel calls with the Esendex Voice Broadcast API (PhoneNotify).</p>"
            f"<p>Settings: {self.context.profile.config_dir}<br>History: {self.context.profile.history_file}"
            f"<br>Logs: {self.context.profile.log_dir}</p>",
        )

    # -- after each action ---------------------------------------------------------------------------

    def after_action(self) -> None:
        problem = self.desk.history_problem
        if problem:
            self.notice.show_result("error", "This action was not written to the history", problem)
        elif self.notice.headline.text() == "This action was not written to the history":
            self.notice.clear()
        self.history_page.reload()

    def show_cancel_queue(self, queue_id: int) -> None:
        self.tabs.setCurrentWidget(self.cancel_page)
        self.cancel_page.queue_id.setText(str(queue_id))
        self.cancel_page.ask_cancel_queue()

    # -- geometry and closing -----------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        if self.settings.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(self.settings.window_geometry.encode()))
        else:
            self.resize(860, 680)

    def work_in_progress(self) -> bool:
        """A schedule, a cancel or a bulk run the user started is still going."""
        return self.runner.busy or self.bulk_page.is_running()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closing or not self.work_in_progress():
            self._shut_down()
            event.accept()
            return
        event.ignore()
        self.ask_close_while_busy()

    def ask_close_while_busy(self) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "A request is still running",
            "A request to the service is still running. If you close now, its result is still written to the "
            "history, but you will not see it here.",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        wait = box.addButton("Wait, then close", QMessageBox.ButtonRole.AcceptRole)
        now = box.addButton("Close now", QMessageBox.ButtonRole.DestructiveRole)
        stay = box.addButton("Don't close", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(wait)
        box.setEscapeButton(stay)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def chosen(button: Any) -> None:
            if button is wait:
                self.statusBar().showMessage("Closing when the work in progress finishes…")
                self._close_when_idle()
            elif button is now:
                self._closing = True
                self.runner.abandoned = True
                self.bulk_page.stop()  # send nothing more; what was sent is still recorded
                self.close()

        box.buttonClicked.connect(chosen)
        box.open()
        return box

    def _close_when_idle(self) -> None:
        if self.work_in_progress():
            QTimer.singleShot(100, self._close_when_idle)
        else:
            self._closing = True
            self.close()

    def _shut_down(self) -> None:
        self.settings.window_geometry = bytes(self.saveGeometry().toBase64()).decode()
        self.save_settings()
        # Requests end by themselves within the timeout; their jobs write the history.
        self.runner.abandoned = self.key_runner.abandoned = True
        self.runner.wait(self.settings.timeout_seconds + 5)
        self.key_runner.wait(10)
        if self.bulk_page.run is not None:
            self.bulk_page.run.stop()
            self.bulk_page.run.wait(self.settings.timeout_seconds + 5)
