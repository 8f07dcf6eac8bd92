"""Issue #13: Find calls in all accounts. One look-up per account (a few at a time), rows merged
with an Account column, a locked account's key reported inline, and a row cancelled with its own
account's key (checked in the sandbox)."""

from __future__ import annotations

from datetime import timedelta

import keyring.errors
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from desktop_app.service import PhoneNotifyClient, new_call_request
from desktop_app.storage.secrets import SERVICE_NAME
from desktop_app.ui.pages.lookup import LookupPage
from desktop_app.ui.pages.lookup_all import AllAccountsLookup
from desktop_app.ui.pages.lookup_jobs import ACCOUNTS_AT_ONCE
from tests.conftest import KEY_A, KEY_B, make_controller
from tests.support import MemoryKeyring
from tests.test_lookup_rows import click_action
from tests.test_ui import click_message_box

KEY_C = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
NUMBER = "757-555-1230"


class OneLockedKeyring(MemoryKeyring):
    """A keyring whose "Branch" entry is locked (the user declined to unlock it); others answer."""

    def get_password(self, service, username):
        if username == "Branch":
            raise keyring.errors.KeyringLocked("Failed to unlock the collection!")
        return super().get_password(service, username)


def close(controller) -> None:
    controller.shutdown()
    controller.executor.wait(10)
    controller.desk.close()
    controller.context.history.close()


def book(sandbox, key: str, in_seconds: int = 3600):
    clock = sandbox.state.clock
    client = PhoneNotifyClient(sandbox.url, timeout=5)
    try:
        return client.schedule_call(
            key,
            new_call_request(
                phone_number=NUMBER,
                text_to_say="Hi",
                scheduled=clock.now() + timedelta(seconds=in_seconds),
                now=clock.now(),
            ),
        )
    finally:
        client.close()


def open_page(qtbot, controller) -> LookupPage:
    page = LookupPage(controller)
    qtbot.addWidget(page)
    page.resize(820, 600)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_all_accounts_with_one_locked_key_shows_the_others_and_cancels_with_the_rows_account(
    qtbot, tmp_path, app_sandbox
):
    backend = OneLockedKeyring()
    controller = make_controller(
        tmp_path, app_sandbox, backend, {"Main office": KEY_A, "Branch": KEY_B, "Clinic": KEY_C}
    )
    assert backend.entries[(SERVICE_NAME, "Branch")] == KEY_B  # stored; only reading it fails
    try:
        main_call = book(app_sandbox, KEY_A)
        book(app_sandbox, KEY_B)  # Branch's call: not reachable while its key is locked
        clinic_call = book(app_sandbox, KEY_C)
        page = open_page(qtbot, controller)
        assert controller.accounts.current == "Main office"
        page.query.setText(NUMBER)
        qtbot.mouseClick(page.all_accounts, Qt.MouseButton.LeftButton)
        assert page.all_accounts.isChecked()
        with qtbot.waitSignal(page.loaded, timeout=10_000):
            qtbot.mouseClick(page.lookup_button, Qt.MouseButton.LeftButton)

        rows = {page.model.row(r).queue_id: page.model.row(r).account for r in range(page.model.rowCount())}
        assert rows == {main_call.queue_id: "Main office", clinic_call.queue_id: "Clinic"}
        account_column = page.model.column_of("Account")
        assert not page.table.isColumnHidden(account_column)
        assert page.model.headerData(account_column, Qt.Orientation.Horizontal) == "Account"
        assert page.failures.isVisible()
        assert len(page.failures.lines) == 1
        assert page.failures.lines[0].startswith("Branch: the keyring is locked")
        assert "Unlock it" in page.failures.lines[0]
        assert not page.result.isVisible()  # not an error for the whole look-up

        # Cancel the Clinic row: the Clinic key cancels it, although Main office is chosen.
        click_action(qtbot, page, clinic_call.queue_id)
        with qtbot.waitSignal(page.cancelled, timeout=10_000) as cancelled:
            click_message_box(qtbot, page, "Cancel the call")
        assert cancelled.args[0].cancelled and cancelled.args[0].account == "Clinic"
        assert app_sandbox.state.ledger(KEY_C).cancelled == 1  # the sandbox: Clinic's key cancelled it
        assert app_sandbox.state.ledger(KEY_A).cancelled == 0
        assert app_sandbox.state.calls[clinic_call.queue_id].cancelled_utc is not None
        assert app_sandbox.state.calls[main_call.queue_id].cancelled_utc is None
        assert controller.desk.history.records()[0].account == "Clinic"
        position = page.model.position_of(clinic_call.queue_id)
        assert page.model.data(page.model.index(position, page.model.column_of("Status"))) == "Cancelled"
    finally:
        close(controller)


def test_all_accounts_runs_a_few_look_ups_at_a_time(qtbot, tmp_path, app_sandbox, memory_keyring):
    keys = [f"{i:08x}-1111-4222-8333-444455556666" for i in range(1, 7)]
    accounts = {f"Office {i}": key for i, key in enumerate(keys, 1)}
    controller = make_controller(tmp_path, app_sandbox, memory_keyring, accounts)
    try:
        for key in keys:
            book(app_sandbox, key)
        page = open_page(qtbot, controller)
        app_sandbox.faults.latency_seconds = 0.3
        app_sandbox.max_in_flight = 0
        page.query.setText(NUMBER)
        page.all_accounts.setChecked(True)
        with qtbot.waitSignal(page.loaded, timeout=20_000):
            qtbot.mouseClick(page.lookup_button, Qt.MouseButton.LeftButton)
        assert page.model.rowCount() == 6
        assert sorted(page.model.accounts()) == sorted(accounts)
        assert 1 < app_sandbox.max_in_flight <= ACCOUNTS_AT_ONCE
        assert app_sandbox.operations["GetQueueIDStatusesByPhoneNumber"] == 6
    finally:
        app_sandbox.faults.latency_seconds = 0
        close(controller)


def test_an_account_that_cannot_reach_the_service_gets_one_plain_line(qtbot, tmp_path, app_sandbox, memory_keyring):
    controller = make_controller(tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A, "Clinic": KEY_C})
    try:
        book(app_sandbox, KEY_A)
        book(app_sandbox, KEY_C)
        page = open_page(qtbot, controller)
        app_sandbox.faults.inject("reset", operation="GetQueueIDStatusesByPhoneNumber")  # the first look-up only
        # One at a time, in account order: Main office's look-up meets the broken connection.
        run = AllAccountsLookup(controller, ["Main office", "Clinic"], "number", NUMBER, page, page._show, at_once=1)
        with qtbot.waitSignal(page.loaded, timeout=10_000):
            run.start()
        assert page.failures.lines == ["Main office: could not reach the service"]
        label = page.failures.findChildren(QLabel)[0]
        assert "connection broke" in label.toolTip()
        assert [page.model.row(r).account for r in range(page.model.rowCount())] == ["Clinic"]
    finally:
        close(controller)
