"""Manage accounts: a name per account, its license key in the OS keyring.

Every keyring call runs on the window's single-thread key queue, so an unlock prompt shows a
waiting state instead of a frozen window, and calls never race each other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..service import InvalidInput
from ..service import validation as check
from ..service.redaction import mask_key
from ..storage.secrets import StoreInfo
from .widgets import BusyRow, FieldError, ResultPanel, buddy_label, confirm

if TYPE_CHECKING:
    from .main_window import MainWindow

REVEAL_SECONDS = 10


class KeyEntryDialog(QDialog):
    """Ask for an account name (optional) and a license key, validating the key as it is typed."""

    def __init__(
        self, parent: QWidget, title: str, store: StoreInfo, name: str | None = None, existing: list[str] | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.existing = {n.lower() for n in existing or []}
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)  # grow when a message appears
        form = QFormLayout()
        self.name = QLineEdit(name or "")
        self.name.setAccessibleName("Account name")
        self.name.setPlaceholderText("for example Main office")
        self.name.setMaxLength(60)
        self.name_error = FieldError()
        if name is None or existing is not None:
            form.addRow("Account &name:", self.name)
            form.addRow("", self.name_error)
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setAccessibleName("License key")
        self.key.setPlaceholderText("00000000-0000-0000-0000-000000000000")
        self.key.setMinimumWidth(self.key.fontMetrics().horizontalAdvance("00000000-0000-0000-0000-000000000000") + 60)
        self.show_key = QCheckBox("&Show")
        self.show_key.setAccessibleName("Show the license key while typing")
        key_row = QHBoxLayout()
        key_row.addWidget(self.key, 1)
        key_row.addWidget(self.show_key)
        form.addRow(buddy_label("&License key:", self.key), key_row)
        self.key_error = FieldError()
        form.addRow("", self.key_error)
        layout.addLayout(form)
        self.session_only = QCheckBox("Keep this key for this session only (it is forgotten when the app closes)")
        self.session_only.setVisible(not store.secure)
        self.session_only.setChecked(not store.secure)
        self.session_only.setEnabled(False)
        where = QLabel(store.description)
        where.setWordWrap(True)
        layout.addWidget(where)
        layout.addWidget(self.session_only)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.key.textChanged.connect(self._check_key)
        self.name.textChanged.connect(self._check_name)
        self.show_key.toggled.connect(
            lambda shown: self.key.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        )
        self._check_key()

    def _check_name(self) -> bool:
        name = self.name.text().strip()
        message = ""
        if not name:
            message = "Enter a name for this account."
        elif name.lower() in self.existing:
            message = "There is already an account with this name."
        elif any(not ch.isprintable() for ch in name):
            message = "The name contains invisible characters."
        self.name_error.show_message(message if self.name.isModified() or self.name.text() else "")
        return not message

    def _check_key(self) -> bool:
        text = self.key.text()
        try:
            check.license_key(text)
        except InvalidInput as error:
            self.key_error.show_message(error.message if text.strip() else "")
            ok = False
        else:
            self.key_error.show_message("")
            ok = True
        name_ok = not self.name.isVisibleTo(self) or self._check_name()
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(ok and name_ok)
        return ok

    def accept(self) -> None:
        if self._check_key() and (not self.name.isVisibleTo(self) or self._check_name()):
            super().accept()

    def values(self) -> tuple[str, str]:
        return self.name.text().strip(), check.license_key(self.key.text())


class AccountsDialog(QDialog):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Accounts")
        self.resize(640, 380)
        self.store: StoreInfo | None = None
        layout = QVBoxLayout(self)
        self.where = QLabel("Checking where license keys are stored…")
        self.where.setWordWrap(True)
        layout.addWidget(self.where)

        body = QHBoxLayout()
        self.list = QListWidget()
        self.list.setAccessibleName("Accounts")
        body.addWidget(self.list, 1)
        side = QVBoxLayout()
        self.key_label = QLabel("")
        self.key_label.setAccessibleName("License key (masked)")
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        side.addWidget(QLabel("License key:"))
        side.addWidget(self.key_label)
        self.reveal_button = QPushButton("Re&veal key for 10 seconds")
        self.add_button = QPushButton("&Add account…")
        self.rename_button = QPushButton("Re&name…")
        self.replace_button = QPushButton("Replace &key…")
        self.delete_button = QPushButton("&Delete…")
        self.default_button = QPushButton("Use as de&fault")
        for button in (
            self.reveal_button,
            self.add_button,
            self.rename_button,
            self.replace_button,
            self.delete_button,
            self.default_button,
        ):
            side.addWidget(button)
        side.addStretch(1)
        body.addLayout(side)
        layout.addLayout(body, 1)
        self.busy = BusyRow()
        layout.addWidget(self.busy)
        self.message = ResultPanel()
        layout.addWidget(self.message)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)

        self.hide_timer = QTimer(self)
        self.hide_timer.setSingleShot(True)
        self.hide_timer.timeout.connect(self._mask_again)
        self.masked = ""

        self.list.currentItemChanged.connect(lambda *_: self._selection_changed())
        self.add_button.clicked.connect(self.add_account)
        self.rename_button.clicked.connect(self.rename_account)
        self.replace_button.clicked.connect(self.replace_key)
        self.delete_button.clicked.connect(self.delete_account)
        self.default_button.clicked.connect(self.make_default)
        self.reveal_button.clicked.connect(self.reveal)
        self.refresh_list()
        self._keys(lambda keys: keys.info(), self._store_known)

    # -- plumbing -------------------------------------------------------------------------------------

    def _keys(self, job: Callable[[Any], Any], on_done: Callable[[Any], None], waiting: str = "") -> None:
        """Run `job(keystore)` on the key queue; show a waiting state meanwhile."""
        if waiting:
            self.busy.start(waiting)
            self._set_enabled(False)
        keys = self.window_.keys

        def finished(result: Any) -> None:
            self.busy.stop()
            self._set_enabled(True)
            on_done(result)

        def failed(error: BaseException) -> None:
            self.busy.stop()
            self._set_enabled(True)
            self.message.show_result("error", "The license key could not be changed", str(error))

        self.window_.key_runner.submit(lambda: job(keys), finished, failed, owner=self)

    def _set_enabled(self, enabled: bool) -> None:
        self.add_button.setEnabled(enabled)
        for button in self._account_buttons():
            button.setEnabled(enabled and self.selected() is not None)

    def _account_buttons(self) -> tuple[QPushButton, ...]:
        return (self.rename_button, self.replace_button, self.delete_button, self.default_button, self.reveal_button)

    def _store_known(self, info: StoreInfo) -> None:
        self.store = info
        self.where.setText(info.description)
        if not info.secure:
            self.where.setStyleSheet("color: #8a5a00; font-weight: bold;")

    def selected(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def refresh_list(self, select: str | None = None) -> None:
        settings = self.window_.settings
        select = select or self.selected() or settings.default_account
        self.list.clear()
        for name in settings.accounts:
            label = f"{name}  (default)" if name == settings.default_account else name
            if self.window_.keys.is_session_only(name):
                label += "  — this session only"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.list.addItem(item)
            if name == select:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self._selection_changed()

    def _selection_changed(self) -> None:
        name = self.selected()
        for button in self._account_buttons():
            button.setEnabled(name is not None and not self.busy.isVisible())
        self._mask_again()
        if name is None:
            self.key_label.setText("No account selected" if self.list.count() else "No accounts yet: add one.")
            return
        self.key_label.setText("…")
        self.window_.key_runner.submit(
            lambda: mask_key(self.window_.keys.get(name)),
            lambda masked: self._show_mask(name, masked),
            lambda error: self._show_mask(name, f"(missing: {error})" if name == self.selected() else ""),
            owner=self,
        )

    def _show_mask(self, name: str, masked: str) -> None:
        if name == self.selected():
            self.masked = masked
            self.key_label.setText(masked)

    def _mask_again(self) -> None:
        self.hide_timer.stop()
        self.key_label.setText(self.masked)
        self.reveal_button.setText("Re&veal key for 10 seconds")

    # -- actions ----------------------------------------------------------------------------------------

    def add_account(self) -> None:
        dialog = KeyEntryDialog(self, "Add account", self._store(), name=None, existing=self.window_.settings.accounts)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._save_new(*dialog.values()))
        dialog.open()

    def _store(self) -> StoreInfo:
        return self.store or StoreInfo("the system keyring", True)

    def _save_new(self, name: str, key: str) -> None:
        session_only = not self._store().secure

        def save(keys: Any) -> str:
            if session_only:
                keys.keep_for_session(name, key)
            else:
                keys.set(name, key)
            return name

        def saved(_name: str) -> None:
            self.window_.add_account(name)
            self.refresh_list(select=name)
            where = "for this session only" if session_only else f"in {self._store().name}"
            self.message.show_result("success", f"Account “{name}” added", f"Its license key is kept {where}.")

        self._keys(save, saved, waiting="Saving the key in the keyring… (you may be asked to unlock it)")

    def rename_account(self) -> None:
        old = self.selected()
        if old is None:
            return
        new, ok = QInputDialog.getText(self, "Rename account", "New name:", text=old)
        new = new.strip()
        if not ok or not new or new == old:
            return
        if new.lower() in {n.lower() for n in self.window_.settings.accounts if n != old}:
            self.message.show_result("error", "Not renamed", "There is already an account with this name.")
            return

        def renamed(_: Any) -> None:
            self.window_.rename_account(old, new)
            self.refresh_list(select=new)
            self.message.show_result("success", f"Renamed to “{new}”")

        self._keys(lambda keys: keys.rename(old, new), renamed, waiting="Moving the key in the keyring…")

    def replace_key(self) -> None:
        name = self.selected()
        if name is None:
            return
        dialog = KeyEntryDialog(self, f"Replace the key of “{name}”", self._store(), name=name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._save_replaced(name, dialog.values()[1]))
        dialog.open()

    def _save_replaced(self, name: str, key: str) -> None:
        session_only = not self._store().secure

        def save(keys: Any) -> None:
            keys.keep_for_session(name, key) if session_only else keys.set(name, key)

        def saved(_: Any) -> None:
            self.refresh_list(select=name)
            self.message.show_result("success", f"The key of “{name}” was replaced")

        self._keys(save, saved, waiting="Saving the key in the keyring…")

    def delete_account(self) -> None:
        name = self.selected()
        if name is None:
            return

        def delete() -> None:
            def deleted(_: Any) -> None:
                self.window_.remove_account(name)
                self.masked = ""
                self.refresh_list()
                self.message.show_result("success", f"Account “{name}” deleted", "Its license key was removed.")

            self._keys(lambda keys: keys.delete(name), deleted, waiting="Removing the key from the keyring…")

        confirm(
            self,
            "Delete account?",
            f"Delete the account “{name}” and remove its license key from this "
            "computer?\n\nYour Esendex account itself is not affected.",
            delete,
            yes_text="Delete",
            no_text="Keep it",
        )

    def make_default(self) -> None:
        name = self.selected()
        if name is not None:
            self.window_.set_default_account(name)
            self.refresh_list(select=name)

    def reveal(self) -> None:
        name = self.selected()
        if name is None:
            return
        if self.hide_timer.isActive():
            self._mask_again()
            return

        def shown(key: str) -> None:
            if name == self.selected():
                self.key_label.setText(key)
                self.reveal_button.setText("&Hide key")
                self.hide_timer.start(REVEAL_SECONDS * 1000)

        self._keys(lambda keys: keys.get(name), shown)
