"""What surrounds the pages: the exception hook, logging, a slow keyring, the voice cache, the log folder."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from desktop_app import logging_setup
from desktop_app.ui.dialogs.key_entry import KeyEntryDialog
from tests.conftest import KEY_A, KEY_B, make_window
from tests.support import MemoryKeyring
from tests.test_ui import click_message_box


def test_exception_hook_logs_redacted_and_tells_the_user(qtbot, tmp_path, monkeypatch):
    log_file = tmp_path / "app.log"
    handler = logging_setup.setup_logging(log_file)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args[1:]))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    logging_setup.install_exception_hook()
    try:
        raise RuntimeError(f"boom <LicenseKey>{KEY_A}</LicenseKey>")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    logging.getLogger().removeHandler(handler)
    handler.close()
    text = log_file.read_text()
    assert "RuntimeError: boom" in text and "Traceback" in text and KEY_A not in text
    assert shown and shown[0][0] == "Something went wrong" and "keep working" in shown[0][1]


def test_the_log_file_rotates_and_keeps_five_older_files(tmp_path):
    log_file = tmp_path / "app.log"
    handler = logging_setup.RotatingLogFile(log_file, max_bytes=200, backups=5)
    handler.setFormatter(logging.Formatter("%(message)s"))
    # 100 bytes a line in the file, where a line break is os.linesep: two bytes on Windows (\r\n)
    text = "line %03d " + "x" * (91 - len(os.linesep))
    record = logging.LogRecord("t", logging.INFO, __file__, 1, text, None, None)
    try:
        for number in range(20):  # two lines fill a file: ten files' worth
            record.args = (number,)
            handler.handle(record)
    finally:
        handler.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.log", *(f"app.log.{n}" for n in range(1, 6))]
    assert log_file.read_text().startswith("line 018")  # the newest lines are in the file itself
    assert (tmp_path / "app.log.1").read_text().startswith("line 016")
    assert (tmp_path / "app.log.5").read_text().startswith("line 008")  # older ones were dropped
    assert all(p.stat().st_size <= 200 for p in tmp_path.iterdir())


def test_a_record_larger_than_the_limit_gets_a_file_of_its_own(tmp_path):
    log_file = tmp_path / "app.log"
    handler = logging_setup.RotatingLogFile(log_file, max_bytes=200, backups=5)
    handler.setFormatter(logging.Formatter("%(message)s"))
    try:
        for text in ("small", "x" * 500, "after"):
            handler.handle(logging.LogRecord("t", logging.INFO, __file__, 1, text, None, None))
    finally:
        handler.close()
    assert (tmp_path / "app.log.2").read_text() == "small\n"
    assert (tmp_path / "app.log.1").read_text() == "x" * 500 + "\n"  # whole, not rotated again and again
    assert log_file.read_text() == "after\n"


def test_qt_messages_go_to_the_log(tmp_path, caplog):
    from PySide6.QtCore import qInstallMessageHandler, qWarning

    caplog.set_level(logging.DEBUG, logger="qt")
    previous = qInstallMessageHandler(None)
    try:
        logging_setup.route_qt_messages()
        qWarning("something odd")
        qWarning("This plugin does not support propagateSizeHints()")
    finally:
        qInstallMessageHandler(previous)
    levels = {r.getMessage(): r.levelno for r in caplog.records if r.name == "qt"}
    assert levels == {
        "something odd": logging.WARNING,
        "This plugin does not support propagateSizeHints()": logging.DEBUG,
    }


class SlowKeyring(MemoryKeyring):
    """Like an unlock prompt: the first write takes a while."""

    def set_password(self, service, username, password):
        time.sleep(1.0)
        super().set_password(service, username, password)


def test_a_slow_keyring_shows_a_waiting_state_not_a_frozen_window(qtbot, tmp_path, app_sandbox):
    window = make_window(qtbot, tmp_path, app_sandbox, SlowKeyring())
    dialog = window.open_accounts()
    qtbot.waitUntil(lambda: dialog.store is not None)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    entry = dialog.findChild(KeyEntryDialog)
    qtbot.keyClicks(entry.name, "Slow")
    qtbot.keyClicks(entry.key, KEY_B)
    started = time.perf_counter()
    qtbot.mouseClick(entry.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert time.perf_counter() - started < 0.5  # the click returned at once
    assert dialog.busy.isVisible() and "keyring" in dialog.busy.label.text()
    assert not dialog.add_button.isEnabled()
    qtbot.waitUntil(lambda: "Slow" in window.controller.settings.accounts, timeout=5000)
    assert not dialog.busy.isVisible() and dialog.add_button.isEnabled()
    dialog.close()
    window.close()
    window.controller.context.history.close()


def test_voices_come_from_the_service_and_are_cached(qtbot, window):
    cache = window.controller.context.profile.voices_file
    qtbot.waitUntil(cache.exists)
    assert json.loads(cache.read_text())[0] == [0, "Diane - US English (Female - 35)"]
    assert window.schedule_page.voice.count() == 18


def test_open_log_folder_points_at_the_profile(qtbot, window, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    window.open_log_folder()  # a desktop file manager cannot run here, so the hand-off is recorded
    assert [Path(p) for p in opened] == [window.controller.context.profile.log_dir]  # C:/... and C:\... alike


def test_quit_with_nothing_running_closes_at_once(qtbot, window):
    window.close()
    assert not window.isVisible()
    QApplication.processEvents()


def test_delete_asks_first_and_keep_keeps(qtbot, window, memory_keyring):
    dialog = window.open_accounts()
    qtbot.waitUntil(lambda: dialog.store is not None)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    click_message_box(qtbot, dialog, "Keep it")
    assert window.controller.settings.accounts == ["Main office"] and memory_keyring.entries
    dialog.close()


def test_the_app_opens_the_profiles_history_when_the_desk_is_first_needed(tmp_path, app_sandbox, memory_keyring):
    """The app passes no history: the first screen needs neither the desk nor the history, so the
    controller opens the profile's own on first use (and app.finish closes it)."""
    from desktop_app.app import finish
    from desktop_app.storage.profile import Profile
    from desktop_app.storage.secrets import KeyStore
    from desktop_app.storage.settings import Settings
    from desktop_app.ui.controller import AppContext, AppController

    profile = Profile.isolated(tmp_path).ensure()
    keys = KeyStore(memory_keyring)
    keys.set("Main office", KEY_A)
    settings = Settings(timeout_seconds=5, accounts=["Main office"], default_account="Main office")
    controller = AppController(AppContext(profile, settings, keys, sandbox=app_sandbox))
    assert controller.context.history is None and not profile.history_file.exists()

    desk = controller.desk
    assert desk is controller.desk and desk.history is controller.context.history
    assert desk.history.path == profile.history_file
    assert desk.cancel_by_reference_id("Main office", "nothing-booked").cancelled == 0
    assert [(r.action, r.reference_id, r.outcome) for r in desk.history.records()] == [
        ("cancel_reference", "nothing-booked", "ok")
    ]
    assert finish(controller, 0) == 0
    assert desk.history._connection is None  # closed: the next use would open it again
