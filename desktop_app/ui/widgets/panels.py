"""Small building blocks shared by the pages: inline field errors, a result panel, a busy row and a
non-blocking confirmation box.

Every label here may show text from the server or the user, so each one is plain text: a fault
message containing `<b>` or `<a href>` is shown literally, never rendered.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


class Tone(StrEnum):
    """What a result or notice says about the outcome; it chooses the panel's colours."""

    SUCCESS = "success"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


COLOURS: dict[Tone, tuple[str, str]] = {  # background, text and border
    Tone.SUCCESS: ("#e7f5ea", "#1e7b34"),
    Tone.INFO: ("#eef3fb", "#2a5599"),
    Tone.WARNING: ("#fff6e0", "#8a5a00"),
    Tone.ERROR: ("#fdecea", "#b3261e"),
}


def plain_label(text: str = "", word_wrap: bool = False) -> QLabel:
    """A label that never interprets its text as HTML."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
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
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setStyleSheet("color: #b3261e;")
        self.setAccessibleName("Field error")
        self.hide()

    def show_message(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))


class DetailsForIT(QWidget):
    """ "Details for IT": a closed disclosure under an error's explanation with the technical cause
    (the proxy's status line, the certificate's issuer and subject, the route taken; never a
    secret) and a button that copies them with the message, for a support ticket."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.toggle = QToolButton()
        self.toggle.setText("Details for IT")
        self.toggle.setCheckable(True)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAutoRaise(True)
        self.toggle.setAccessibleName("Details for IT")
        self.toggle.setToolTip("Show the technical cause, for your IT department or support")
        self.toggle.toggled.connect(self._toggled)
        layout.addWidget(self.toggle)
        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(18, 0, 0, 0)
        self.text = plain_label(word_wrap=True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAccessibleName("Technical details")
        body.addWidget(self.text)
        row = QHBoxLayout()
        self.copy_button = QPushButton("&Copy details")
        self.copy_button.setToolTip("Copies the message and these details, to paste into a support request")
        self.copy_button.clicked.connect(self.copy)
        row.addWidget(self.copy_button)
        row.addStretch(1)
        body.addLayout(row)
        layout.addWidget(self.body)
        self.body.hide()
        self._copy_text = ""
        self.hide()

    def show_details(self, summary: str, detail: str) -> None:
        """`summary`: the headline and message; `detail`: the technical cause ("" hides all)."""
        self.text.setText(detail)
        self._copy_text = f"{summary}\n\nDetails for IT:\n{detail}" if detail else ""
        self.toggle.setChecked(False)
        self.setVisible(bool(detail))

    def copied_text(self) -> str:
        """What Copy puts on the clipboard: the app and version, the time, the message, the details."""
        from datetime import UTC, datetime

        from ... import APP_NAME, __version__

        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"{APP_NAME} {__version__}, {when}\n{self._copy_text}"

    def copy(self) -> None:
        from PySide6.QtGui import QGuiApplication

        QGuiApplication.clipboard().setText(self.copied_text())
        self.copy_button.setText("Copied")

    def _toggled(self, shown: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.body.setVisible(shown)
        self.copy_button.setText("&Copy details")


class ResultPanel(QFrame):
    """A coloured box with a bold headline and a plain-language explanation; for an error with
    technical details, a "Details for IT" disclosure under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPanel")
        layout = self._layout = QVBoxLayout(self)
        self.headline = headline_label(word_wrap=True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body = plain_label(word_wrap=True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.headline)
        layout.addWidget(self.body)
        self.details = DetailsForIT()
        layout.addWidget(self.details)
        self._buttons = QHBoxLayout()
        self._buttons.addStretch(1)
        layout.addLayout(self._buttons)
        self.kind: Tone | None = None  # None while nothing is shown
        self.hide()

    def add_detail(self, widget: QWidget) -> None:
        """A widget between the text and the buttons (for example a table of numbers)."""
        self._layout.insertWidget(self._layout.indexOf(self._buttons), widget)

    def add_button(self, button: QWidget, leading: bool = False) -> None:
        """A button under the text (for example "Cancel this call"), right-aligned; `leading`: at
        the left end instead, apart from the others."""
        if leading:
            self._buttons.insertWidget(0, button)
        else:
            self._buttons.addWidget(button)

    def show_result(self, kind: Tone, headline: str, body: str = "", detail: str | None = None) -> None:
        """`detail`: the technical cause for IT; by default the one `body` carries when it came
        from desk.describe_error (shown for errors and warnings only)."""
        background, foreground = COLOURS[kind]
        self.kind = kind
        self.setStyleSheet(
            f"#resultPanel {{ background: {background}; border: 1px solid {foreground}; border-radius: 6px; }}"
            f"#resultPanel QLabel {{ color: {foreground}; }}"
        )
        self.headline.setText(headline)
        self.body.setText(body)
        self.body.setVisible(bool(body))
        if detail is None:
            detail = str(getattr(body, "detail", "") or "")
        shown = detail if kind in (Tone.ERROR, Tone.WARNING) else ""
        self.details.show_details(f"{headline}\n{body}".strip(), shown)
        self.setAccessibleName(f"{headline} {body}".strip())
        self.show()

    def clear(self) -> None:
        self.kind = None
        self.headline.clear()
        self.body.clear()
        self.details.show_details("", "")
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
