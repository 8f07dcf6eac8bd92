"""Proxy sign-in: the user name and password a company proxy asks for (Basic sign-in).

The password goes to the system keyring (like license keys), or is kept in memory for this session
only when the user unticks "Remember"; it is never written to a file, the environment, a log or the
history. The field is cleared as soon as the value is taken.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ..widgets import FieldError, buddy_label, plain_label


def sign_in_text(proxy: str, realm: str, refused: bool) -> str:
    where = f"The proxy server {proxy}" + (f" ({realm})" if realm else "")
    if refused:
        return f"{where} refused the last user name and password. Enter them again."
    return (
        f"{where} asks you to sign in before the app can reach the service. Use the user name and password "
        "your IT department gave you for the proxy (often your Windows sign-in)."
    )


class ProxySignInDialog(QDialog):
    def __init__(
        self, proxy: str, realm: str = "", username: str = "", refused: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Proxy sign-in")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.proxy = proxy
        layout = QVBoxLayout(self)
        self.explanation = plain_label(sign_in_text(proxy, realm, refused), True)
        layout.addWidget(self.explanation)
        form = QFormLayout()
        self.username = QLineEdit(username)
        self.username.setAccessibleName("Proxy user name")
        form.addRow(buddy_label("&User name:", self.username), self.username)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Proxy password")
        form.addRow(buddy_label("&Password:", self.password), self.password)
        layout.addLayout(form)
        self.remember = QCheckBox("&Remember the password in this computer's keyring")
        self.remember.setChecked(True)
        self.remember.setToolTip("Unticked, the password is kept only until the app closes")
        layout.addWidget(self.remember)
        self.error = FieldError()  # about both fields: tied to the empty one when it shows
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText("&Sign in")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        (self.password if username else self.username).setFocus()

    def accept(self) -> None:
        if not self.username.text().strip() or not self.password.text():
            empty = self.password if self.username.text().strip() else self.username
            self.error.show_message("")  # the other field gets its own description back
            self.error.field = empty
            self.error.show_message("Enter both the user name and the password.")
            empty.setFocus()
            return
        super().accept()

    def reject(self) -> None:
        self.password.clear()
        super().reject()

    def take_values(self) -> tuple[str, str, bool]:
        """(user name, password, remember); the password field is cleared."""
        password = self.password.text()
        self.password.clear()
        return self.username.text().strip(), password, self.remember.isChecked()
