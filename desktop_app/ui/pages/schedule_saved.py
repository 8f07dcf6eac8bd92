"""The Schedule page's saved test numbers: kept in the settings with a name each (never in the
history), picked from the "Test numbers" menu beside the numbers box.

`SavedTestNumbers` is owned by the page. It is given the settings, how to save them, and the slice
of the form it fills and reads (`NumbersForm`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from ...service.validation import phone_text
from .schedule_numbers import Numbers, SavedNumbersButton, saved_numbers

if TYPE_CHECKING:
    from ...storage.settings import Settings


class NumbersForm(Protocol):
    """What saved test numbers need of the form: its "Test numbers" menu and its numbers box."""

    @property
    def saved_button(self) -> SavedNumbersButton: ...

    def numbers(self) -> Numbers: ...

    def add_number(self, number: str) -> None: ...

    def show_problem(self, field: str, message: str) -> None: ...


class SavedTestNumbers(QObject):
    """Pick, save and remove the saved test numbers; the menu always shows what the settings hold.

    `dialog_parent` is the widget the "Save test numbers" dialog opens over (and this object's parent).
    """

    def __init__(
        self, settings: Settings, save_settings: Callable[[], None], form: NumbersForm, dialog_parent: QWidget
    ) -> None:
        super().__init__(dialog_parent)
        self._settings = settings
        self._save_settings = save_settings
        self._form = form
        self._dialog_parent = dialog_parent
        button = form.saved_button
        button.picked.connect(form.add_number)
        button.save_requested.connect(self.ask_name)
        button.remove_requested.connect(self.remove)
        self._refresh()

    def saved(self) -> list[tuple[str, str]]:
        """The saved test numbers as (name, number), in the order they were saved."""
        return saved_numbers(self._settings.test_numbers)

    def ask_name(self) -> QInputDialog | None:
        """Ask for a name, then save the valid numbers typed (non-blocking)."""
        if not self._form.numbers().numbers:
            self._form.show_problem("phone_number", "Type the test number(s) to save first.")
            return None
        dialog = QInputDialog(self._dialog_parent)
        dialog.setWindowTitle("Save test numbers")
        dialog.setLabelText("A name for these test numbers (for example: My desk phone):")
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.textValueSelected.connect(self.save)
        dialog.open()
        return dialog

    def save(self, name: str) -> int:
        """Save the valid numbers typed under `name` ("name 2", "name 3" for more than one).
        Numbers already saved keep their name. Returns how many were added."""
        name = " ".join(name.split())[:50] or "Test number"
        saved = self.saved()
        known = {number for _name, number in saved}
        new = [text for text in map(phone_text, self._form.numbers().numbers) if text not in known]
        for position, number in enumerate(new, start=1):
            saved.append((name if position == 1 else f"{name} {position}", number))
        self._store(saved)
        return len(new)

    def remove(self, number: str) -> None:
        self._store([(name, n) for name, n in self.saved() if n != number])

    def _store(self, saved: list[tuple[str, str]]) -> None:
        self._settings.test_numbers = [{"name": name, "number": number} for name, number in saved]
        self._save_settings()
        self._refresh()

    def _refresh(self) -> None:
        self._form.saved_button.set_numbers(self.saved())
