"""The Schedule page's saved test numbers: kept in the settings with a name each (never in the
history), picked from the "Test numbers" menu beside the numbers box."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog, QLineEdit

from ...service.validation import phone_text
from .schedule_numbers import saved_numbers

if TYPE_CHECKING:
    from ..controller import AppController
    from .schedule_form import ScheduleForm


class SavedNumbersMixin:
    controller: AppController
    form: ScheduleForm

    def init_saved_numbers(self) -> None:
        button = self.form.saved_button
        button.picked.connect(self.form.phone.add_number)
        button.save_requested.connect(self.ask_test_number_name)
        button.remove_requested.connect(self.remove_test_number)
        self._refresh_saved()

    def saved_test_numbers(self) -> list[tuple[str, str]]:
        return saved_numbers(self.controller.settings.test_numbers)

    def _refresh_saved(self) -> None:
        self.form.saved_button.set_numbers(self.saved_test_numbers())

    def ask_test_number_name(self) -> QInputDialog | None:
        """Ask for a name, then save the valid numbers typed (non-blocking)."""
        if not self.form.numbers().numbers:
            self.form.errors["phone_number"].show_message("Type the test number(s) to save first.")
            return None
        dialog = QInputDialog(self.form)
        dialog.setWindowTitle("Save test numbers")
        dialog.setLabelText("A name for these test numbers (for example: My desk phone):")
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.textValueSelected.connect(self.save_test_numbers)
        dialog.open()
        return dialog

    def save_test_numbers(self, name: str) -> int:
        """Save the valid numbers typed under `name` ("name 2", "name 3" for more than one).
        Numbers already saved keep their name. Returns how many were added."""
        name = " ".join(name.split())[:50] or "Test number"
        saved = self.saved_test_numbers()
        known = {number for _name, number in saved}
        new = [text for text in map(phone_text, self.form.numbers().numbers) if text not in known]
        for position, number in enumerate(new, start=1):
            saved.append((name if position == 1 else f"{name} {position}", number))
        self._store(saved)
        return len(new)

    def remove_test_number(self, number: str) -> None:
        self._store([(name, n) for name, n in self.saved_test_numbers() if n != number])

    def _store(self, saved: list[tuple[str, str]]) -> None:
        self.controller.settings.test_numbers = [{"name": name, "number": number} for name, number in saved]
        self.controller.save_settings()
        self._refresh_saved()
