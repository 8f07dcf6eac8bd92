"""The accounts part of the controller: which account is chosen, and changes to the list.

Names live in the settings; keys only in the key store, reached on the executor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject

from ..storage.secrets import KeyStore
from .models.accounts import AccountRow

T = TypeVar("T")
Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class AccountsMixin:
    """Mixed into AppController, which provides `settings`, `keys`, `accounts`, `executor`,
    `save_settings()`, `_current` and the signals `accountChanged` and `accountsChanged`."""

    def _first_account(self) -> str:
        names = self.settings.accounts
        for name in (self.settings.last_account, self.settings.default_account):
            if name in names:
                return name
        return names[0] if names else ""

    @property
    def current_account(self) -> str:
        return self._current

    def set_current_account(self, name: str) -> None:
        if name == self._current or (name and name not in self.settings.accounts):
            return
        self._current = name
        if name:
            self.settings.last_account = name
            self.save_settings()
        self.accountChanged.emit(name)

    def require_account(self) -> str | None:
        """The chosen account, or None after asking the window to say an account is needed."""
        if not self._current:
            self.accountNeeded.emit()
            return None
        return self._current

    def refresh_accounts(self) -> None:
        settings = self.settings
        self.accounts.set_rows(
            [AccountRow(n, n == settings.default_account, self.keys.is_session_only(n)) for n in settings.accounts]
        )
        self.accountsChanged.emit()
        if self._current not in settings.accounts:
            self.set_current_account(self._first_account())

    def run_keyring(self, job: Callable[[KeyStore], T], on_done: Done, on_error: Failed, owner: QObject) -> None:
        """Keyring work, on the executor (the key store serialises its own calls)."""
        keys = self.keys
        self.executor.submit(lambda: job(keys), on_done, on_error, owner=owner)

    def add_account(self, name: str) -> None:
        if name not in self.settings.accounts:
            self.settings.accounts.append(name)
        if not self.settings.default_account:
            self.settings.default_account = name
        self.save_settings()
        self.refresh_accounts()
        if not self._current:
            self.set_current_account(name)

    def rename_account(self, old: str, new: str) -> None:
        settings = self.settings
        settings.accounts = [new if n == old else n for n in settings.accounts]
        if settings.default_account == old:
            settings.default_account = new
        if settings.last_account == old:
            settings.last_account = new
        if self._current == old:
            self._current = new
            self.accountChanged.emit(new)
        self.save_settings()
        self.refresh_accounts()

    def remove_account(self, name: str) -> None:
        settings = self.settings
        settings.accounts = [n for n in settings.accounts if n != name]
        if settings.default_account == name:
            settings.default_account = settings.accounts[0] if settings.accounts else ""
        if settings.last_account == name:
            settings.last_account = settings.default_account
        self.save_settings()
        self.refresh_accounts()

    def set_default_account(self, name: str) -> None:
        self.settings.default_account = name
        self.save_settings()
        self.refresh_accounts()
