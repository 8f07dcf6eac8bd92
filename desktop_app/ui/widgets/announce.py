"""Spoken announcements: a result or an error reaches a screen reader even when the focus stays
where it is (WCAG 4.1.3). Qt sends them through the platform's accessibility bridge (AT-SPI on
Linux, UI Automation on Windows, NSAccessibility on macOS); nothing happens while no assistive
technology listens.

`announcements().said` repeats each one for the tests (Qt offers no way to observe its own
accessibility events from Python): what the event sent to Qt carries, read back from it after it
was sent, so a test sees the politeness and the text Qt was given, not what the caller meant."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent


class Announcements(QObject):
    said = Signal(str, bool)  # the text, and whether it was assertive (interrupts speech)


_announcements: Announcements | None = None


def announcements() -> Announcements:
    global _announcements
    if _announcements is None:
        _announcements = Announcements()
    return _announcements


def announce(source: QObject, message: str, assertive: bool = False) -> None:
    """Have a screen reader say `message`, from `source` (a visible widget): assertive for errors,
    which interrupt what it is saying; polite for results, which wait their turn."""
    if not message:
        return
    event = QAccessibleAnnouncementEvent(source, message)
    politeness = QAccessible.AnnouncementPoliteness
    event.setPoliteness(politeness.Assertive if assertive else politeness.Polite)
    QAccessible.updateAccessibility(event)
    announcements().said.emit(event.message(), event.politeness() == politeness.Assertive)
