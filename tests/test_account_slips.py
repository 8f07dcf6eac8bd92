"""Issue #23's account slips (findings 4, 6 and part of 9), from the user's side: adding an account
keeps the working account and says so; Find calls that finds nothing on one account offers to
search them all; Add account's Save button follows the form and says why it is disabled; the same
key under two names is pointed out; names sort as people expect; a key keeps the capitals it was
typed in; Find calls shows the Reference ID; a cancelled call does not say "Answered by: No"."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from desktop_app.service import PhoneNotifyClient, new_call_request
from desktop_app.storage.secrets import SERVICE_NAME
from desktop_app.ui.dialogs.key_entry import KeyEntryDialog
from tests.conftest import KEY_A, KEY_B, close_controller, close_window, make_controller, make_window
from tests.test_find_findings import open_page as open_lookup

NUMBER = "757-555-1230"


# -- helpers -------------------------------------------------------------------------------------


def open_add_dialog(qtbot, window):
    """Manage accounts…, then Add account…: the accounts dialog and the form."""
    dialog = window.open_accounts()
    qtbot.waitUntil(lambda: dialog.store is not None)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    entry = dialog.findChild(KeyEntryDialog)
    assert entry is not None and entry.isVisible()
    return dialog, entry


def save_button(entry):
    return entry.buttons.button(QDialogButtonBox.StandardButton.Save)


def retype(qtbot, field, text: str) -> None:
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    qtbot.keyClicks(field, text)


def add_account(qtbot, window, name: str, key: str):
    dialog, entry = open_add_dialog(qtbot, window)
    qtbot.keyClicks(entry.name, name)
    qtbot.keyClicks(entry.key, key)
    qtbot.mouseClick(save_button(entry), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: name in window.controller.settings.accounts and dialog.message.isVisible())
    return dialog


def book(sandbox, key: str, number: str = NUMBER, in_seconds: int = 3600):
    """A call booked outside this app (straight to the sandbox)."""
    clock = sandbox.state.clock
    client = PhoneNotifyClient(sandbox.url, timeout=5)
    try:
        when = clock.now() + timedelta(seconds=in_seconds)
        call = new_call_request(phone_number=number, text_to_say="Hi", scheduled=when, now=clock.now())
        return client.schedule_call(key, call)
    finally:
        client.close()


@pytest.fixture
def two_accounts(tmp_path, app_sandbox, memory_keyring):
    made = make_controller(tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A, "Clinic North": KEY_B})
    yield made
    close_controller(made)


def look_up_number(qtbot, page, number: str = NUMBER) -> None:
    page.mode.setCurrentIndex(page.mode.findData("number"))
    page.query.setText(number)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(page.lookup_button, Qt.MouseButton.LeftButton)


def cell(page, row: int, title: str) -> str:
    return page.model.data(page.model.index(row, page.model.column_of(title))) or ""


# -- finding 4: adding an account ------------------------------------------------------------------


def test_adding_an_account_keeps_the_working_account_and_says_so(qtbot, window):
    assert window.account.currentText() == "Main office"
    dialog = add_account(qtbot, window, "Clinic North 2", KEY_B)
    qtbot.waitUntil(lambda: window.controller.executor.pending == 0)  # the key saved, the list refreshed
    assert window.controller.accounts.current == "Main office"
    assert window.account.currentText() == "Main office"  # the Account box did not move either
    assert dialog.message.headline.text() == "Account “Clinic North 2” added"
    assert dialog.message.body.text().startswith(
        "Main office is still the working account; choose Clinic North 2 in the Account box to use it."
    )
    dialog.close()
    # Choosing it in the Account box makes it the working account.
    window.account.setCurrentIndex(window.account.findData("Clinic North 2"))
    assert window.controller.accounts.current == "Clinic North 2"


def test_the_first_account_becomes_the_working_account_and_the_message_says_so(
    qtbot, tmp_path, app_sandbox, memory_keyring
):
    window = make_window(qtbot, tmp_path, app_sandbox, memory_keyring)
    dialog = add_account(qtbot, window, "Main office", KEY_A)
    assert window.controller.accounts.current == "Main office"
    assert window.account.currentText() == "Main office"
    assert dialog.message.headline.text() == "Account “Main office” added"
    assert dialog.message.body.text().startswith("It is now the working account.")
    dialog.close()
    close_window(window)


# -- finding 4: a look-up that finds nothing on one account ------------------------------------------


def test_a_look_up_that_finds_nothing_offers_search_all_accounts(qtbot, two_accounts, app_sandbox):
    booked = book(app_sandbox, KEY_B)  # on Clinic North; the working account is Main office
    page = open_lookup(qtbot, two_accounts)
    assert two_accounts.accounts.current == "Main office"
    look_up_number(qtbot, page)
    assert page.model.rowCount() == 0
    assert page.result.headline.text() == "No calls found"
    assert page.result.body.text() == "There are no calls to 757-555-1230 on the account “Main office”."
    button = page.search_all_button
    assert button.isVisible() and button.text().replace("&", "") == "Search all accounts"
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 1
    assert cell(page, 0, "QueueID") == str(booked.queue_id)
    assert cell(page, 0, "Account") == "Clinic North"
    assert not page.table.isColumnHidden(page.model.column_of("Account"))  # where it was found
    assert page.all_accounts.isChecked()  # the page shows which look-up it made
    assert not button.isVisible()
    # With the call found, nothing more is offered; a number nobody called says so for all accounts.
    look_up_number(qtbot, page, "757-555-1239")
    assert page.result.body.text() == "There are no calls to 757-555-1239 in any account."
    assert not button.isVisible()


def test_a_queue_id_not_found_on_the_account_offers_search_all_accounts(qtbot, two_accounts, app_sandbox):
    booked = book(app_sandbox, KEY_B)
    page = open_lookup(qtbot, two_accounts)
    page.mode.setCurrentIndex(page.mode.findData("queue"))
    page.query.setText(str(booked.queue_id))
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(page.lookup_button, Qt.MouseButton.LeftButton)
    assert page.result.headline.text() == f"QueueID {booked.queue_id} not found"
    assert page.search_all_button.isVisible()
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(page.search_all_button, Qt.MouseButton.LeftButton)
    assert cell(page, 0, "Account") == "Clinic North" and cell(page, 0, "Status") != "Not found"


def test_with_one_account_there_is_nothing_else_to_search(qtbot, controller):
    page = open_lookup(qtbot, controller)
    look_up_number(qtbot, page)
    assert page.result.headline.text() == "No calls found"
    assert not page.search_all_button.isVisible()


# -- finding 6: Add account's Save button ------------------------------------------------------------


def assert_save_says_why(entry, why: str) -> None:
    save = save_button(entry)
    assert not save.isEnabled()
    assert entry.save_why.isVisible() and entry.save_why.text() == why
    assert save.toolTip() == why and save.accessibleDescription() == why


def assert_save_ready(entry) -> None:
    save = save_button(entry)
    assert save.isEnabled()
    assert not entry.save_why.isVisible() and save.accessibleDescription() == ""
    assert not entry.name_error.isVisible() and not entry.key_error.isVisible()


def test_the_save_button_follows_the_form_and_says_why_it_is_disabled(qtbot, window):
    dialog, entry = open_add_dialog(qtbot, window)
    assert_save_says_why(entry, "To save, enter a name for the account and its license key.")
    # A name that is taken (in other capitals), then the key: Save stays off while the error shows.
    qtbot.keyClicks(entry.name, "main office")
    assert entry.name_error.isVisible() and entry.name_error.text() == "There is already an account with this name."
    qtbot.keyClicks(entry.key, KEY_B)
    assert entry.name_error.isVisible()
    assert_save_says_why(entry, "To save, choose a name that no other account has.")
    # The user fixes the name: Save comes on at once, and the reason goes.
    qtbot.keyClicks(entry.name, " 2")
    assert_save_ready(entry)
    # Back to the taken name: off again, with the reason.
    qtbot.keyClick(entry.name, Qt.Key.Key_Backspace)
    qtbot.keyClick(entry.name, Qt.Key.Key_Backspace)
    assert_save_says_why(entry, "To save, choose a name that no other account has.")
    # An empty name.
    retype(qtbot, entry.name, "")
    assert entry.name_error.text() == "Enter a name for this account."
    assert_save_says_why(entry, "To save, enter a name for the account.")
    # A name, then a key cut short, then an empty key.
    qtbot.keyClicks(entry.name, "Branch")
    assert_save_ready(entry)
    qtbot.keyClick(entry.key, Qt.Key.Key_Backspace)
    assert_save_says_why(entry, "To save, correct the license key.")
    retype(qtbot, entry.key, "")
    assert_save_says_why(entry, "To save, enter the license key.")
    qtbot.keyClicks(entry.key, KEY_B)
    assert_save_ready(entry)
    qtbot.mouseClick(save_button(entry), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Branch" in window.controller.settings.accounts)
    dialog.close()


# -- finding 9: the smaller account slips -----------------------------------------------------------------


def test_the_same_key_under_a_second_name_is_pointed_out(qtbot, window, caplog):
    caplog.set_level(logging.DEBUG)
    dialog, entry = open_add_dialog(qtbot, window)
    qtbot.keyClicks(entry.name, "Clinic North")
    qtbot.keyClicks(entry.key, KEY_B)  # another key: nothing to say
    qtbot.waitUntil(lambda: window.controller.executor.pending == 0)  # the keyring was asked
    assert not entry.key_warning.isVisible()
    retype(qtbot, entry.key, KEY_A.upper())  # Main office's key, in capitals
    qtbot.waitUntil(lambda: entry.key_warning.isVisible())
    assert entry.key_warning.text() == "This license key is already saved for “Main office”."
    assert save_button(entry).isEnabled()  # a warning: the user may mean it
    qtbot.keyClick(entry.key, Qt.Key.Key_Backspace)  # no longer that key
    assert not entry.key_warning.isVisible()
    entry.reject()
    dialog.close()
    assert KEY_A not in caplog.text and KEY_A.upper() not in caplog.text


def test_accounts_are_listed_in_natural_order_whatever_the_capitals(qtbot, tmp_path, app_sandbox, memory_keyring):
    names = ["Clinic North 2", "Main office", "clinic 10", "Clinic North", "Clinic 9"]
    window = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, dict.fromkeys(names, KEY_A))
    expected = ["Clinic 9", "clinic 10", "Clinic North", "Clinic North 2", "Main office"]
    assert [window.account.itemText(i) for i in range(window.account.count())] == expected
    assert window.account.currentText() == "Clinic North 2"  # the default stays chosen
    dialog = window.open_accounts()
    model = dialog.list.model()
    assert [model.data(model.index(r, 0)) for r in range(model.rowCount())] == expected
    assert [window.account.itemText(i) for i in range(window.account.count())] == expected
    assert window.controller.accounts.current == "Clinic North 2"
    dialog.close()
    close_window(window)


def test_a_key_typed_in_capitals_is_kept_and_shown_as_typed(qtbot, window, memory_keyring, app_sandbox):
    typed = KEY_B.upper()
    dialog = add_account(qtbot, window, "Clinic North", typed)
    assert memory_keyring.entries[(SERVICE_NAME, "Clinic North")] == typed
    qtbot.waitUntil(lambda: dialog.key_label.text() == "••••-…-4E5F")
    qtbot.mouseClick(dialog.reveal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.key_label.text() == typed)
    dialog.close()
    # The key works as typed: a look-up on that account reaches its calls.
    booked = book(app_sandbox, KEY_B)
    window.account.setCurrentIndex(window.account.findData("Clinic North"))
    page = window.lookup_page
    look_up_number(qtbot, page)
    assert cell(page, 0, "QueueID") == str(booked.queue_id)


def test_find_calls_shows_the_reference_id_by_default(qtbot, controller, app_sandbox, tmp_path):
    clock = app_sandbox.state.clock
    for minutes, reference in ((60, "CASE-TEST"), (90, "appointments-north-march")):
        call = new_call_request(
            phone_number=NUMBER,
            text_to_say="Hi",
            scheduled=clock.now() + timedelta(minutes=minutes),
            reference_id=reference,
            now=clock.now(),
        )
        controller.desk.schedule("Main office", call)  # booked from this desk
    page = open_lookup(qtbot, controller)
    look_up_number(qtbot, page)
    column = page.model.column_of("Reference ID")
    assert not page.table.isColumnHidden(column)
    shown = sorted(cell(page, r, "Reference ID") for r in range(2))
    assert shown == ["CASE-TEST", "appointment…"]  # a long one cut short in the cell…
    long_row = next(r for r in range(2) if cell(page, r, "Reference ID") != "CASE-TEST")
    tip = page.model.data(page.model.index(long_row, column), Qt.ItemDataRole.ToolTipRole)
    assert tip == "appointments-north-march"  # …and whole in its tooltip
    assert next(a for a in page.column_menu().actions() if a.text() == "Reference ID").isChecked()
    header = page.table.horizontalHeader()  # it fits the page's default size with the others
    last = max(c for c in range(page.model.columnCount()) if not page.table.isColumnHidden(c))
    assert header.sectionViewportPosition(last) + header.sectionSize(last) <= page.table.viewport().width()
    exported = page.export(str(tmp_path / "calls.csv")).read_text(encoding="utf-8-sig")
    assert "Reference ID" in exported.splitlines()[0] and "appointments-north-march" in exported


def test_a_cancelled_call_does_not_say_answered_by_no(qtbot, controller, app_sandbox):
    cancelled = book(app_sandbox, KEY_A)
    client = PhoneNotifyClient(app_sandbox.url, timeout=5)
    try:
        assert client.cancel_call(KEY_A, cancelled.queue_id).cancelled
    finally:
        client.close()
    unanswered = book(app_sandbox, KEY_A, number="757-555-1239", in_seconds=1)  # rings, nobody answers
    app_sandbox.state.clock.advance(120)
    page = open_lookup(qtbot, controller)
    page.mode.setCurrentIndex(page.mode.findData("queues"))
    page.query.setText(f"{cancelled.queue_id}, {unanswered.queue_id}")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(page.lookup_button, Qt.MouseButton.LeftButton)
    rows = {cell(page, r, "QueueID"): r for r in range(page.model.rowCount())}
    assert cell(page, rows[str(cancelled.queue_id)], "Status") == "Cancelled"
    assert cell(page, rows[str(cancelled.queue_id)], "Answered by") == "—"  # it never rang
    assert cell(page, rows[str(unanswered.queue_id)], "Answered by") == "No"  # it rang; nobody answered
