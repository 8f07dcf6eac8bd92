"""Settings: the service address, the timeout and an optional CA bundle for corporate proxies."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...service import InvalidInput
from ...service import validation as check
from ...service.reference_data import DEFAULT_ENDPOINT
from ...storage.settings import Settings
from ..widgets import FieldError, buddy_label


class SettingsDialog(QDialog):
    def __init__(self, parent: QWidget, settings: Settings, sandbox_url: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.endpoint = QLineEdit(settings.endpoint)
        self.endpoint.setAccessibleName("Service address")
        self.endpoint_error = FieldError()
        reset = QPushButton("Use the Esendex address")
        reset.clicked.connect(lambda: self.endpoint.setText(DEFAULT_ENDPOINT))
        row = QHBoxLayout()
        row.addWidget(self.endpoint, 1)
        row.addWidget(reset)
        form.addRow(buddy_label("Service &address:", self.endpoint), row)
        form.addRow("", self.endpoint_error)
        if sandbox_url:
            note = QLabel(f"Sandbox mode: this session uses the built-in simulator at {sandbox_url}.")
            note.setWordWrap(True)
            form.addRow("", note)
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(1, 300)
        self.timeout.setDecimals(0)
        self.timeout.setSuffix(" seconds")
        self.timeout.setValue(settings.timeout_seconds)
        self.timeout.setAccessibleName("Timeout in seconds")
        form.addRow("&Timeout:", self.timeout)
        self.ca_bundle = QLineEdit(settings.ca_bundle)
        self.ca_bundle.setPlaceholderText("optional: a .pem file from your IT department")
        self.ca_bundle.setAccessibleName("CA bundle file")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(browse)
        form.addRow(buddy_label("&CA bundle:", self.ca_bundle), ca_row)
        self.ca_error = FieldError()
        form.addRow("", self.ca_error)
        layout.addLayout(form)
        notes = QLabel(
            "Addresses other than this computer must start with https://. Certificates are always checked. "
            "The system proxy settings (HTTPS_PROXY, NO_PROXY) are used automatically."
        )
        notes.setWordWrap(True)
        layout.addWidget(notes)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a CA bundle", "", "Certificates (*.pem *.crt);;All files (*)"
        )
        if path:
            self.ca_bundle.setText(path)

    def accept(self) -> None:
        ok = True
        try:
            check.endpoint(self.endpoint.text())
            self.endpoint_error.show_message("")
        except InvalidInput as error:
            self.endpoint_error.show_message(error.message)
            ok = False
        ca = self.ca_bundle.text().strip()
        if ca and not Path(ca).is_file():
            self.ca_error.show_message("That file does not exist.")
            ok = False
        else:
            self.ca_error.show_message("")
        if ok:
            super().accept()

    def apply_to(self, settings: Settings) -> None:
        settings.endpoint = check.endpoint(self.endpoint.text())
        settings.timeout_seconds = float(self.timeout.value())
        settings.ca_bundle = self.ca_bundle.text().strip()
