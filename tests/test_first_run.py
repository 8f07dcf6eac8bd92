"""First run and plain words in the window's chrome: the welcome panel, where requests go, the
license-key check in words, and the Settings dialog (locks, growing error lines, the namespace)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from desktop_app.service import InvalidInput
from desktop_app.service import validation as check
from desktop_app.storage.settings import LOCKED_NOTE
from desktop_app.ui.dialogs.key_entry import KeyEntryDialog
from desktop_app.ui.dialogs.settings import NAMESPACE_WORDS
from tests.conftest import KEY_A, close_window, make_window


def test_first_run_shows_a_welcome_panel_with_add_your_first_account(qtbot, tmp_path, app_sandbox, memory_keyring):
    window = make_window(qtbot, tmp_path, app_sandbox, memory_keyring)
    qtbot.waitUntil(lambda: window.controller.store is not None)
    assert window.welcome.isVisible() and not window.welcome.visibleRegion().isEmpty()
    assert "Cancel scheduled calls" in window.welcome.text.text()
    window.welcome.add_button.click()
    entry = window.findChild(KeyEntryDialog)
    assert entry is not None and entry.isVisible()
    assert "Esendex account portal" in entry.find_it.text()
    qtbot.keyClicks(entry.name, "Main office")
    qtbot.keyClicks(entry.key, KEY_A.replace("-", "").upper())
    entry.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: window.controller.accounts.current == "Main office")
    assert not window.welcome.isVisible()
    # Dashes put in; the capitals kept as typed (issue 23)
    assert memory_keyring.entries[("VoiceBroadcastDesk", "Main office")] == KEY_A.upper()
    close_window(window)


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7g", "The key contains “g”."),
        ("3f2b8c1e 5d4a-4b6f-9e7d-2a1c0b9f8e7d", "The key contains a space."),
        ("3f2b8c1e-5d4-a4b6f-9e7d-2a1c0b9f8e7d", "The second group has 3 characters; it should have 4."),
        ("3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7", "The fifth group has 11 characters; it should have 12."),
        ("3f2b8c1e5d4a", "The key has 12 letters and digits; a license key has 32"),
    ],
)
def test_the_license_key_check_says_which_character_or_group_is_wrong(typed, words):
    with pytest.raises(InvalidInput) as error:
        check.license_key(typed)
    assert str(error.value).startswith(words)


def test_a_key_pasted_as_32_hex_digits_is_accepted_and_normalised():
    assert check.license_key(KEY_A.replace("-", "").upper()) == KEY_A.upper()  # dashes in, capitals kept


def test_the_status_bar_says_where_requests_go_in_plain_words(qtbot, window, app_sandbox):
    assert window.endpoint_label.text() == "Sandbox, no real calls"
    assert window.endpoint_label.toolTip() == app_sandbox.url
    window.controller.connection.sandbox_mode, window.controller.connection.sandbox = False, None
    window.controller.settings.endpoint = "https://ws.esendex.us/NotifyWS/PhoneNotify.asmx"
    assert window.controller.connection.endpoint_text() == "Esendex (ws.esendex.us)"


def test_the_settings_dialog_shows_locks_the_start_of_the_address_and_grows_with_errors(qtbot, window):
    settings = window.controller.settings
    settings.locked = frozenset({"timeout_seconds"})
    dialog = window.open_settings()
    qtbot.waitExposed(dialog)
    assert not dialog.timeout.isEnabled() and dialog.timeout.toolTip() == LOCKED_NOTE
    assert dialog.locked_note.isVisible() and LOCKED_NOTE in dialog.locked_note.text()
    assert dialog.endpoint.cursorPosition() == 0  # "https://…" is what shows
    words, namespace = dialog.namespace.text().split("\n")
    assert namespace == window.controller.connection.sandbox.target_namespace
    assert words == f"{NAMESPACE_WORDS[namespace]}, found on the service:"  # found on the sandbox
    height = dialog.height()
    dialog.endpoint.setText("http://example.com/x")
    dialog.ca_bundle.setText("/no/such/file.pem")
    dialog.accept()
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.height() > height)
    for error in (dialog.endpoint_error, dialog.ca_error):
        assert error.isVisible() and error.height() >= error.heightForWidth(error.width())  # not clipped
    dialog.reject()


def test_a_locked_value_is_never_changed_by_the_dialog(qtbot, window):
    settings = window.controller.settings
    settings.locked = frozenset({"endpoint"})
    before = settings.endpoint
    dialog = window.open_settings()
    assert not dialog.endpoint.isEnabled() and not dialog.reset.isEnabled()
    dialog.endpoint.setText("https://elsewhere.example/x")
    dialog.apply_to(settings)
    assert settings.endpoint == before
    dialog.reject()


def test_an_administrators_file_problem_is_reported_once_in_the_window(qtbot, tmp_path, app_sandbox, memory_keyring):
    from desktop_app.ui.main_window import MainWindow
    from tests.conftest import make_controller

    controller = make_controller(tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    controller.settings.site_problem = "/etc/xdg/VoiceBroadcastDesk/site-settings.json, line 3: not valid JSON"
    window = MainWindow(controller)
    qtbot.addWidget(window)
    window.show()
    assert window.notice.isVisible() and "line 3" in window.notice.body.text()
    close_window(window)
