"""Issue #12's findings on the Cancel calls page, one test per finding: the real page on a real
controller (worker threads, keyring, history) against the sandbox over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop_app.service import new_call_request
from desktop_app.ui.pages.cancel import CancelPage
from tests.conftest import KEY_A, make_controller
from tests.test_ui import click_message_box

# The headline says "QueueID … not found"; the text does not say it again (issue 23, finding 9).
NOT_FOUND = "Checked on the account Main office. Check the number, or try another account."


class Window:
    """The Cancel page on its own, with the attributes these tests use."""

    def __init__(self, qtbot, controller) -> None:
        self.controller = controller
        self.cancel_page = CancelPage(controller)
        qtbot.addWidget(self.cancel_page)
        self.cancel_page.resize(820, 600)
        self.cancel_page.show()
        qtbot.waitExposed(self.cancel_page)


@pytest.fixture
def window(qtbot, tmp_path, app_sandbox, memory_keyring):
    controller = make_controller(tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    yield Window(qtbot, controller)
    controller.shutdown()
    controller.executor.wait(10)
    controller.desk.close()
    controller.context.history.close()


def cancel_queue_via_ui(qtbot, window, queue_id: str):
    page = window.cancel_page
    page.queue_id.setText(queue_id)
    qtbot.mouseClick(page.queue_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.cancelled, timeout=10_000):
        click_message_box(qtbot, page, "Cancel the call")
    return page


def test_an_unknown_queue_id_says_no_call_was_found_for_the_account(qtbot, window, app_sandbox):
    page = cancel_queue_via_ui(qtbot, window, "999")
    assert app_sandbox.operations["CancelNotify"] == 1
    assert page.result.kind == "info"
    assert page.result.headline.text() == "QueueID 999 not found"
    assert page.result.body.text() == NOT_FOUND
    assert "not waiting to be placed" not in page.result.body.text()


def test_a_call_that_has_started_is_still_explained_as_started(qtbot, window, app_sandbox):
    """The other half of the finding: a known call that cannot be cancelled keeps its own words."""
    clock = app_sandbox.state.clock
    call = new_call_request(
        phone_number="757-555-1230", text_to_say="Now", scheduled=clock.now() + timedelta(seconds=1), now=clock.now()
    )
    booked = window.controller.desk.client.schedule_call(KEY_A, call)
    clock.advance(5)  # ringing
    page = cancel_queue_via_ui(qtbot, window, str(booked.queue_id))
    assert page.result.headline.text() == f"Call {booked.queue_id} was not cancelled"
    assert "in progress cannot be cancelled" in page.result.body.text()
    assert "Its status now: Ringing now." in page.result.body.text()


def test_a_pasted_500_character_reference_id_is_refused_not_cut(qtbot, window, app_sandbox):
    page = window.cancel_page
    before = app_sandbox.requests_served
    page.reference.setFocus()
    page.reference.insert("a" * 500)  # what a paste does
    assert len(page.reference.text()) == 500
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    assert page.reference_error.isVisible()
    assert page.reference_error.text() == "A reference ID can be at most 50 characters; this one has 500."
    assert not [b for b in page.findChildren(QMessageBox) if b.isVisible()]
    assert app_sandbox.requests_served == before


def test_each_sections_error_belongs_to_that_section_only(qtbot, window):
    page = window.cancel_page
    page.reference.setText("has spaces")
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    assert page.reference_error.isVisible()
    # Working in the QueueID section: the reference ID's error goes.
    qtbot.mouseClick(page.queue_id, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.reference_error.isVisible())
    page.queue_id.setText("abc")
    qtbot.mouseClick(page.queue_button, Qt.MouseButton.LeftButton)
    assert page.queue_error.text() == "A QueueID is a whole number, like 4093249."
    assert not page.reference_error.isVisible()
    # And back: typing a reference ID clears the QueueID's error.
    page.reference.setFocus()
    qtbot.keyClick(page.reference, Qt.Key.Key_X)
    assert not page.queue_error.isVisible()


def test_ask_cancel_reference_id_fills_in_and_asks_to_confirm(qtbot, window, app_sandbox):
    page = window.cancel_page
    page.ask_cancel_reference_id("test-broadcast-1")
    assert page.reference.text() == "test-broadcast-1"
    with qtbot.waitSignal(page.cancelled, timeout=10_000) as cancelled:
        click_message_box(qtbot, page, "Cancel the calls")
    assert cancelled.args[0].reference_id == "test-broadcast-1"
    assert app_sandbox.operations["CancelNotifyByReferenceID"] == 1


def test_queue_id_is_explained_in_a_tooltip_and_controls_have_tooltips(window):
    page = window.cancel_page
    assert "the number Esendex gives each call" in page.queue_id.toolTip()
    for control in (page.reference, page.cancel_button, page.queue_id, page.queue_button):
        assert control.toolTip()
