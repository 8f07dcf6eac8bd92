"""Small building blocks shared by the pages: inline field errors, a result panel, a busy row and a
non-blocking confirmation box.

Every label here may show text from the server or the user, so each one is plain text: a fault
message containing `<b>` or `<a href>` is shown literally, never rendered.

Results and errors are not told by colour alone: a result panel starts with a word ("Done:",
"Problem:") and an icon, and both reach a screen reader (announce.py; the panel has the alert role).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import (
    QAccessibleWidget,
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .announce import announce
from .text_tones import TextTone, set_text_tone


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
# The word and the icon that say what a result is, for those who cannot tell the colours apart.
TONE_WORDS: dict[Tone, str] = {Tone.SUCCESS: "Done", Tone.INFO: "Note", Tone.WARNING: "Warning", Tone.ERROR: "Problem"}
TONE_ICONS: dict[Tone, QStyle.StandardPixmap] = {
    Tone.SUCCESS: QStyle.StandardPixmap.SP_DialogApplyButton,
    Tone.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
    Tone.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    Tone.ERROR: QStyle.StandardPixmap.SP_MessageBoxCritical,
}
FOCUS_RING = "#1a4d8f"  # dark blue: 8:1 against white and the window grey (at least 3:1 is needed)


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
    """A red message under a field; empty and hidden when the field is fine.

    A screen reader finds it three ways: the label's accessible name is the message, the field's
    accessible description carries it while it shows (the field's own description comes back when
    it goes), and it is announced when it appears. `polite`: for checks made as the user types,
    whose messages must not interrupt the echo of the keys."""

    def __init__(self, field: QWidget | None = None, parent: QWidget | None = None, polite: bool = False) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        set_text_tone(self, TextTone.ERROR)
        self.field = field
        self.polite = polite
        self._own_description: str | None = None  # the field's description while the message shows
        self.hide()

    def show_message(self, message: str, announced: bool = True) -> None:
        """`announced`: False when the caller says it another way (a summary of several problems)."""
        appeared = bool(message) and not self.text()
        self.setText(message)
        self.setAccessibleName(message)
        self.setVisible(bool(message))
        self._describe_field(message)
        if appeared and announced:
            announce(self, message, assertive=not self.polite)

    def _describe_field(self, message: str) -> None:
        if self.field is None:
            return
        if message:
            if self._own_description is None:
                self._own_description = self.field.accessibleDescription()
            self.field.setAccessibleDescription(f"{message} {self._own_description}".strip())
        elif self._own_description is not None:
            self.field.setAccessibleDescription(self._own_description)
            self._own_description = None


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
        self.copy_button = QPushButton("Copy details")  # no mnemonic: two panels may show one each
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
        self.copy_button.setText("Copy details")


class ResultPanel(QFrame):
    """A coloured box with a word and an icon for the kind of result ("Done:", "Problem:"), a bold
    headline and a plain-language explanation; for an error with technical details, a "Details
    for IT" disclosure under it.

    For a screen reader it is an alert named "Problem: <headline>" and described by the
    explanation. Each result is announced (assertive for errors and warnings, polite otherwise),
    or, with `focus`, the panel takes the keyboard focus instead (which a screen reader speaks):
    only when the focus is on the panel's page, so a late answer never pulls it from elsewhere."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        install_alert_role()
        self.setObjectName("resultPanel")
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # Tab comes back to it, to read it again
        layout = self._layout = QVBoxLayout(self)
        self.heading = QWidget()
        heading = QHBoxLayout(self.heading)
        heading.setContentsMargins(0, 0, 0, 0)
        self.icon = plain_label()  # shows a pixmap; plain text like every label here
        self.tone_word = headline_label()
        self.headline = headline_label(word_wrap=True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        heading.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        heading.addWidget(self.tone_word, 0, Qt.AlignmentFlag.AlignTop)
        heading.addWidget(self.headline, 1)
        self.body = plain_label(word_wrap=True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.heading)
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

    def show_result(
        self, kind: Tone, headline: str, body: str = "", detail: str | None = None, focus: bool = False
    ) -> None:
        """`detail`: the technical cause for IT; by default the one `body` carries when it came
        from desk.describe_error (shown for errors and warnings only). `focus`: the answer to what
        the user just asked for on this page (see the class)."""
        background, foreground = COLOURS[kind]
        self.kind = kind
        self.setStyleSheet(
            f"#resultPanel {{ background: {background}; border: 1px solid {foreground}; border-radius: 6px; }}"
            f"#resultPanel:focus {{ border: 2px solid {FOCUS_RING}; }}"
            f"#resultPanel QLabel {{ color: {foreground}; }}"
        )
        word = TONE_WORDS[kind]
        size = self.headline.fontMetrics().height()
        self.icon.setPixmap(self.style().standardIcon(TONE_ICONS[kind]).pixmap(size, size))
        self.tone_word.setText(f"{word}:")
        self.headline.setText(headline)
        self.body.setText(body)
        self.body.setVisible(bool(body))
        if detail is None:
            detail = str(getattr(body, "detail", "") or "")
        shown = detail if kind in (Tone.ERROR, Tone.WARNING) else ""
        self.details.show_details(f"{headline}\n{body}".strip(), shown)
        self.setAccessibleName(f"{word}: {headline}")
        self.setAccessibleDescription(body)
        self.show()
        if not self.isVisible():
            return  # on a page not shown (built ahead, or another tab): nothing to say yet
        if not (focus and self._take_focus()):
            announce(self, spoken(f"{word}: {headline}", body), assertive=kind in (Tone.ERROR, Tone.WARNING))

    def _take_focus(self) -> bool:
        """Focus the panel if the focus is on its page (or nowhere); True when it moved."""
        focused, page = QApplication.focusWidget(), self.parentWidget()
        if focused is not None and (page is None or not page.isAncestorOf(focused)):
            return False
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def clear(self) -> None:
        self.kind = None
        self.headline.clear()
        self.body.clear()
        self.setAccessibleName("")
        self.setAccessibleDescription("")
        self.details.show_details("", "")
        self.hide()


def spoken(*parts: str) -> str:
    """Sentences joined for speech: "Done: 1 call cancelled. Reference ID …"."""
    texts = [part.strip() for part in parts if part and part.strip()]
    last = len(texts) - 1
    return " ".join(text if index == last or text[-1] in ".?!:…" else f"{text}." for index, text in enumerate(texts))


def _alert_interface(key: str, target: QObject) -> QAccessibleInterface | None:
    """Qt's accessibility factory hook: a ResultPanel is an alert (AT-SPI "alert", UI Automation
    and NSAccessibility likewise) instead of a plain frame."""
    if key == "ResultPanel" and isinstance(target, ResultPanel):
        return QAccessibleWidget(target, QAccessible.Role.AlertMessage)
    return None


_alert_role_installed = False


def install_alert_role() -> None:
    global _alert_role_installed
    if not _alert_role_installed:
        QAccessible.installFactory(_alert_interface)
        _alert_role_installed = True


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
