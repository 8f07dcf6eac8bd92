"""A distinctive license key goes through every flow, error paths included; then every file under
the profile, the captured output and the self-test's output are scanned for it. Only the masked
last four characters may appear. (OCR of screenshots is not available here: the PNGs are scanned
as bytes and the key is never revealed while they are taken.)"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from desktop_app.logging_setup import setup_logging
from desktop_app.ui.dialogs.key_entry import KeyEntryDialog
from tests.conftest import make_window
from tests.test_ui import cancel_via_ui, schedule_via_ui

DISTINCTIVE_KEY = "d15c0c0a-5ec7-4e7a-9bad-c0ffee5ec2e7"
FORMS = [DISTINCTIVE_KEY, DISTINCTIVE_KEY.upper(), DISTINCTIVE_KEY.replace("-", ""), "c0ffee5e"]


def assert_clean(text: str, where: str) -> None:
    for form in FORMS:
        assert form not in text, f"the license key leaked into {where}"


def scan_tree(root: Path) -> int:
    scanned = 0
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for form in FORMS:
                assert form.encode() not in data, f"the license key leaked into {path}"
                assert form.encode("utf-16-le") not in data, f"the license key leaked into {path} (UTF-16)"
            scanned += 1
    return scanned


def test_no_flow_leaks_the_key(qtbot, tmp_path, app_sandbox, memory_keyring, capfd):
    root_logger = logging.getLogger()
    old_level = root_logger.level
    root_logger.setLevel(logging.NOTSET)
    window = make_window(qtbot, tmp_path, app_sandbox, memory_keyring)
    handler = setup_logging(window.controller.context.profile.log_file)  # the app's own level: INFO
    assert root_logger.level == logging.INFO
    try:
        qtbot.waitUntil(lambda: window.controller.store is not None)
        dialog = window.open_accounts()
        qtbot.waitUntil(lambda: dialog.store is not None)
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        entry = dialog.findChild(KeyEntryDialog)
        qtbot.keyClicks(entry.name, "Leak check")
        qtbot.keyClicks(entry.key, DISTINCTIVE_KEY)
        qtbot.mouseClick(entry.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Leak check" in window.controller.settings.accounts)
        qtbot.waitUntil(lambda: dialog.key_label.text().endswith("c2e7"))
        dialog.grab().save(str(window.controller.context.profile.cache_dir / "accounts.png"))
        dialog.close()
        window.account.setCurrentIndex(window.account.findData("Leak check"))

        schedule_via_ui(qtbot, window, reference="leak-1")
        cancel_via_ui(qtbot, window, "leak-1")
        for fault in ("html500", "soap_fault", "malformed_xml", "reset", "entity_payload", "oversized"):
            app_sandbox.faults.inject(fault, operation="CancelNotifyByReferenceID")
            cancel_via_ui(qtbot, window, "leak-1")
        app_sandbox.faults.latency_seconds = 2
        window.controller.settings.timeout_seconds = 1
        window.controller.desk.reconfigure(window.controller.connection.client_factory())
        cancel_via_ui(qtbot, window, "leak-1")
        app_sandbox.faults.latency_seconds = 0
        window.history_page.reload()
        qtbot.waitUntil(lambda: window.history_page.table.model().rowCount() >= 9)
        window.history_page.export(str(window.controller.context.profile.data_dir / "export.csv"))
        window.grab().save(str(window.controller.context.profile.cache_dir / "window.png"))
        # Lines the app really writes at its level, carrying the key the way a failure could.
        logging.getLogger("desktop_app.desk").error("history not written: <LicenseKey>%s</LicenseKey>", DISTINCTIVE_KEY)
        logging.getLogger("desktop_app.ui.executor").warning("background task failed: key=%s", DISTINCTIVE_KEY)
    finally:
        window.close()
        window.controller.context.history.close()
        root_logger.removeHandler(handler)
        handler.close()
        root_logger.setLevel(old_level)

    log_text = window.controller.context.profile.log_file.read_text(encoding="utf-8")
    assert "history not written: <LicenseKey>[redacted]</LicenseKey>" in log_text  # written, and redacted
    assert "background task failed: key=••••-…-" in log_text
    assert scan_tree(tmp_path) >= 5
    captured = capfd.readouterr()
    assert_clean(captured.out + captured.err, "the captured output")


def test_self_test_passes_and_leaks_nothing(tmp_path):
    profile = tmp_path / "selftest-profile"
    env = {**os.environ, "VOICE_BROADCAST_SELFTEST_KEY": DISTINCTIVE_KEY, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--self-test", "--profile", str(profile)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("self-test passed: scheduled QueueID")
    expected = "GNOME Keyring / Secret Service" if os.environ.get("VBD_TEST_SECRET_SERVICE") else "keyring backend:"
    assert expected in lines[0]
    assert_clean(result.stdout + result.stderr, "the self-test's output")
    assert result.stderr == ""  # Qt's own chatter goes to the log file
    assert scan_tree(profile) >= 2  # settings, history (and the log)


def test_self_test_reports_failure_with_exit_1(tmp_path):
    env = {**os.environ, "VOICE_BROADCAST_SELFTEST_KEY": "not-a-key", "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--self-test"], capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode == 1
    assert result.stdout.startswith("self-test FAILED: VOICE_BROADCAST_SELFTEST_KEY is not a license key")


def ocr(path: Path) -> str:
    """tesseract's reading of an image, normalised for hex: lower case, O->0, l/I->1, no spaces."""
    text = subprocess.run(["tesseract", str(path), "-"], capture_output=True, text=True, timeout=60).stdout
    return text.lower().replace("o", "0").replace("l", "1").replace("i", "1").replace(" ", "")


def test_screenshots_show_no_key_to_ocr(qtbot, tmp_path, app_sandbox, memory_keyring):
    if shutil.which("tesseract") is None:
        pytest.skip("OCR is not available (./dev test installs tesseract-ocr)")
    from PySide6.QtWidgets import QLabel

    long_groups = [group for group in DISTINCTIVE_KEY.split("-") if len(group) >= 8]
    control = QLabel(f"License key: {DISTINCTIVE_KEY}")
    font = control.font()
    font.setPointSize(14)
    control.setFont(font)
    control.resize(640, 60)
    qtbot.addWidget(control)
    control.grab().save(str(tmp_path / "control.png"))
    assert any(group in ocr(tmp_path / "control.png") for group in long_groups), "OCR cannot read a key here"

    window = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {"Leak check": DISTINCTIVE_KEY})
    dialog = window.open_accounts()
    qtbot.waitUntil(lambda: dialog.key_label.text().endswith("c2e7"))
    shots = {"accounts": dialog, "window": window}
    for name, widget in shots.items():
        widget.grab().save(str(tmp_path / f"{name}.png"))
    cancel_via_ui(qtbot, window, "ocr-check")
    window.grab().save(str(tmp_path / "result.png"))
    for name in (*shots, "result"):
        text = ocr(tmp_path / f"{name}.png")
        assert "cance1" in text or "key" in text, f"OCR read nothing useful from {name}"
        assert not any(group in text for group in long_groups), f"the key is readable in the {name} screenshot"
    dialog.close()
    window.close()
    window.controller.context.history.close()


PROXY_SECRET = "Pr0xy-d15c0-S3cret!"
WRONG_SECRET = "Wr0ng-d15c0-Pa55"


def scan_for(root: Path, forms: list[str]) -> int:
    """Every file under `root` is free of every form (UTF-8 and UTF-16); how many were scanned."""
    scanned = 0
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for form in forms:
                assert form.encode() not in data, f"a secret leaked into {path}"
                assert form.encode("utf-16-le") not in data, f"a secret leaked into {path} (UTF-16)"
            scanned += 1
    return scanned


def proxy_forms(user: str, password: str) -> list[str]:
    import base64

    return [password, base64.b64encode(f"{user}:{password}".encode()).decode()]


def test_the_proxy_password_leaks_nowhere(qtbot, tmp_path, memory_keyring, tls_sandbox, certificate, capfd):
    """A proxy that wants a Basic sign-in: a wrong password, then the right one, through the dialog;
    requests, errors with their details for IT, the log at the app's level, the history and its
    export. Neither password (nor its Basic token) nor the license key appears in any file or output."""
    from tests.test_company_network import ForwardProxy, running
    from tests.test_company_network_app import office_window, sign_in, sign_in_dialog, wait_idle

    root_logger = logging.getLogger()
    old_level = root_logger.level
    user = "leakcheck"
    with running(ForwardProxy(basic=(user, PROXY_SECRET))) as guarded:
        window = office_window(
            qtbot, tmp_path, memory_keyring, tls_sandbox.url, proxy=guarded.url, ca_bundle=str(certificate[0])
        )
        window.controller.accounts.add("Leak check")
        memory_keyring.set_password("VoiceBroadcastDesk", "Leak check", DISTINCTIVE_KEY)
        window.account.setCurrentIndex(window.account.findData("Leak check"))
        handler = setup_logging(window.controller.context.profile.log_file)
        try:
            sign_in_dialog(qtbot, window)
            sign_in(qtbot, window, user, WRONG_SECRET)
            sign_in_dialog(qtbot, window)  # refused: asked again
            sign_in(qtbot, window, user, PROXY_SECRET)
            wait_idle(qtbot, window)
            cancel_via_ui(qtbot, window, "proxy-leak-1")
            assert tls_sandbox.operations["CancelNotifyByReferenceID"] == 1
            guarded.blocked_ports = frozenset({tls_sandbox.port})
            window.controller.connection.reread_network()
            shown = cancel_via_ui(qtbot, window, "proxy-leak-2")  # a 403 with its details for IT
            assert shown.startswith("The proxy server blocks this address")
            panel = window.cancel_page.result
            panel.details.toggle.click()
            panel.details.copy()
            window.history_page.reload()
            qtbot.waitUntil(lambda: window.history_page.table.model().rowCount() >= 2)
            window.history_page.export(str(window.controller.context.profile.data_dir / "export.csv"))
            window.grab().save(str(window.controller.context.profile.cache_dir / "window.png"))
            # A line that would carry the password the way a careless message could: redacted.
            logging.getLogger("desktop_app.desk").error("proxy url was http://%s:%s@proxy", user, PROXY_SECRET)
        finally:
            from tests.conftest import close_window

            close_window(window)
            root_logger.removeHandler(handler)
            handler.close()
            root_logger.setLevel(old_level)
    log_text = window.controller.context.profile.log_file.read_text(encoding="utf-8")
    assert "details for IT" in log_text and "403 Forbidden" in log_text  # written, the same as the panel
    assert "proxy url was http://leakcheck:[redacted]@proxy" in log_text
    forms = [*proxy_forms(user, PROXY_SECRET), *proxy_forms(user, WRONG_SECRET), *FORMS]
    assert scan_for(tmp_path, forms) >= 4
    captured = capfd.readouterr()
    for form in forms:
        assert form not in captured.out + captured.err, "a secret leaked into the captured output"
