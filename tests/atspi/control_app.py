"""The positive controls of tests/test_atspi.py: two windows with the same controls, one made wrong
on purpose, one made right, read through the same AT-SPI stack as the app. Every check must report
each fault planted in the first window, and nothing in the second.

    python tests/atspi/control_app.py

Planted in "Made wrong on purpose" (and done right in "Made right"):
- a field with no name, and a label whose "&" reaches the screen reader ("&Name:" with no buddy);
- an icon-only button with no name;
- a combo box with no label: a screen reader reads only its value;
- a field error whose label is named "Field error" (not its message), not in the field's description;
- a result shown in a label without an announcement or a focus move;
- two buttons with the same Alt letter (&Apply, &Add);
- a Tab order that goes back up (First, Third, Second), and a date-time field with a Tab stop per part.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QDateTime
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateTimeEdit,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QWidget,
)

NAME = "AtspiControls"
ERROR_MESSAGE = "A reference ID has at most 50 characters."
RESULT = "Saved: 3 rows"


class OneStopDateTimeEdit(QDateTimeEdit):
    """Tab leaves the field instead of walking its parts (the arrow keys move between them)."""

    def focusNextPrevChild(self, forward: bool) -> bool:
        return QWidget.focusNextPrevChild(self, forward)


def window(right: bool) -> QWidget:  # noqa: PLR0915 - one control after another, in reading order
    top = QWidget()
    top.setWindowTitle("Made right" if right else "Made wrong on purpose")
    grid = QGridLayout(top)
    row = 0

    label = QLabel("&Name:")
    name = QLineEdit()
    if right:
        label.setBuddy(name)
    grid.addWidget(label, row, 0)
    grid.addWidget(name, row, 1)
    row += 1

    icon = QPushButton()
    icon.setIcon(top.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
    if right:
        icon.setAccessibleName("Refresh")
    grid.addWidget(icon, row, 1)
    row += 1

    combo_label = QLabel("Find calls &by:" if right else "Find calls by")
    combo = QComboBox()
    combo.addItems(["Phone number", "QueueID"])
    if right:
        combo_label.setBuddy(combo)
    grid.addWidget(combo_label, row, 0)
    grid.addWidget(combo, row, 1)
    row += 1

    field = QLineEdit("x" * 60)
    field.setAccessibleName("Reference ID")
    error = QLabel(ERROR_MESSAGE)
    if right:
        field.setAccessibleDescription(ERROR_MESSAGE)
    else:
        error.setAccessibleName("Field error")
    grid.addWidget(QLabel("Reference ID:"), row, 0)
    grid.addWidget(field, row, 1)
    grid.addWidget(error, row + 1, 1)
    row += 2

    result = QLabel("")
    show = QPushButton("Show the result")

    def show_result() -> None:
        result.setText(RESULT)
        if right:
            QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(result, RESULT))

    show.clicked.connect(show_result)
    grid.addWidget(show, row, 1)
    grid.addWidget(result, row + 1, 1)
    row += 2

    grid.addWidget(QPushButton("&Apply"), row, 0)
    grid.addWidget(QPushButton("A&dd" if right else "&Add"), row, 1)
    row += 1

    fields = []
    for word in ("First", "Second", "Third"):
        edit = QLineEdit()
        edit.setAccessibleName(word)
        grid.addWidget(edit, row, 1)
        fields.append(edit)
        row += 1
    if not right:
        QWidget.setTabOrder(fields[0], fields[2])
        QWidget.setTabOrder(fields[2], fields[1])
    when = OneStopDateTimeEdit() if right else QDateTimeEdit()
    when.setDisplayFormat("yyyy-MM-dd HH:mm")
    when.setDateTime(QDateTime(2030, 1, 2, 3, 4, 0))
    when.setAccessibleName("When")
    grid.addWidget(when, row, 1)
    row += 1
    return top


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setApplicationName(NAME)
    windows = [window(right=False), window(right=True)]
    for index, top in enumerate(windows):
        QShortcut(QKeySequence("Ctrl+Q"), top, app.quit)
        top.move(40 + index * 620, 40)
        top.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
