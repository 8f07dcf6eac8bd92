"""Small building blocks shared by the pages: inline field errors, a result panel, a busy row and a
non-blocking confirmation box.

Every label here may show text from the server or the user, so each one is plain text: a fault
message containing `<b>` or `<a href>` is shown literally, never rendered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QMessageBox

STYLES = {
    "success": ("#e7f5ea", "#1e7b34"),
    "info": ("#eef3fb", "#2a5599"),
    "warning": ("#fff6e0", "#8a5a00"),
    "error": ("#fdecea", "#b3261e"),
}


def set_property(widget: QObject, name: str, value: object) -> None:
    """Set a Qt property from its text, through Qt's property system, which converts it itself:
    `set_property(label, "textFormat", "PlainText")` is `label.setTextFormat(Qt.TextFormat.PlainText)`,
    `set_property(button, "shortcut", "Ctrl+Return")` is `button.setShortcut(QKeySequence(...))`.
    The first screen is set up this way because the first touch of `PySide6.QtCore.Qt` (which the
    typed setters make) builds all 93 of its enums at once: 17 ms, a tenth of the start-up budget.
    A value Qt does not take raises: a typo must not leave a label rendering HTML."""
    if not widget.setProperty(name, value):
        raise ValueError(f"{type(widget).__name__}.{name} does not take {value!r}")


def plain_label(text: str = "", word_wrap: bool = False) -> QLabel:
    """A label that never interprets its text as HTML."""
    label = QLabel()
    set_property(label, "textFormat", "PlainText")
    label.setText(text)
    label.setWordWrap(word_wrap)
    return label


def headline_label(text: str = "", word_wrap: bool = False) -> QLabel:
    """A plain-text headline: bold, 1.35 times the usual size."""
    label = plain_label(text, word_wrap)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.35)
    font.setBold(True)
    label.setFont(font)
    return label


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A form label whose &-mnemonic moves the focus to `buddy` (QFormLayout only does this itself
    when the field is a single widget)."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


class FieldError(QLabel):
    """A red message under a field; empty and hidden when the field is fine."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_property(self, "textFormat", "PlainText")
        self.setWordWrap(True)
        self.setStyleSheet("color: #b3261e;")
        self.setAccessibleName("Field error")
        self.hide()

    def show_message(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))


class ResultPanel(QFrame):
    """A coloured box with a bold headline and a plain-language explanation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPanel")
        layout = QVBoxLayout(self)
        self.headline = headline_label(word_wrap=True)
        set_property(self.headline, "textInteractionFlags", "TextSelectableByMouse")
        self.body = plain_label(word_wrap=True)
        set_property(self.body, "textInteractionFlags", "TextSelectableByMouse")
        layout.addWidget(self.headline)
        layout.addWidget(self.body)
        self.actions = QHBoxLayout()
        self.actions.addStretch(1)
        layout.addLayout(self.actions)
        self.kind = ""
        self.hide()

    def show_result(self, kind: str, headline: str, body: str = "") -> None:
        background, foreground = STYLES[kind]
        self.kind = kind
        self.setStyleSheet(
            f"#resultPanel {{ background: {background}; border: 1px solid {foreground}; border-radius: 6px; }}"
            f"#resultPanel QLabel {{ color: {foreground}; }}"
        )
        self.headline.setText(headline)
        self.body.setText(body)
        self.body.setVisible(bool(body))
        self.setAccessibleName(f"{headline} {body}".strip())
        self.show()

    def clear(self) -> None:
        self.kind = ""
        self.headline.clear()
        self.body.clear()
        self.hide()


class BusyRow(QWidget):
    """An indeterminate progress bar with a label: shown while a request runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setMaximumWidth(160)
        self.bar.setAccessibleName("Working")
        self.label = plain_label()
        layout.addWidget(self.bar)
        layout.addWidget(self.label, 1)
        self.hide()

    def start(self, text: str) -> None:
        self.label.setText(text)
        self.show()

    def stop(self) -> None:
        self.hide()


def confirm(
    parent: QWidget,
    title: str,
    text: str,
    on_yes: Callable[[], None],
    yes_text: str = "Yes",
    no_text: str = "No",
    icon: QMessageBox.Icon | None = None,
    on_no: Callable[[], None] | None = None,
) -> QMessageBox:
    """A window-modal question that does not block the event loop. "No" is the default button;
    the icon a question mark unless given."""
    from PySide6.QtCore import Qt  # here: see set_property
    from PySide6.QtWidgets import QMessageBox  # here: its type costs the first paint 3 ms

    icon = QMessageBox.Icon.Question if icon is None else icon
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)  # the text quotes what the user typed
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(no_text, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def finished() -> None:
        if box.clickedButton() is yes:
            on_yes()
        elif box.clickedButton() is no and on_no is not None:
            on_no()

    box.buttonClicked.connect(lambda _button: finished())
    box.open()
    return box
