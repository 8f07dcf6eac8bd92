"""Issue 23, finding 1: a fast double click on "Schedule call" books once, and the second click
neither lands on a button that empties the form nor wipes the "Booked" answer."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app.ui.pages import schedule as schedule_page
from tests.conftest import KEY_A, close_window, make_window

NUMBER = "757-555-1230"


@pytest.fixture
def window(qtbot, tmp_path, app_sandbox, memory_keyring):
    win = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    win.resize(640, 480)  # the smallest size the window allows: the least room for the answer
    win.tabs.setCurrentWidget(win.schedule_page)
    qtbot.waitUntil(lambda: win.width() == 640)
    yield win
    close_window(win)


def fill(page) -> None:
    page.phone.setText(NUMBER)
    page.text.setPlainText("Your appointment is tomorrow at 10.")
    page.reference.setText("double-click")


def click_at(qtbot, window, position: QPoint) -> None:
    """A click at a fixed place in the window, on whatever is there now (as a mouse does)."""
    target = window.childAt(position)
    assert target is not None
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton, pos=target.mapFrom(window, position))


def booked_calls(sandbox) -> int:
    return sum(1 for call in sandbox.state.calls.values() if call.reference_id == "double-click")


def test_the_second_click_of_a_double_click_leaves_the_booking_and_the_form_alone(qtbot, window, app_sandbox):
    page = window.schedule_page
    fill(page)
    button = page.schedule_button
    where = button.mapTo(window, button.rect().center())
    with qtbot.waitSignal(page.scheduled, timeout=10_000):
        click_at(qtbot, window, where)
    # The answer is on screen; the button under the pointer is still "Schedule call".
    assert window.childAt(where) is button
    assert page.result.isVisible() and page.result.headline.text().startswith("Booked")
    click_at(qtbot, window, where)  # the second click: the same call again asks first
    box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
    assert box.windowTitle() == "Book it again?"
    box.reject()
    assert page.result.isVisible() and page.result.headline.text().startswith("Booked")
    assert page.phone.text() == NUMBER and page.reference.text() == "double-click"
    assert booked_calls(app_sandbox) == 1


def test_schedule_another_is_apart_from_the_schedule_button_and_ignores_a_click_right_after_the_answer(
    qtbot, window, app_sandbox
):
    page = window.schedule_page
    fill(page)
    with qtbot.waitSignal(page.scheduled, timeout=10_000):
        qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    another = page.another.mapTo(window, page.another.rect().center())
    schedule = page.schedule_button.mapTo(window, page.schedule_button.rect().center())
    assert abs(another.x() - schedule.x()) > page.schedule_button.width()  # not under the same pointer
    assert not page.another.isEnabled()  # greyed out for the first second: the click visibly does nothing
    qtbot.mouseClick(page.another, Qt.MouseButton.LeftButton)
    assert page.result.isVisible() and page.phone.text() == NUMBER
    qtbot.waitUntil(page.another.isEnabled, timeout=int(schedule_page.SETTLE_SECONDS * 1000) + 5000)  # a moment later
    qtbot.mouseClick(page.another, Qt.MouseButton.LeftButton)
    assert not page.result.isVisible() and page.phone.text() == "" and page.reference.text() != "double-click"


def test_a_booking_stays_in_view_when_the_next_try_has_a_mistake(qtbot, window, app_sandbox):
    page = window.schedule_page
    fill(page)
    with qtbot.waitSignal(page.scheduled, timeout=10_000):
        qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    page.phone.setText("555-12")
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    assert page.errors["phone_number"].isVisible()
    assert page.result.isVisible() and page.result.headline.text().startswith("Booked")
