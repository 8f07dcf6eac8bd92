"""The numbers a test call dials: one, or several pasted (a test broadcast), or picked from the
user's saved test numbers.

`parse_numbers` cleans what was typed: every bad line is kept with its reason, duplicates are
removed and counted, and more than `MAX_NUMBERS` is refused. Saved test numbers live in the
settings (`Settings.test_numbers`, a name each), never in the history.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QToolButton, QWidget

from ...service import InvalidInput
from ...service import validation as check

# One NotifyMultiplePhoneAdvanced carries the whole broadcast, and a lost answer leaves every number
# "outcome unknown" until each is looked up (one request per number): 50 keeps a test broadcast a
# test, one that is quick to check. Real campaigns belong in a campaign tool.
MAX_NUMBERS = 50
SEPARATORS = re.compile(r"[\n\r,;]+")


@dataclass(frozen=True)
class BadLine:
    line: int  # 1-based position in the list
    text: str
    reason: str

    def __str__(self) -> str:
        return f"Number {self.line} (“{self.text}”): {self.reason}"


@dataclass(frozen=True)
class Numbers:
    numbers: tuple[str, ...]  # normalised, unique, in order
    shown: tuple[str, ...]  # as typed, for the result
    bad: tuple[BadLine, ...]
    duplicates: int

    @property
    def problem(self) -> str:
        """Every problem at once, one per line ("" when the list is fine)."""
        if not self.numbers and not self.bad:
            return "Enter a phone number, or several (one per line)."
        if len(self.bad) == 1 and not self.numbers and self.bad[0].line == 1:
            return self.bad[0].reason  # one number typed: its problem, without "Number 1"
        lines = [str(b) for b in self.bad]
        if len(self.numbers) > MAX_NUMBERS:
            lines.append(
                f"There are {len(self.numbers)} numbers; a test broadcast can have at most {MAX_NUMBERS}. Remove some."
            )
        return "\n".join(lines)

    @property
    def note(self) -> str:
        if not self.duplicates:
            return ""
        plural = "s" if self.duplicates > 1 else ""
        return f"{self.duplicates} duplicate number{plural} removed: each number is called once."


def problem_of(run: Callable[..., object], *args: object) -> str:
    """The message of the InvalidInput that `run(*args)` raises, or "" when it is fine."""
    try:
        run(*args)
    except InvalidInput as error:
        return error.message
    return ""


def parse_numbers(text: str) -> Numbers:
    numbers: list[str] = []
    shown: list[str] = []
    bad: list[BadLine] = []
    duplicates = 0
    pieces = [p.strip() for p in SEPARATORS.split(text or "") if p.strip()]
    for line, piece in enumerate(pieces, start=1):
        try:
            number = check.phone_number(piece)
        except InvalidInput as error:
            bad.append(BadLine(line, piece[:40], error.message))
            continue
        if number in numbers:
            duplicates += 1
            continue
        numbers.append(number)
        shown.append(piece)
    return Numbers(tuple(numbers), tuple(shown), tuple(bad), duplicates)


def saved_numbers(saved: object) -> list[tuple[str, str]]:
    """The saved test numbers as (name, number), skipping anything malformed in the file."""
    result = []
    for entry in saved if isinstance(saved, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("number"), str) and entry["number"].strip():
            name, number = entry.get("name"), entry["number"].strip()
            result.append((name.strip() if isinstance(name, str) and name.strip() else number, number))
    return result


class NumbersEdit(QPlainTextEdit):
    """A small box for one number or several, one per line. `text()`/`setText()` as a line edit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setPlaceholderText("for example 757-555-1234 (several: one per line)")
        lines = self.fontMetrics().lineSpacing()
        self.setFixedHeight(lines * 2 + 14)

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:
        self.setPlainText(text)

    def add_number(self, number: str) -> None:
        current = self.toPlainText().rstrip()
        self.setPlainText(f"{current}\n{number}" if current else number)


class SavedNumbersButton(QToolButton):
    """ "Test numbers ▾": pick a saved number, save the ones typed, or remove one."""

    picked = Signal(str)  # a saved number to add to the list
    save_requested = Signal()
    remove_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText("Test numbers")
        self.setAccessibleName("Saved test numbers")
        self.setToolTip("Add one of your saved test numbers, or save the numbers typed here")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setMenu(QMenu(self))
        self.set_numbers([])

    def set_numbers(self, saved: list[tuple[str, str]]) -> None:
        menu = self.menu()
        menu.clear()
        for name, number in saved:
            action = QAction(_label(name, number), menu)
            action.triggered.connect(lambda _=False, n=number: self.picked.emit(n))
            menu.addAction(action)
        if not saved:
            empty = menu.addAction("No saved test numbers yet")
            empty.setEnabled(False)
        menu.addSeparator()
        menu.addAction("Save the numbers typed here…").triggered.connect(self.save_requested)
        if saved:
            remove = menu.addMenu("Remove a saved number")
            for name, number in saved:
                action = QAction(_label(name, number), remove)
                action.triggered.connect(lambda _=False, n=number: self.remove_requested.emit(n))
                remove.addAction(action)


def _label(name: str, number: str) -> str:
    text = f"{name} — {number}" if name != number else number
    return text.replace("&", "&&")  # a menu would read "&" as a keyboard shortcut
