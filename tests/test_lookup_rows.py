"""Find calls' row actions (issue 20) and what assistive technology reads in the rows (issue 24):
the "Cancel…" cell of a call that can still be cancelled is painted as a button by a delegate,
clicked with the mouse, or chosen with Enter (the row), Space (the action cell) or Delete (the
selected rows); each asks the same confirmation and cancels that row's call, also after sorting.
A call that has started has no action. The action cell's accessible name says which call it
cancels; the status cell's accessible description has the service's code.

The real page on a bare controller, against the sandbox on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app.service import new_call_request
from desktop_app.ui.models.calls import ACTION_ROLE, ACTION_TEXT
from desktop_app.ui.pages.lookup import LookupPage
from tests.test_ui import click_message_box

ACCOUNT = "Main office"
NUMBER = "757-555-1230"


def book(controller, sandbox, in_seconds: int):
    """A call booked from this app (the history knows its time) `in_seconds` from now."""
    now = sandbox.state.clock.now()
    call = new_call_request(
        phone_number=NUMBER, text_to_say="Reminder", scheduled=now + timedelta(seconds=in_seconds), now=now
    )
    return controller.desk.schedule(ACCOUNT, call)


def open_page(qtbot, controller) -> LookupPage:
    page = LookupPage(controller)
    qtbot.addWidget(page)
    page.resize(820, 600)  # the page's share of the default 860×680 window
    page.show()
    qtbot.waitExposed(page)
    return page


def look_up_number(qtbot, page: LookupPage) -> None:
    page.mode.setCurrentIndex(page.mode.findData("number"))
    page.query.setText(NUMBER)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(page.lookup_button, Qt.MouseButton.LeftButton)


# -- driving the table as a user does (shared with the other Find calls tests) ----------------------


def row_of(page: LookupPage, queue_id: int) -> int:
    """The table row that shows this QueueID (read from the QueueID cells, as a user would)."""
    column = page.model.column_of("QueueID")
    shown = [page.table.model().index(r, column).data() for r in range(page.table.model().rowCount())]
    return shown.index(str(queue_id))


def cell_index(page: LookupPage, row: int, title: str) -> QModelIndex:
    return page.table.model().index(row, page.model.column_of(title))


def click_cell(qtbot, page: LookupPage, index: QModelIndex) -> None:
    page.table.scrollTo(index)
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=page.table.visualRect(index).center())


def click_action(qtbot, page: LookupPage, queue_id: int) -> None:
    """Click the "Cancel…" cell in the row that shows this QueueID."""
    click_cell(qtbot, page, cell_index(page, row_of(page, queue_id), "Cancel"))


def has_action(page: LookupPage, queue_id: int) -> bool:
    return bool(cell_index(page, row_of(page, queue_id), "Cancel").data(ACTION_ROLE))


def open_boxes(page: LookupPage) -> list[QMessageBox]:
    return [box for box in page.findChildren(QMessageBox) if box.isVisible()]


def confirmation(qtbot, page: LookupPage) -> QMessageBox:
    qtbot.waitUntil(lambda: bool(open_boxes(page)))
    return open_boxes(page)[-1]


def no_confirmation(qtbot, page: LookupPage) -> None:
    QApplication.processEvents()  # a box would open in the same event: nothing else to wait for
    assert open_boxes(page) == []


def accessible_cell(page: LookupPage, row: int, title: str):
    """What assistive technology reads: the table's accessible child at the cell's place on the
    screen (as a screen reader's hit test finds it)."""
    index = cell_index(page, row, title)
    place = page.table.viewport().mapToGlobal(page.table.visualRect(index).center())
    return QAccessible.queryAccessibleInterface(page.table).childAt(place.x(), place.y())


# -- mouse --------------------------------------------------------------------------------------------


def test_clicking_a_rows_action_asks_and_cancels_that_call(qtbot, controller, app_sandbox):
    done = book(controller, app_sandbox, 1)
    running = book(controller, app_sandbox, 100)
    waiting = book(controller, app_sandbox, 3600)
    app_sandbox.state.clock.advance(105)
    page = open_page(qtbot, controller)
    look_up_number(qtbot, page)
    assert has_action(page, waiting.queue_id) and not has_action(page, running.queue_id)
    assert cell_index(page, row_of(page, waiting.queue_id), "Cancel").data() == ACTION_TEXT

    click_action(qtbot, page, waiting.queue_id)
    box = confirmation(qtbot, page)
    assert box.text() == f"Cancel the call with QueueID {waiting.queue_id} on account “{ACCOUNT}”?"
    with qtbot.waitSignal(page.cancelled, timeout=10_000) as cancelled:
        click_message_box(qtbot, page, "Cancel the call")
    assert cancelled.args[0].cancelled and cancelled.args[0].queue_id == waiting.queue_id
    assert app_sandbox.state.calls[waiting.queue_id].cancelled_utc is not None
    assert app_sandbox.state.calls[done.queue_id].cancelled_utc is None
    assert (page.result.kind, page.result.headline.text()) == ("success", f"Call {waiting.queue_id} cancelled")
    row = row_of(page, waiting.queue_id)
    assert cell_index(page, row, "Status").data() == "Cancelled"
    assert cell_index(page, row, "Cancel").data() == "—" and not has_action(page, waiting.queue_id)
    assert controller.desk.history.records()[0].action == "cancel_queue"


def test_keep_it_leaves_the_call_alone(qtbot, controller, app_sandbox):
    waiting = book(controller, app_sandbox, 3600)
    page = open_page(qtbot, controller)
    look_up_number(qtbot, page)
    click_action(qtbot, page, waiting.queue_id)
    click_message_box(qtbot, page, "Keep it")
    qtbot.waitUntil(lambda: not open_boxes(page))
    assert app_sandbox.operations["CancelNotify"] == 0 and has_action(page, waiting.queue_id)


def test_after_sorting_the_action_cancels_the_call_shown_in_its_row(qtbot, controller, app_sandbox):
    booked = [book(controller, app_sandbox, seconds) for seconds in (7200, 3600, 5400)]
    page = open_page(qtbot, controller)
    look_up_number(qtbot, page)
    loaded = [call.queue_id for call in page.model.rows]
    # Sorted by the time each call is booked for: an order the service did not give.
    header = page.table.horizontalHeader()
    scheduled = page.model.column_of("Scheduled")
    section = QPoint(
        header.sectionViewportPosition(scheduled) + header.sectionSize(scheduled) // 2, header.height() // 2
    )
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=section)
    assert header.sortIndicatorSection() == scheduled
    by_time = [booked[1].queue_id, booked[2].queue_id, booked[0].queue_id]
    if header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder:
        by_time.reverse()
    shown = [int(cell_index(page, r, "QueueID").data()) for r in range(3)]
    assert shown == by_time
    assert shown != loaded  # the first row is not the first call the service listed
    first = shown[0]
    assert page.table.model().index(0, page.model.action_column).data(Qt.ItemDataRole.AccessibleTextRole) == (
        f"Cancel call {first}"
    )

    click_cell(qtbot, page, cell_index(page, 0, "Cancel"))
    assert f"QueueID {first} " in confirmation(qtbot, page).text()
    with qtbot.waitSignal(page.cancelled, timeout=10_000) as cancelled:
        click_message_box(qtbot, page, "Cancel the call")
    assert cancelled.args[0].queue_id == first
    assert [q for q in shown if app_sandbox.state.calls[q].cancelled_utc is not None] == [first]
    assert [cell_index(page, r, "Status").data() == "Cancelled" for r in range(3)] == [True, False, False]
    assert [has_action(page, q) for q in shown] == [False, True, True]


def test_the_actions_do_nothing_while_a_cancel_runs(qtbot, controller, app_sandbox):
    first, second = book(controller, app_sandbox, 3600), book(controller, app_sandbox, 7200)
    page = open_page(qtbot, controller)
    look_up_number(qtbot, page)
    app_sandbox.faults.latency_seconds = 0.5
    try:
        click_action(qtbot, page, first.queue_id)
        click_message_box(qtbot, page, "Cancel the call")
        qtbot.waitUntil(lambda: page.in_flight and not open_boxes(page))
        click_action(qtbot, page, second.queue_id)
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
        assert open_boxes(page) == [] and page.busy.isVisible()
        qtbot.waitUntil(lambda: not page.in_flight, timeout=10_000)
    finally:
        app_sandbox.faults.latency_seconds = 0
    assert app_sandbox.operations["CancelNotify"] == 1 and has_action(page, second.queue_id)


# -- keyboard -------------------------------------------------------------------------------------------


def test_enter_space_and_delete_ask_the_same_confirmation_and_cancel_the_selected_row(qtbot, controller, app_sandbox):
    calls = [book(controller, app_sandbox, seconds) for seconds in (3600, 5400, 7200)]
    page = open_page(qtbot, controller)
    look_up_number(qtbot, page)
    question = "Cancel the call with QueueID {} on account “Main office”?"

    # Enter on a selected row (its QueueID cell is current).
    click_cell(qtbot, page, cell_index(page, row_of(page, calls[0].queue_id), "QueueID"))
    assert page.table.selected_calls() == [page.model.row(row_of(page, calls[0].queue_id))]
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert confirmation(qtbot, page).text() == question.format(calls[0].queue_id)
    click_message_box(qtbot, page, "Keep it")
    qtbot.waitUntil(lambda: not open_boxes(page))
    assert app_sandbox.operations["CancelNotify"] == 0

    # Delete on the same row: the same question; this time it is cancelled.
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert confirmation(qtbot, page).text() == question.format(calls[0].queue_id)
    with qtbot.waitSignal(page.cancelled, timeout=10_000) as cancelled:
        click_message_box(qtbot, page, "Cancel the call")
    assert cancelled.args[0].queue_id == calls[0].queue_id and cancelled.args[0].cancelled

    # To a neighbouring row, right to its action cell, Space: as on a focused button.
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Up if page.table.currentIndex().row() > 0 else Qt.Key.Key_Down)
    row = page.table.currentIndex().row()
    target = int(cell_index(page, row, "QueueID").data())
    assert target in {calls[1].queue_id, calls[2].queue_id}
    for _ in range(page.model.action_column - page.table.currentIndex().column()):
        qtbot.keyClick(page.table, Qt.Key.Key_Right)
    assert page.table.currentIndex() == cell_index(page, row, "Cancel")
    qtbot.keyClick(page.table, Qt.Key.Key_Space)
    assert confirmation(qtbot, page).text() == question.format(target)
    with qtbot.waitSignal(page.cancelled, timeout=10_000):
        click_message_box(qtbot, page, "Cancel the call")
    cancelled_ids = {q for q, call in app_sandbox.state.calls.items() if call.cancelled_utc is not None}
    assert cancelled_ids == {calls[0].queue_id, target}
    assert [has_action(page, call.queue_id) for call in calls].count(True) == 1


def test_a_row_that_cannot_be_cancelled_has_no_action(qtbot, controller, app_sandbox):
    done = book(controller, app_sandbox, 1)
    running = book(controller, app_sandbox, 100)
    app_sandbox.state.clock.advance(105)
    page = open_page(qtbot, controller)
    look_up_number(qtbot, page)
    for call in (done, running):
        row = row_of(page, call.queue_id)
        action = cell_index(page, row, "Cancel")
        assert not action.data(ACTION_ROLE) and action.data() == "—"
        assert action.data(Qt.ItemDataRole.AccessibleTextRole) == "Cannot be cancelled"
        assert "cannot be cancelled" in action.data(Qt.ItemDataRole.ToolTipRole)
        click_cell(qtbot, page, action)  # on the dash: nothing to confirm
        no_confirmation(qtbot, page)
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
        qtbot.keyClick(page.table, Qt.Key.Key_Space)
        no_confirmation(qtbot, page)
    # Delete on a selection with nothing to cancel says so instead of asking.
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    no_confirmation(qtbot, page)
    assert page.result.headline.text() == "Nothing to cancel"
    assert app_sandbox.operations["CancelNotify"] == 0


# -- accessibility ------------------------------------------------------------------------------------


def test_the_action_cell_names_its_queue_id_for_assistive_technology(qtbot, controller, app_sandbox):
    waiting = book(controller, app_sandbox, 3600)
    page = open_page(qtbot, controller)
    look_up_number(qtbot, page)
    row = row_of(page, waiting.queue_id)
    action = cell_index(page, row, "Cancel")
    assert action.data(Qt.ItemDataRole.AccessibleTextRole) == f"Cancel call {waiting.queue_id}"
    tip = action.data(Qt.ItemDataRole.ToolTipRole)
    assert f"QueueID {waiting.queue_id} on account “{ACCOUNT}”" in tip
    assert action.data(Qt.ItemDataRole.AccessibleDescriptionRole) == tip
    cell = accessible_cell(page, row, "Cancel")
    assert cell.text(QAccessible.Text.Name) == f"Cancel call {waiting.queue_id}"


def test_the_status_cell_describes_the_status_code_for_assistive_technology(qtbot, controller, app_sandbox):
    waiting = book(controller, app_sandbox, 3600)
    page = open_page(qtbot, controller)
    page.mode.setCurrentIndex(page.mode.findData("queues"))
    page.query.setText(f"{waiting.queue_id}, 999")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(page.lookup_button, Qt.MouseButton.LeftButton)
    status = cell_index(page, row_of(page, waiting.queue_id), "Status")
    assert status.data() == "Scheduled - waiting for its time"
    assert status.data(Qt.ItemDataRole.AccessibleDescriptionRole) == "Code 0: Queued"
    cell = accessible_cell(page, row_of(page, waiting.queue_id), "Status")
    assert cell.text(QAccessible.Text.Description) == "Code 0: Queued"
    unknown = cell_index(page, row_of(page, 999), "Status")
    assert unknown.data() == "Not found"
    assert "Code 9: " in unknown.data(Qt.ItemDataRole.AccessibleDescriptionRole)
