"""The controller's accounts part: which account is chosen, and changes to the list.

Names live in the settings; keys only in the key store, reached on the executor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from ..storage.secrets import KeyStore
from ..storage.settings import Settings
from .executor import Executor
from .models.accounts import AccountRow, AccountsModel
from .threads import require_gui_thread

T = TypeVar("T")


class Accounts(QObject):
    accountsChanged = Signal()  # names, the default or session-only state changed
    accountChanged = Signal(str)  # the chosen account ("" when there is none)
    accountNeeded = Signal()  # an action was refused because there is no account yet

    def __init__(
        self,
        settings: Settings,
        keys: KeyStore,
        executor: Executor,
        save_settings: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._keys = keys
        self._executor = executor
        self._save_settings = save_settings
        self.model = AccountsModel(self)
        self._current = ""
        self.refresh()
        self._current = self._first_account()

    def _first_account(self) -> str:
        names = self._settings.accounts
        for name in (self._settings.last_account, self._settings.default_account):
            if name in names:
                return name
        return names[0] if names else ""

    @property
    def current(self) -> str:
        """The account whose key every request uses ("" when there is none)."""
        return self._current

    def names(self) -> list[str]:
        return self.model.names()

    def set_current(self, name: str) -> None:
        require_gui_thread()
        if name == self._current or (name and name not in self._settings.accounts):
            return
        self._current = name
        if name:
            self._settings.last_account = name
            self._save_settings()
        self.accountChanged.emit(name)

    def require(self) -> str | None:
        """The chosen account, or None after saying that an account is needed."""
        if not self._current:
            self.accountNeeded.emit()
            return None
        return self._current

    def refresh(self) -> None:
        require_gui_thread()
        settings = self._settings
        self.model.set_rows(
            [AccountRow(n, n == settings.default_account, self._keys.is_session_only(n)) for n in settings.accounts]
        )
        self.accountsChanged.emit()
        if self._current not in settings.accounts:
            self.set_current(self._first_account())

    def run_keyring(
        self,
        job: Callable[[KeyStore], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None],
        owner: QObject,
    ) -> None:
        """Keyring work, on the executor (the key store serialises its own calls)."""
        keys = self._keys
        self._executor.submit(lambda: job(keys), on_done, on_error, owner=owner)

    def add(self, name: str) -> None:
        settings = self._settings
        if name not in settings.accounts:
            settings.accounts.append(name)
        if not settings.default_account:
            settings.default_account = name
        self._save_settings()
        self.refresh()
        if not self._current:
            self.set_current(name)

    def rename(self, old: str, new: str) -> None:
        settings = self._settings
        settings.accounts = [new if n == old else n for n in settings.accounts]
        if settings.default_account == old:
            settings.default_account = new
        if settings.last_account == old:
            settings.last_account = new
        if self._current == old:
            self._current = new
            self.accountChanged.emit(new)
        self._save_settings()
        self.refresh()

    def remove(self, name: str) -> None:
        settings = self._settings
        settings.accounts = [n for n in settings.accounts if n != name]
        if settings.default_account == name:
            settings.default_account = settings.accounts[0] if settings.accounts else ""
        if settings.last_account == name:
            settings.last_account = settings.default_account
        self._save_settings()
        self.refresh()

    def set_default(self, name: str) -> None:
        self._settings.default_account = name
        self._save_settings()
        self.refresh()
