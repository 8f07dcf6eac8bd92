"""A plain-PySide6 copy of the app's first screen, with none of the app's code: the floor for
bench/startup.py (what the same widgets and menus cost before the first paint).

It mirrors what the app shows at start-up in sandbox mode: the banner, the account row, the tabs
with the Cancel page, a menu bar (placeholder items, as many as the app's) and the status bar.
Like the app, it sets Qt values through Qt's typed API (`Qt.TextFormat.PlainText`, ...).
Prints "ready" by the same rule (first_paint.py).
"""

from first_paint import ReadyAfterFirstPaint
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

TABS = ("&Find calls", "Calls from this &desk", "&Bulk cancel", "&Schedule a test call", "&History")


def label(text: str = "", wrap: bool = False) -> QLabel:
    widget = QLabel(text)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setWordWrap(wrap)
    return widget


def cancel_page() -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    by_reference = QGroupBox("Cancel scheduled calls by reference ID")
    form = QVBoxLayout(by_reference)
    form.addWidget(label("Cancels every call with this reference ID that has not started yet. " * 2, wrap=True))
    row = QHBoxLayout()
    reference, button = QLineEdit(), QPushButton("Cancel these calls…")
    reference.setPlaceholderText("for example notify1")
    button.setShortcut(QKeySequence("Ctrl+Return"))
    row.addWidget(QLabel("&Reference ID:"))
    row.addWidget(reference, 1)
    row.addWidget(button)
    form.addLayout(row)
    form.addWidget(label())
    layout.addWidget(by_reference)
    by_queue = QGroupBox("Cancel one call by QueueID")
    queue_form = QFormLayout(by_queue)
    queue_row = QHBoxLayout()
    queue_row.addWidget(QLineEdit(), 1)
    queue_row.addWidget(QPushButton("Cancel this call…"))
    queue_form.addRow(QLabel("&QueueID:"), queue_row)
    queue_form.addRow("", label())
    layout.addWidget(by_queue)
    busy = QProgressBar()
    busy.hide()
    layout.addWidget(busy)
    layout.addStretch(1)
    return page


app = QApplication([])
window = QMainWindow()
window.resize(860, 680)
central = QWidget()
layout = QVBoxLayout(central)
banner = QLabel("SANDBOX — no real calls are placed")
banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
banner.setStyleSheet("background: #ffd84d; color: #3d2e00; font-weight: bold; padding: 6px; border-radius: 4px;")
layout.addWidget(banner)
account_row = QHBoxLayout()
account = QComboBox()
account.setPlaceholderText("(no accounts yet)")
account_row.addWidget(QLabel("&Account:"))
account_row.addWidget(account)
account_row.addWidget(QPushButton("Manage accounts…"))
account_row.addWidget(label("Checking the keyring…", wrap=True), 1)
layout.addLayout(account_row)
for _ in range(2):  # the notice line and the welcome panel, hidden
    hidden = QFrame()
    hidden.hide()
    layout.addWidget(hidden)
tabs = QTabWidget()
tabs.addTab(cancel_page(), "&Cancel calls")
for title in TABS:
    tabs.addTab(QWidget(), title)
layout.addWidget(tabs, 1)
window.setCentralWidget(central)
for title in ("&File", "&Accounts", "&Go", "&Help"):
    menu = window.menuBar().addMenu(title)
    for number in range(5):
        item = QAction(f"Item {number}", window)
        item.setShortcut(QKeySequence(f"Ctrl+{number}"))
        menu.addAction(item)
window.statusBar().addPermanentWidget(label("Sandbox, starting…"))


probe = ReadyAfterFirstPaint(app, window)
window.show()
app.exec()
