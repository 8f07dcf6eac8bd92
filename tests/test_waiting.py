"""Issue 23, finding 7: a request that takes long shows the seconds waited and offers "Stop
waiting", which says honestly what is known and leaves the page usable; the request still ends on
its own and History records its real outcome."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop_app.ui.widgets.busy import SHOW_ELAPSED_AFTER_SECONDS, STOPPED_WAITING
from tests.conftest import KEY_A, close_window, make_window
from tests.test_ui import click_message_box

LATENCY_SECONDS = SHOW_ELAPSED_AFTER_SECONDS + 5  # time to stop waiting, even on a busy machine
TIMEOUT_SECONDS = 30  # the app's default: the slow answer still comes within it


@pytest.fixture
def window(qtbot, tmp_path, app_sandbox, memory_keyring):
    win = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    win.controller.settings.timeout_seconds = TIMEOUT_SECONDS  # the tests' profile uses 5 s
    win.controller.settings_saved()
    yield win
    close_window(win)


def wait_for_the_stop_button(qtbot, busy) -> None:
    assert busy.isVisible() and not busy.stop_button.isVisible()  # a quick answer needs no button
    qtbot.waitUntil(busy.stop_button.isVisible, timeout=(SHOW_ELAPSED_AFTER_SECONDS + 2) * 1000)
    assert busy.label.text().endswith(" s so far.")  # and the seconds waited


@pytest.mark.slow
def test_stop_waiting_for_a_cancel_says_it_may_still_go_through_and_history_gets_the_answer(qtbot, window, app_sandbox):
    page = window.show_page("cancel")
    page.reference.setText("slow-answer")
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(b.isVisible() for b in page.findChildren(QMessageBox)))
    app_sandbox.faults.latency_seconds = LATENCY_SECONDS
    click_message_box(qtbot, page, "Cancel the calls")
    wait_for_the_stop_button(qtbot, page.busy)
    qtbot.mouseClick(page.busy.stop_button, Qt.MouseButton.LeftButton)

    assert page.result.headline.text() == STOPPED_WAITING and page.result.kind == "warning"
    assert "may or may not go through" in page.result.body.text()
    assert not page.busy.isVisible() and page.cancel_button.isEnabled() and not page.in_flight
    # The answer still comes and is recorded; the page keeps what it said instead of jumping.
    history = window.controller.desk.history
    qtbot.waitUntil(lambda: any(r.reference_id == "slow-answer" for r in history.records()), timeout=15_000)
    (record,) = [r for r in history.records() if r.reference_id == "slow-answer"]
    assert (record.action, record.outcome) == ("cancel_reference", "ok")
    assert page.result.headline.text() == STOPPED_WAITING


@pytest.mark.slow
def test_stop_waiting_for_a_booking_makes_the_next_try_check_first(qtbot, window, app_sandbox):
    page = window.show_page("schedule")
    page.phone.setText("757-555-1230")
    page.text.setPlainText("Your appointment is tomorrow at 10.")
    app_sandbox.faults.latency_seconds = LATENCY_SECONDS
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    wait_for_the_stop_button(qtbot, page.busy)
    qtbot.mouseClick(page.busy.stop_button, Qt.MouseButton.LeftButton)

    assert page.result.headline.text() == STOPPED_WAITING
    assert "may or may not be booked" in page.result.body.text() and page.check_booked.isVisible()
    assert page.schedule_button.isEnabled()
    app_sandbox.faults.latency_seconds = 0
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)  # the same number again
    (box,) = [b for b in page.findChildren(QMessageBox) if b.isVisible()]
    assert box.windowTitle() == "Check first?"
    box.reject()
    history = window.controller.desk.history
    qtbot.waitUntil(lambda: any(r.action == "schedule" for r in history.records()), timeout=15_000)
    assert app_sandbox.operations["NotifyPhoneAdvanced"] == 1  # booked once: stopping sent nothing more
