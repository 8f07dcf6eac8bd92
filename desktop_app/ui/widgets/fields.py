"""Fields that behave as one keyboard stop.

Qt's date and time edits use Tab to move between their parts (year, month, day, hour, minute), so
leaving the "When" field took five presses of Tab. Here Tab always goes to the next field, as in
every other field; the parts are reached with Left and Right (or by typing), changed with Up and
Down, and Alt+Down opens the calendar."""

from __future__ import annotations

from PySide6.QtWidgets import QDateTimeEdit, QTimeEdit, QWidget

PARTS_HINT = "Left and Right move between the parts, Up and Down change the part at the cursor"
CALENDAR_HINT = "Alt+Down opens a calendar"


class OneStopDateTimeEdit(QDateTimeEdit):
    def focusNextPrevChild(self, next: bool) -> bool:
        # QDateTimeEdit would move to its next part; skip to the widget's own behaviour.
        return QWidget.focusNextPrevChild(self, next)


class OneStopTimeEdit(QTimeEdit):
    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)
