"""Ask for an account name and a license key, checking the key as it is typed."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...service import InvalidInput
from ...service import validation as check
from ...storage.secrets import StoreInfo
from ..widgets import FieldError, buddy_label, plain_label

FIND_YOUR_KEY = (
    "Where to find it: sign in to your Esendex account portal, or ask whoever manages your Esendex "
    "account. A license key looks like 00000000-0000-0000-0000-000000000000."
)


class KeyEntryDialog(QDialog):
    """Ask for an account name (optional) and a license key, validating the key as it is typed."""

    def __init__(
        self, parent: QWidget, title: str, store: StoreInfo, name: str | None = None, existing: list[str] | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.existing = {n.lower() for n in existing or []}
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)  # grow when a message appears
        form = QFormLayout()
        self.name = QLineEdit(name or "")
        self.name.setAccessibleName("Account name")
        self.name.setPlaceholderText("for example Main office")
        self.name.setMaxLength(60)
        self.name_error = FieldError()
        if name is None or existing is not None:
            form.addRow("Account &name:", self.name)
            form.addRow("", self.name_error)
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setAccessibleName("License key")
        self.key.setPlaceholderText("00000000-0000-0000-0000-000000000000")
        self.key.setToolTip("Paste it from the Esendex account portal; dashes are optional")
        self.key.setMinimumWidth(self.key.fontMetrics().horizontalAdvance("00000000-0000-0000-0000-000000000000") + 60)
        self.show_key = QCheckBox("&Show")
        self.show_key.setAccessibleName("Show the license key while typing")
        key_row = QHBoxLayout()
        key_row.addWidget(self.key, 1)
        key_row.addWidget(self.show_key)
        form.addRow(buddy_label("&License key:", self.key), key_row)
        self.key_error = FieldError()
        form.addRow("", self.key_error)
        layout.addLayout(form)
        self.session_only = QCheckBox("Keep this key for this session only (it is forgotten when the app closes)")
        self.session_only.setVisible(not store.secure)
        self.session_only.setChecked(not store.secure)
        self.session_only.setEnabled(False)
        self.find_it = plain_label(FIND_YOUR_KEY, word_wrap=True)
        layout.addWidget(self.find_it)
        where = plain_label(store.description, word_wrap=True)
        layout.addWidget(where)
        layout.addWidget(self.session_only)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.key.textChanged.connect(self._check_key)
        self.name.textChanged.connect(self._check_name)
        self.show_key.toggled.connect(
            lambda shown: self.key.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        )
        self.show_key.toggled.connect(self._check_key)
        self._check_key()

    def _check_name(self) -> bool:
        name = self.name.text().strip()
        message = ""
        if not name:
            message = "Enter a name for this account."
        elif name.lower() in self.existing:
            message = "There is already an account with this name."
        elif any(not ch.isprintable() for ch in name):
            message = "The name contains invisible characters."
        self.name_error.show_message(message if self.name.isModified() or self.name.text() else "")
        return not message

    def _check_key(self) -> bool:
        text = self.key.text()
        try:
            check.license_key(text)
        except InvalidInput as error:
            hidden = "" if self.show_key.isChecked() else " Tick Show to see what was typed."
            self.key_error.show_message(error.message + hidden if text.strip() else "")
            ok = False
        else:
            self.key_error.show_message("")
            ok = True
        name_ok = not self.name.isVisibleTo(self) or self._check_name()
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(ok and name_ok)
        return ok

    def accept(self) -> None:
        if self._check_key() and (not self.name.isVisibleTo(self) or self._check_name()):
            super().accept()

    def values(self) -> tuple[str, str]:
        return self.name.text().strip(), check.license_key(self.key.text())
