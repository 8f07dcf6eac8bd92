"""The company network through the app itself (issue 21): the window's error panel and its
"Details for IT", the proxy sign-in dialog, `use_system_proxy: false` for every request the app
makes (discovery and reference data included), and `--self-test` through the site file.

The window here is not in sandbox mode: its settings point at the HTTPS sandbox (test root) and go
out through the loopback proxies of test_company_network.py, as an office PC's would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from desktop_app.storage.secrets import PROXY_SERVICE_NAME, proxy_entry
from tests.conftest import KEY_A, close_window, make_controller
from tests.test_company_network import (
    ACME,
    PROXY_PASSWORD,
    PROXY_USER,
    Authority,
    ForwardProxy,
    make_authority,
    running,
)
from tests.test_ui import cancel_via_ui

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def acme(tmp_path_factory) -> Authority:
    return make_authority(tmp_path_factory.mktemp("acme-app"), ACME)


@pytest.fixture
def proxy():
    with running(ForwardProxy()) as server:
        yield server


def office_window(qtbot, tmp_path, backend, endpoint: str, **settings):
    """A window whose settings point at `endpoint` (not sandbox mode), with these settings."""
    from desktop_app.ui.main_window import MainWindow

    controller = make_controller(tmp_path, None, backend, {"Main office": KEY_A})
    controller.settings.endpoint = endpoint
    for name, value in settings.items():
        setattr(controller.settings, name, value)
    controller.settings.check_certificate_file()
    window = MainWindow(controller)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: controller.store is not None)
    return window


def wait_idle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.controller.executor.pending == 0, timeout=15_000)


def sign_in_dialog(qtbot, window):
    connection = window.controller.connection
    qtbot.waitUntil(lambda: connection.sign_in_dialog is not None and connection.sign_in_dialog.isVisible())
    return connection.sign_in_dialog


def sign_in(qtbot, window, username: str, password: str) -> None:
    """Answer the proxy sign-in dialog as a person would."""
    dialog = sign_in_dialog(qtbot, window)
    dialog.username.clear()
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_an_error_panel_has_details_for_it_and_copies_them(qtbot, tmp_path, memory_keyring, tls_sandbox, certificate):
    with running(ForwardProxy(blocked_ports=frozenset({tls_sandbox.port}))) as blocking:
        window = office_window(
            qtbot, tmp_path, memory_keyring, tls_sandbox.url, proxy=blocking.url, ca_bundle=str(certificate[0])
        )
        try:
            started = time.monotonic()
            shown = cancel_via_ui(qtbot, window, "blocked-1")
            seconds = time.monotonic() - started
            panel = window.cancel_page.result
            assert shown.startswith("The proxy server blocks this address | ")
            assert "give these details to your IT department" in shown.lower() or "IT department" in shown
            details = panel.details
            assert details.isVisible() and details.toggle.text() == "Details for IT" and not details.body.isVisible()
            qtbot.mouseClick(details.toggle, Qt.MouseButton.LeftButton)
            assert details.body.isVisible()
            text = details.text.text()
            assert f"proxy {blocking.address} answered: HTTP/1.1 403 Forbidden" in text
            assert f"route: proxy {blocking.address}" in text
            qtbot.mouseClick(details.copy_button, Qt.MouseButton.LeftButton)
            copied = QGuiApplication.clipboard().text()
            assert "The proxy server blocks this address" in copied and "403 Forbidden" in copied
            assert copied.startswith("Voice Broadcast Desk ")
            assert tls_sandbox.operations["CancelNotifyByReferenceID"] == 0
            assert seconds < 5
        finally:
            close_window(window)


def test_a_407_asks_for_a_sign_in_keeps_the_password_in_the_keyring_and_the_next_request_passes(
    qtbot, tmp_path, memory_keyring, tls_sandbox, certificate
):
    with running(ForwardProxy(basic=(PROXY_USER, PROXY_PASSWORD))) as guarded:
        window = office_window(
            qtbot, tmp_path, memory_keyring, tls_sandbox.url, proxy=guarded.url, ca_bundle=str(certificate[0])
        )
        try:
            # The start-up requests (namespace, voices) meet the 407 first: the dialog opens once.
            dialog = sign_in_dialog(qtbot, window)
            assert guarded.address in dialog.explanation.text() and "ACME proxy" in dialog.explanation.text()
            sign_in(qtbot, window, PROXY_USER, "not-the-password")
            entry = (PROXY_SERVICE_NAME, proxy_entry(guarded.address, PROXY_USER))
            qtbot.waitUntil(lambda: memory_keyring.entries.get(entry) == "not-the-password")
            # The namespace is read again with the new sign-in: refused, so the dialog asks again.
            dialog = sign_in_dialog(qtbot, window)
            assert "refused the last user name and password" in dialog.explanation.text()
            sign_in(qtbot, window, PROXY_USER, PROXY_PASSWORD)
            qtbot.waitUntil(lambda: memory_keyring.entries.get(entry) == PROXY_PASSWORD)
            assert window.controller.settings.proxy_username == PROXY_USER
            wait_idle(qtbot, window)
            cancel_via_ui(qtbot, window, "signed-in-1")
            assert tls_sandbox.operations["CancelNotifyByReferenceID"] == 1
            saved = window.controller.context.profile.settings_file.read_text(encoding="utf-8")
            assert PROXY_USER in saved and PROXY_PASSWORD not in saved
        finally:
            close_window(window)


def test_use_system_proxy_false_holds_for_every_request_of_the_app(
    qtbot, tmp_path, memory_keyring, tls_sandbox, certificate, proxy, monkeypatch
):
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    window = office_window(
        qtbot, tmp_path, memory_keyring, tls_sandbox.url, use_system_proxy=False, ca_bundle=str(certificate[0])
    )
    try:
        connection = window.controller.connection
        qtbot.waitUntil(lambda: connection.namespace_source == "discovered")  # discovery went out
        qtbot.waitUntil(lambda: tls_sandbox.operations["getVoices"] and tls_sandbox.operations["GetResponseCodes"])
        cancel_via_ui(qtbot, window, "direct-1")
        assert tls_sandbox.operations["CancelNotifyByReferenceID"] == 1
        assert proxy.connections == 0  # not one request, discovery included, reached the proxy
    finally:
        close_window(window)


@pytest.mark.slow
def test_the_self_test_reads_the_site_file_and_reports_the_connection(tmp_path, tls_sandbox, certificate, acme):
    config = tmp_path / "config"
    config.mkdir()
    with running(ForwardProxy(inspect=acme, upstream_ca=certificate[0])) as inspecting:
        site = tmp_path / "site-settings.json"
        site.write_text(
            json.dumps(
                {
                    "proxy": {"value": inspecting.url, "locked": True},
                    "ca_bundle": {"value": str(acme.cert_der), "locked": True},
                }
            )
        )
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHONPATH": str(ROOT),
            "VOICE_BROADCAST_SITE_CONFIG": str(site),
            "XDG_CONFIG_HOME": str(config),
        }
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "desktop_app", "--self-test", "--endpoint", tls_sandbox.url],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            cwd=tmp_path,
        )
        seconds = time.monotonic() - started
        assert result.returncode == 0, result.stdout + result.stderr
        line = result.stdout.strip()
        assert line.startswith("self-test passed") and f"endpoint: {tls_sandbox.url}" in line
        assert "proxy mode: explicit proxy" in line
        assert (
            f"route: proxy {inspecting.address}, from the proxy set in the administrator's site settings file" in line
        )
        assert f"certificates: this computer's certificate store plus 1 certificate from {acme.cert_der}" in line
        assert ACME in line
        assert inspecting.connections >= 2 and tls_sandbox.operations["NotifyPhoneAdvanced"] == 1
    with running(ForwardProxy(blocked_ports=frozenset({tls_sandbox.port}))) as blocking:
        site.write_text(json.dumps({"proxy": blocking.url, "ca_bundle": str(certificate[0])}))
        failed = subprocess.run(
            [sys.executable, "-m", "desktop_app", "--self-test", "--endpoint", tls_sandbox.url],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            cwd=tmp_path,
        )
    assert failed.returncode == 1
    assert failed.stdout.startswith("self-test FAILED: scheduling failed: The proxy server blocks this address")
    print(f"self-test through the inspecting proxy: {seconds:.1f} s")


def test_the_proxy_setup_is_read_again_when_the_network_changes(
    qtbot, tmp_path, memory_keyring, tls_sandbox, certificate, proxy
):
    """A PAC file that changes (a VPN came up): nothing changes until the network does; then the
    next request follows the new answer, without a restart."""
    pac = tmp_path / "proxy.pac"
    pac.write_text('function FindProxyForURL(url, host) { return "DIRECT"; }')
    window = office_window(
        qtbot, tmp_path, memory_keyring, tls_sandbox.url, proxy_pac_url=str(pac), ca_bundle=str(certificate[0])
    )
    try:
        wait_idle(qtbot, window)
        cancel_via_ui(qtbot, window, "vpn-1")
        assert proxy.connections == 0
        pac.write_text(f'function FindProxyForURL(url, host) {{ return "PROXY {proxy.address}"; }}')
        cancel_via_ui(qtbot, window, "vpn-1")
        assert proxy.connections == 0  # read once per network setup, not per request
        connection = window.controller.connection
        connection.watch_the_network()
        connection._network_state = ("before the VPN",)  # what Qt's network information reported last
        connection._network_changed()  # (the signal's slot: the state now differs)
        cancel_via_ui(qtbot, window, "vpn-1")
        assert proxy.connections == 1 and proxy.targets == [f"CONNECT 127.0.0.1:{tls_sandbox.port}"]
        assert tls_sandbox.operations["CancelNotifyByReferenceID"] == 3
    finally:
        close_window(window)


def test_the_settings_dialog_checks_the_proxy_the_pac_address_and_the_certificate_file(qtbot, window, tmp_path):
    dialog = window.open_settings()
    qtbot.waitExposed(dialog)
    missing = tmp_path / "acme.cer"
    dialog.proxy_address.setText("socks5://127.0.0.1:1080")
    dialog.pac_url.setText("ftp://wpad.example/proxy.pac")
    dialog.ca_bundle.setText(str(missing))
    dialog.accept()
    assert dialog.isVisible()
    assert "SOCKS proxies are not supported" in dialog.proxy_error.text()
    assert "must start with http://, https:// or file://" in dialog.pac_error.text()
    # The same words as the label ("Certificate file") and as the error when a request is made.
    assert (
        dialog.ca_error.text()
        == f"The certificate file {missing} could not be read: there is no such file on this computer."
    )
    dialog.proxy_address.setText(f"http://{PROXY_USER}:{PROXY_PASSWORD}@proxy.example.com:8080")
    dialog.accept()
    assert "put no user name or password in the proxy address" in dialog.proxy_error.text()
    with qtbot.waitSignal(window.controller.connection.clientChanged):
        dialog.proxy_address.setText("proxy.example.com:8080")
        dialog.pac_url.setText("")
        dialog.ca_bundle.setText("")
        dialog.accept()
    settings = window.controller.settings
    assert settings.proxy == "http://proxy.example.com:8080" and settings.certificate_problem == ""
    assert PROXY_PASSWORD not in window.controller.context.profile.settings_file.read_text(encoding="utf-8")
