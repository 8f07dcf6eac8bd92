"""Ask for an account name and a license key, checking both as they are typed.

The Save button follows the form: it is enabled exactly when the name and the key are fine, and
while it is disabled a line under the form (also its tooltip and accessible description) says
what is missing. A key that another account already has is pointed out (a warning, not a refusal):
the comparison is the caller's `find_owner`, which runs on the key store's worker.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
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
from ..widgets.text_tones import TextTone, set_text_tone

FIND_YOUR_KEY = (
    "Where to find it: sign in to your Esendex account portal, or ask whoever manages your Esendex "
    "account. A license key looks like 00000000-0000-0000-0000-000000000000."
)
# find_owner(key, owner, answer): ask which other account's saved key is `key`; `answer(name)`
# ("" for none) arrives on the GUI thread unless `owner` was deleted first.
FindOwner = Callable[[str, QObject, Callable[[str], None]], None]

NAME_REASONS = {  # the name's problem -> what to do, in the line under the form
    "": "",
    "empty": "enter a name for the account",
    "taken": "choose a name that no other account has",
    "invisible": "remove the invisible characters from the name",
}
NAME_ERRORS = {
    "": "",
    "empty": "Enter a name for this account.",
    "taken": "There is already an account with this name.",
    "invisible": "The name contains invisible characters.",
}


def save_reason(name_problem: str, key_text: str, key_ok: bool) -> str:
    """Why Save is disabled ("" when it is not): what the user still has to do."""
    if name_problem == "empty" and not key_text.strip():
        return "To save, enter a name for the account and its license key."
    steps = [NAME_REASONS[name_problem]] if name_problem else []
    if not key_ok:
        steps.append("correct the license key" if key_text.strip() else "enter the license key")
    return f"To save, {' and '.join(steps)}." if steps else ""


class KeyEntryDialog(QDialog):
    """Ask for an account name (optional) and a license key, validating both as they are typed."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        store: StoreInfo,
        name: str | None = None,
        existing: list[str] | None = None,
        find_owner: FindOwner | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.existing = {n.lower() for n in existing or []}
        self.asks_name = name is None or existing is not None
        self.find_owner = find_owner
        self._asked = ""  # the key whose owner was asked for last (lower case), "" for none
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)  # grow when a message appears
        layout.addLayout(self._build_form(name))
        self.save_why = plain_label(word_wrap=True)
        self.save_why.setAccessibleName("Why Save is not available")
        layout.addWidget(self.save_why)
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
        self.key.textChanged.connect(self._update)
        self.name.textChanged.connect(self._update)
        self.show_key.toggled.connect(
            lambda shown: self.key.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        )
        self.show_key.toggled.connect(self._update)
        self._update()

    def _build_form(self, name: str | None) -> QFormLayout:
        """The name (when asked for) and the key, each with its error line; the key's warning."""
        form = QFormLayout()
        self.name = QLineEdit(name or "")
        self.name.setAccessibleName("Account name")
        self.name.setPlaceholderText("for example Main office")
        self.name.setMaxLength(60)
        self.name_error = FieldError(self.name, polite=True)  # checked as it is typed
        if self.asks_name:
            form.addRow("Account &name:", self.name)
            form.addRow("", self.name_error)
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setAccessibleName("License key")
        self.key.setPlaceholderText("00000000-0000-0000-0000-000000000000")
        self.key.setToolTip("Paste it from the Esendex account portal; dashes are optional")
        self.key.setMinimumWidth(self.key.fontMetrics().horizontalAdvance("00000000-0000-0000-0000-000000000000") + 60)
        self.show_key = QCheckBox("Sh&ow")  # S: Save, on desktops that give it a letter
        self.show_key.setAccessibleName("Show the license key while typing")
        key_row = QHBoxLayout()
        key_row.addWidget(self.key, 1)
        key_row.addWidget(self.show_key)
        form.addRow(buddy_label("&License key:", self.key), key_row)
        self.key_error = FieldError(self.key, polite=True)
        form.addRow("", self.key_error)
        self.key_warning = plain_label(word_wrap=True)
        set_text_tone(self.key_warning, TextTone.WARNING)
        self.key_warning.setAccessibleName("License key warning")
        self.key_warning.hide()
        form.addRow("", self.key_warning)
        return form

    # -- the form's state ---------------------------------------------------------------------------

    def _name_problem(self) -> str:
        """ "" when the name is fine (or not asked for), else "empty", "taken" or "invisible"."""
        if not self.asks_name:
            return ""
        name = self.name.text().strip()
        if not name:
            return "empty"
        if name.lower() in self.existing:
            return "taken"
        return "invisible" if any(not ch.isprintable() for ch in name) else ""

    def _key_problem(self) -> str:
        """The license key check's message ("" when the key is fine)."""
        try:
            check.license_key(self.key.text())
        except InvalidInput as error:
            return error.message
        return ""

    def _update(self) -> None:
        """Every change of the form: the error lines, the Save button and why it is disabled, and
        whether another account has this key."""
        name_problem, key_problem = self._name_problem(), self._key_problem()
        typed_name = self.name.isModified() or bool(self.name.text())
        self.name_error.show_message(NAME_ERRORS[name_problem] if typed_name else "")
        hidden = "" if self.show_key.isChecked() else " Tick Show to see what was typed."
        self.key_error.show_message(key_problem + hidden if key_problem and self.key.text().strip() else "")
        why = save_reason(name_problem, self.key.text(), not key_problem)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(not why)
        save.setToolTip(why)
        save.setAccessibleDescription(why)
        self.save_why.setText(why)
        self.save_why.setVisible(bool(why))
        self._ask_owner("" if key_problem else check.license_key(self.key.text()))

    def _ask_owner(self, key: str) -> None:
        """Ask (once per key) whether another account already has `key` ("": none to ask about)."""
        wanted = key.lower()  # a GUID: the same key in other capitals is the same key
        if wanted == self._asked:
            return
        self._asked = wanted
        self.key_warning.hide()
        if wanted and self.find_owner is not None:
            self.find_owner(key, self, lambda owner: self._owner_known(wanted, owner))

    def _owner_known(self, asked: str, owner: str) -> None:
        if asked == self._asked and owner:  # still the key typed
            self.key_warning.setText(f"This license key is already saved for “{owner}”.")
            self.key_warning.show()

    def accept(self) -> None:
        if not self._name_problem() and not self._key_problem():
            super().accept()

    def values(self) -> tuple[str, str]:
        return self.name.text().strip(), check.license_key(self.key.text())
