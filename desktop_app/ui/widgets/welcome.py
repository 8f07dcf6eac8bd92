"""The first-run panel: what the app is for, and the one thing to do first."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from .panels import headline_label, plain_label

WELCOME_TITLE = "Welcome to Voice Broadcast Desk"
WELCOME_TEXT = (
    "Cancel scheduled calls by their reference ID, find out what happened to a call, and schedule test "
    "calls with the Esendex Voice Broadcast service. First add your Esendex account: its name and "
    "license key (kept in the computer's key store where it has one)."
)


class WelcomePanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePanel")
        self.setStyleSheet(
            "#welcomePanel { background: #eef3fb; border: 1px solid #2a5599; border-radius: 6px; }"
            "#welcomePanel QLabel { color: #1d3d70; }"
        )
        layout = QVBoxLayout(self)
        self.title = headline_label(WELCOME_TITLE)
        self.text = plain_label(WELCOME_TEXT, word_wrap=True)
        row = QHBoxLayout()
        row.addStretch(1)
        self.add_button = QPushButton("Add your first account…")
        self.add_button.setAccessibleName("Add your first account")
        self.add_button.setDefault(True)
        row.addWidget(self.add_button)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addLayout(row)
        self.setAccessibleName(WELCOME_TITLE)
