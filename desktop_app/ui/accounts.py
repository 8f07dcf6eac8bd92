"""The controller's accounts part: which account is chosen, and changes to the list.

Names live in the settings; keys only in the key store, reached on the executor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from ..storage.secrets import KeyStore, KeyStoreError
from ..storage.settings import Settings
from .executor import Executor
from .models.accounts import AccountRow, AccountsModel, natural_key
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
        self._replacing_rows = False  # the list is being replaced: views reset, nobody chose
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
        """The user chose `name`. While the list is being replaced, a view that resets (the
        Account box selects its first row) is not a choice: the working account stays."""
        require_gui_thread()
        if self._replacing_rows or name == self._current or (name and name not in self._settings.accounts):
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
        """The list again, in natural order ("Clinic North" before "Clinic North 2"); views then
        show the working account again (accountsChanged)."""
        require_gui_thread()
        settings = self._settings
        names = sorted(settings.accounts, key=natural_key)
        self._replacing_rows = True
        try:
            self.model.set_rows(
                [AccountRow(n, n == settings.default_account, self._keys.is_session_only(n)) for n in names]
            )
        finally:
            self._replacing_rows = False
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

    def find_key_owner(self, key: str, exclude: str | None, on_answer: Callable[[str], None], owner: QObject) -> None:
        """Which account (other than `exclude`) already has `key`: `on_answer(name)`, or "" for
        none or when the keys cannot be read. The keys are read and compared on the executor, in
        memory only (in any capitals: keys are GUIDs), and never logged or returned."""
        names = tuple(name for name in self.names() if name != exclude)
        wanted = key.strip().lower()

        def saved_for(keys: KeyStore) -> str:
            for name in names:
                try:
                    if keys.get(name).strip().lower() == wanted:
                        return name
                except KeyStoreError:
                    continue  # a key that cannot be read is not this one, as far as we know
            return ""

        self.run_keyring(saved_for, on_answer, lambda _error: on_answer(""), owner)

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
