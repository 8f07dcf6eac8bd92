"""Settings: the service address, the timeout, the proxy (this computer's settings, an explicit
proxy or a PAC file, and the proxy sign-in) and a certificate file for company networks. Values an
administrator locked are shown read-only with "Set by your administrator".

Plain words first; the technical names (CA bundle, PAC, HTTPS_PROXY) sit in tooltips. The label
"Certificate file" and the messages about it use the same words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...service import InvalidInput
from ...service import validation as check
from ...service.reference_data import CDYNE_NAMESPACE, DEFAULT_ENDPOINT, NAMESPACE
from ...storage.settings import LOCKED_NOTE, Settings
from ..widgets import FieldError, buddy_label, plain_label

if TYPE_CHECKING:
    from ..controller import AppController

NAMESPACE_WORDS = {NAMESPACE: "Esendex's current form", CDYNE_NAMESPACE: "The older CDYNE form"}


def namespace_text(namespace: str, source: str) -> str:
    """ "Esendex's current form, found on the service", then the namespace itself for support."""
    how = {"discovered": "found on the service", "cached": "remembered from last time"}.get(source, "built in")
    words = NAMESPACE_WORDS.get(namespace, "Another form")
    return f"{words}, {how}:\n{namespace}"


class SettingsDialog(QDialog):
    def __init__(
        self,
        settings: Settings,
        sandbox_url: str | None = None,
        parent: QWidget | None = None,
        namespace: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.locked = settings.locked
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinAndMaxSize)  # grows with its error lines
        layout.addLayout(self._build_form(settings, sandbox_url, namespace))
        notes = plain_label(
            "Addresses other than this computer must start with https://. Certificates are always checked.", True
        )
        layout.addWidget(notes)
        self.locked_note = plain_label("", True)
        layout.addWidget(self.locked_note)
        self._apply_locks()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _build_form(self, settings: Settings, sandbox_url: str | None, namespace: str) -> QFormLayout:
        """The service's address and language, then how to reach it: timeout, proxy, certificate."""
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        endpoint_row = self._build_endpoint_row(settings.endpoint)
        form.addRow(buddy_label("Service &address:", self.endpoint), endpoint_row)
        self.endpoint_error = FieldError(self.endpoint)
        form.addRow("", self.endpoint_error)
        if sandbox_url:
            note = plain_label(f"Sandbox mode: this session uses the built-in simulator at {sandbox_url}.", True)
            form.addRow("", note)
        form.addRow("Service language:", self._build_namespace(namespace))

        form.addRow("&Wait for an answer up to:", self._build_timeout(settings.timeout_seconds))

        self._build_proxy_rows(form, settings)

        ca_row = self._build_certificate_row(settings.ca_bundle)
        form.addRow(buddy_label("Certificate &file:", self.ca_bundle), ca_row)
        self.ca_error = FieldError(self.ca_bundle)
        form.addRow("", self.ca_error)
        return form

    def _build_proxy_rows(self, form: QFormLayout, settings: Settings) -> None:
        """This computer's proxy settings (on or off), an explicit proxy or PAC file, the sign-in."""
        self.proxy = QCheckBox("Use this computer's &proxy settings")
        self.proxy.setChecked(settings.use_system_proxy)
        self.proxy.setToolTip(
            "The system's proxy: the automatic configuration script (PAC) or automatic detection (WPAD) and the "
            "proxy server set in Windows or macOS, and the HTTPS_PROXY and NO_PROXY variables. Off: no proxy, "
            "unless one is set below."
        )
        form.addRow("", self.proxy)
        self.proxy_address = QLineEdit(settings.proxy)
        self.proxy_address.setPlaceholderText("optional: proxy.example.com:8080")
        self.proxy_address.setAccessibleName("Proxy server")
        self.proxy_address.setToolTip("A proxy to use instead of this computer's settings (HTTP proxy; no SOCKS)")
        form.addRow(buddy_label("Pro&xy server:", self.proxy_address), self.proxy_address)
        self.proxy_error = FieldError(self.proxy_address)
        form.addRow("", self.proxy_error)
        self.pac_url = QLineEdit(settings.proxy_pac_url)
        self.pac_url.setPlaceholderText("optional: http://wpad.example.com/proxy.pac")
        self.pac_url.setAccessibleName("Proxy configuration script")
        self.pac_url.setToolTip("The address of a PAC file from your IT department (used when no proxy server is set)")
        form.addRow(buddy_label("Proxy sc&ript (PAC):", self.pac_url), self.pac_url)
        self.pac_error = FieldError(self.pac_url)
        form.addRow("", self.pac_error)
        self.sign_in = QPushButton("Proxy sign-&in…")
        self.sign_in.setToolTip("The user name and password your proxy asks for (the password goes to the keyring)")
        who = f"Signed in as {settings.proxy_username}" if settings.proxy_username else "Not signed in to a proxy"
        self.sign_in_note = plain_label(who)
        row = QHBoxLayout()
        row.addWidget(self.sign_in)
        row.addWidget(self.sign_in_note, 1)
        form.addRow("", row)

    def _build_endpoint_row(self, endpoint: str) -> QHBoxLayout:
        """The service address and "Use the Esendex address" (its error line goes below the row)."""
        self.endpoint = QLineEdit(endpoint)
        self.endpoint.setAccessibleName("Service address")
        self.endpoint.setToolTip("The address of the Esendex Voice Broadcast service (PhoneNotify)")
        self.endpoint.setCursorPosition(0)  # show the start of the address, "https://…"
        # The whole default address fits. (The dialog's own minimum width would not hold: the
        # layout's size constraint replaces it with the layout's minimum.)
        self.endpoint.setMinimumWidth(self.endpoint.fontMetrics().horizontalAdvance(DEFAULT_ENDPOINT) + 24)
        self.reset = QPushButton("Use the Esendex address")
        self.reset.setToolTip(DEFAULT_ENDPOINT)
        self.reset.clicked.connect(self._use_default_endpoint)
        row = QHBoxLayout()
        row.addWidget(self.endpoint, 1)
        row.addWidget(self.reset)
        return row

    def _build_namespace(self, namespace: str) -> QLabel:
        self.namespace = plain_label(namespace or "Not known yet: it is read from the service after start-up.", True)
        self.namespace.setToolTip(
            "The XML namespace the app speaks with the service. Esendex's page shows the new one; older "
            "installations answer in the CDYNE one. The app reads it from the service and falls back by itself."
        )
        self.namespace.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return self.namespace

    def _build_timeout(self, seconds: float) -> QDoubleSpinBox:
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(1, 300)
        self.timeout.setDecimals(0)
        self.timeout.setSuffix(" seconds")
        self.timeout.setValue(seconds)
        self.timeout.setAccessibleName("Timeout in seconds")
        self.timeout.setToolTip("How long to wait for the service before saying it did not answer")
        return self.timeout

    def _build_certificate_row(self, ca_bundle: str) -> QHBoxLayout:
        """The certificate file and Browse… (its error line goes below the row)."""
        self.ca_bundle = QLineEdit(ca_bundle)
        self.ca_bundle.setPlaceholderText("optional: a .pem or .cer file from your IT department")
        self.ca_bundle.setAccessibleName("Certificate file from your IT department")
        self.ca_bundle.setToolTip(
            "Your company's root certificate (PEM or DER: .pem, .cer, .crt; one or several), added to the ones "
            "this computer already trusts. Only needed when your company's network inspects secure connections "
            "and IT has not installed its root on this computer."
        )
        self.browse = QPushButton("&Browse…")
        self.browse.clicked.connect(self._browse)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(self.browse)
        return ca_row

    def _apply_locks(self) -> None:
        """Read-only fields for what the administrator locked, each saying so."""
        fields = {
            "endpoint": (self.endpoint, self.reset),
            "timeout_seconds": (self.timeout,),
            "use_system_proxy": (self.proxy,),
            "proxy": (self.proxy_address,),
            "proxy_pac_url": (self.pac_url,),
            "ca_bundle": (self.ca_bundle, self.browse),
        }
        for name, widgets in fields.items():
            if name in self.locked:
                for widget in widgets:
                    widget.setEnabled(False)
                    widget.setToolTip(LOCKED_NOTE)
        shown = [name for name in fields if name in self.locked]
        self.locked_note.setText(f"{LOCKED_NOTE}: the greyed-out settings cannot be changed here." if shown else "")
        self.locked_note.setVisible(bool(shown))

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a certificate file", "", "Certificates (*.pem *.cer *.crt *.der);;All files (*)"
        )
        if path:
            self.ca_bundle.setText(path)

    def _use_default_endpoint(self) -> None:
        self.endpoint.setText(DEFAULT_ENDPOINT)
        self.endpoint.setCursorPosition(0)  # the start of the address, not its end, is what tells it apart

    def accept(self) -> None:
        checks = (
            (self._endpoint_problem, self.endpoint_error),
            (self._proxy_problem, self.proxy_error),
            (self._pac_problem, self.pac_error),
            (self._certificate_problem, self.ca_error),
        )
        problems = []
        for check_field, error in checks:
            problem = check_field()
            error.show_message(problem)
            if problem and error.field is not None:
                problems.append(error.field)
        self.adjustSize()
        if problems:
            problems[0].setFocus(Qt.FocusReason.OtherFocusReason)  # its description says what is wrong
        else:
            super().accept()

    def _endpoint_problem(self) -> str:
        try:
            check.endpoint(self.endpoint.text())
        except InvalidInput as error:
            return error.message
        return ""

    def _proxy_problem(self) -> str:
        from ...service.proxies import normalise_proxy

        try:
            normalise_proxy(self.proxy_address.text())
        except ValueError as error:
            return f"The proxy server: {error}."
        return ""

    def _pac_problem(self) -> str:
        from ...service.proxies import normalise_pac_url

        try:
            normalise_pac_url(self.pac_url.text())
        except ValueError as error:
            return f"The proxy script: {error}."
        return ""

    def _certificate_problem(self) -> str:
        from ...service.tls import certificate_file_problem

        if "ca_bundle" in self.locked:
            return ""
        return certificate_file_problem(self.ca_bundle.text())

    def apply_to(self, settings: Settings) -> None:
        """Copy the fields into `settings`, leaving locked values alone."""
        from ...service.proxies import normalise_pac_url, normalise_proxy

        values = {
            "endpoint": check.endpoint(self.endpoint.text()),
            "timeout_seconds": float(self.timeout.value()),
            "use_system_proxy": self.proxy.isChecked(),
            "proxy": normalise_proxy(self.proxy_address.text()),
            "proxy_pac_url": normalise_pac_url(self.pac_url.text()),
            "ca_bundle": self.ca_bundle.text().strip(),
        }
        for name, value in values.items():
            if name not in settings.locked:
                setattr(settings, name, value)


def open_settings(controller: AppController, parent: QWidget) -> SettingsDialog:
    """The Settings dialog, open (not modal to the event loop); saving applies it through the controller."""
    dialog = SettingsDialog(
        controller.settings,
        controller.connection.sandbox_url,
        parent,
        namespace_text(controller.namespace_in_use, controller.connection.namespace_source),
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def saved() -> None:
        dialog.apply_to(controller.settings)
        controller.settings_saved()

    def sign_in() -> None:
        dialog.sign_in_note.setText("Looking for the proxy…")
        controller.connection.sign_in_to_proxy(dialog, dialog.sign_in_note.setText)

    dialog.accepted.connect(saved)
    dialog.sign_in.clicked.connect(sign_in)
    dialog.open()
    return dialog
