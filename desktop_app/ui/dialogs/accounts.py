"""Manage accounts: a name per account, its license key in the OS keyring.

Every keyring call runs on the controller's executor (the key store serialises its own calls), so
an unlock prompt shows a waiting state instead of a frozen window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...service.redaction import mask_key
from ...storage.secrets import StoreInfo
from ...storage.settings import LOCKED_NOTE
from ..widgets import BusyRow, ResultPanel, Tone, confirm, plain_label
from ..widgets.text_tones import TextTone, set_text_tone
from .key_entry import FindOwner, KeyEntryDialog

if TYPE_CHECKING:
    from ..controller import AppController

REVEAL_SECONDS = 10


def working_text(working: str, added: str) -> str:
    """Which account is the working one after `added` was added: it only when there was none."""
    if working == added:
        return "It is now the working account."
    return f"{working} is still the working account; choose {added} in the Account box to use it."


class AccountsDialog(QDialog):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Accounts")
        self.resize(640, 380)
        self.store: StoreInfo | None = controller.store
        layout = QVBoxLayout(self)
        self.where = plain_label("Checking where license keys are stored…", word_wrap=True)
        layout.addWidget(self.where)

        layout.addLayout(self._build_body(), 1)
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
        self._last_selected: str | None = None

        self._connect_signals()
        self.refresh_list()
        if self.store is not None:
            self._store_known(self.store)
        else:
            self._keys(lambda keys: keys.info(), self._store_known)

    def _build_body(self) -> QHBoxLayout:
        """The accounts table, and beside it the selected account's key and the account buttons."""
        body = QHBoxLayout()
        body.addWidget(self._build_list(), 1)
        body.addLayout(self._build_side())
        return body

    def _build_list(self) -> QTableView:
        self.list = QTableView()  # the controller's accounts model, shared with the account picker
        self.list.setModel(self.controller.accounts.model)
        self.list.setAccessibleName("Accounts")
        self.list.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.verticalHeader().setVisible(False)
        # Qt's first sort is descending: start with the names in natural order, as the Account box.
        self.list.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.list.setSortingEnabled(True)
        self.list.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.list.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        return self.list

    def _build_side(self) -> QVBoxLayout:
        """The selected account's masked key, then the account buttons."""
        side = QVBoxLayout()
        self.key_label = plain_label()
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
        return side

    def _connect_signals(self) -> None:
        self.list.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())
        self.controller.accounts.accountsChanged.connect(self._accounts_changed)
        self.add_button.clicked.connect(self.add_account)
        self.rename_button.clicked.connect(self.rename_account)
        self.replace_button.clicked.connect(self.replace_key)
        self.delete_button.clicked.connect(self.delete_account)
        self.default_button.clicked.connect(self.make_default)
        self.reveal_button.clicked.connect(self.reveal)

    # -- plumbing -------------------------------------------------------------------------------------

    def _keys(self, job: Callable[[Any], Any], on_done: Callable[[Any], None], waiting: str = "") -> None:
        """Run `job(keystore)` on the key queue; show a waiting state meanwhile."""
        if waiting:
            self.busy.start(waiting)
            self._set_enabled(False)

        def finished(result: Any) -> None:
            self.busy.stop()
            self._set_enabled(True)
            on_done(result)

        def failed(error: BaseException) -> None:
            self.busy.stop()
            self._set_enabled(True)
            self.message.show_result(Tone.ERROR, "The license key could not be changed", str(error))

        self.controller.accounts.run_keyring(job, finished, failed, self)

    def _set_enabled(self, enabled: bool) -> None:
        self.add_button.setEnabled(enabled)
        for button in self._account_buttons():
            button.setEnabled(enabled and self.selected() is not None)
        self._apply_lock()

    def _apply_lock(self) -> None:
        """The administrator fixed the account names: keys can be entered, names not changed."""
        if "accounts" in self.controller.settings.locked:
            for button in (self.add_button, self.rename_button, self.delete_button):
                button.setEnabled(False)
                button.setToolTip(LOCKED_NOTE)

    def _account_buttons(self) -> tuple[QPushButton, ...]:
        return (self.rename_button, self.replace_button, self.delete_button, self.default_button, self.reveal_button)

    def _store_known(self, info: StoreInfo) -> None:
        self.store = info
        self.where.setText(info.description)
        if not info.secure:
            self.where.setStyleSheet("font-weight: bold;")
            set_text_tone(self.where, TextTone.WARNING)

    def selected(self) -> str | None:
        index = self.list.currentIndex()
        return self.controller.accounts.model.row(index.row()).name if index.isValid() else None

    def refresh_list(self, select: str | None = None) -> None:
        """Select `select` (or keep the selection, or the default account) in the shared model."""
        keep = select or self._last_selected or self.controller.settings.default_account
        self.controller.accounts.refresh()
        self._last_selected = None  # read the (maybe new) key's mask again
        self._select(keep)

    def _accounts_changed(self) -> None:
        self._select(self._last_selected)

    def _select(self, name: str | None) -> None:
        model = self.controller.accounts.model
        position = model.position_of(name) if name else -1
        if position < 0 and model.rowCount():
            position = 0
        if position >= 0:
            self.list.setCurrentIndex(model.index(position, 0))
        self._selection_changed()

    def _selection_changed(self) -> None:
        name = self.selected()
        if name == self._last_selected and self.masked:
            return  # the same account is still selected (the model was refreshed)
        self._last_selected = name
        self.masked = ""
        for button in self._account_buttons():
            button.setEnabled(name is not None and not self.busy.isVisible())
        self._apply_lock()
        self._mask_again()
        if name is None:
            has_rows = self.controller.accounts.model.rowCount() > 0
            self.key_label.setText("No account selected" if has_rows else "No accounts yet: add one.")
            return
        self.key_label.setText("…")
        self.controller.accounts.run_keyring(
            lambda keys: mask_key(keys.get(name)),
            lambda masked: self._show_mask(name, masked),
            lambda error: self._show_mask(name, f"(missing: {error})" if name == self.selected() else ""),
            self,
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
        existing = self.controller.settings.accounts
        dialog = KeyEntryDialog(
            self, "Add account", self._store(), name=None, existing=existing, find_owner=self._key_owner(None)
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._save_new(*dialog.values()))
        dialog.open()

    def _key_owner(self, exclude: str | None) -> FindOwner:
        """For the key entry: which other account already has the key typed (on the executor)."""

        def find(key: str, owner: QObject, answer: Callable[[str], None]) -> None:
            self.controller.accounts.find_key_owner(key, exclude, answer, owner)

        return find

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
            self.controller.accounts.add(name)  # the working account only when there was none
            self.refresh_list(select=name)
            working = self.controller.accounts.current
            where = "for this session only" if session_only else f"in {self._store().name}"
            self.message.show_result(
                Tone.SUCCESS,
                f"Account “{name}” added",
                f"{working_text(working, name)} Its license key is kept {where}.",
            )

        self._keys(save, saved, waiting="Saving the key in the keyring… (you may be asked to unlock it)")

    def rename_account(self) -> None:
        old = self.selected()
        if old is None:
            return
        new, ok = QInputDialog.getText(self, "Rename account", "New name:", text=old)
        new = new.strip()
        if not ok or not new or new == old:
            return
        if new.lower() in {n.lower() for n in self.controller.settings.accounts if n != old}:
            self.message.show_result(Tone.ERROR, "Not renamed", "There is already an account with this name.")
            return

        def renamed(_: Any) -> None:
            self.controller.accounts.rename(old, new)
            self.refresh_list(select=new)
            self.message.show_result(Tone.SUCCESS, f"Renamed to “{new}”")

        self._keys(lambda keys: keys.rename(old, new), renamed, waiting="Moving the key in the keyring…")

    def replace_key(self) -> None:
        name = self.selected()
        if name is None:
            return
        dialog = KeyEntryDialog(
            self, f"Replace the key of “{name}”", self._store(), name=name, find_owner=self._key_owner(name)
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._save_replaced(name, dialog.values()[1]))
        dialog.open()

    def _save_replaced(self, name: str, key: str) -> None:
        session_only = not self._store().secure

        def save(keys: Any) -> None:
            keys.keep_for_session(name, key) if session_only else keys.set(name, key)

        def saved(_: Any) -> None:
            self.refresh_list(select=name)
            self.message.show_result(Tone.SUCCESS, f"The key of “{name}” was replaced")

        self._keys(save, saved, waiting="Saving the key in the keyring…")

    def delete_account(self) -> None:
        name = self.selected()
        if name is None:
            return

        def delete() -> None:
            def deleted(_: Any) -> None:
                self.controller.accounts.remove(name)
                self.masked = ""
                self.refresh_list()
                self.message.show_result(Tone.SUCCESS, f"Account “{name}” deleted", "Its license key was removed.")

            self._keys(lambda keys: keys.delete_account(name), deleted, waiting="Removing the key from the keyring…")

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
            self.controller.accounts.set_default(name)
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
