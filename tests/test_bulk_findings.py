"""Issue #12's Bulk cancel findings and issue #13's "All accounts", one test per finding, on a
bare controller with two accounts (real widgets, real workers, real HTTP to the sandbox)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QLabel, QSpinBox

from desktop_app.service import new_call_request
from desktop_app.ui.models.bulk import ACCOUNT_TITLE, VALUE_TITLES
from desktop_app.ui.pages.bulk import BulkPage
from desktop_app.ui.pages.bulk_words import SWITCH_HINT
from desktop_app.ui.pages.history import HistoryPage
from tests.conftest import KEY_A, KEY_B, make_controller
from tests.test_pages_bulk_schedule import click_message_box

MAIN, BRANCH = "Main office", "Branch"


@pytest.fixture
def controller(tmp_path, app_sandbox, memory_keyring) -> Iterator:
    controller = make_controller(tmp_path, app_sandbox, memory_keyring, {MAIN: KEY_A, BRANCH: KEY_B})
    controller.accounts.refresh()
    yield controller
    controller.shutdown()
    controller.executor.wait(10)
    controller.desk.close()
    controller.context.history.close()


def book(controller, sandbox, reference: str, account: str = MAIN) -> int:
    now = sandbox.state.clock.now()
    call = new_call_request(
        phone_number="757-555-0123",
        text_to_say="Hi",
        reference_id=reference,
        scheduled=now + timedelta(hours=1),
        now=now,
    )
    return controller.desk.schedule(account, call).queue_id


def page_with(qtbot, controller, text: str = "", kind: str = "reference", size=(820, 600)) -> BulkPage:
    page = BulkPage(controller)
    qtbot.addWidget(page)
    page.resize(*size)
    page.show()
    qtbot.waitExposed(page)
    (page.by_reference if kind == "reference" else page.by_queue).setChecked(True)
    if text:
        page.paste.setPlainText(text)
        qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    return page


def run(qtbot, page: BulkPage):
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.run_finished, timeout=30_000) as finished:
        click_message_box(qtbot, page, "Cancel the calls")
    return finished.args[0]


def texts(page: BulkPage, title: str) -> list[str]:
    model = page.model
    return [model.data(model.index(r, model.column_of(title))) for r in range(model.rowCount())]


def test_cancelled_counts_calls_and_rows_are_named_by_what_they_are(qtbot, controller, app_sandbox):
    for reference in ("a-1", "a-2", "a-3"):
        book(controller, app_sandbox, reference)
        book(controller, app_sandbox, reference)
    page = page_with(qtbot, controller, "a-1\na-2\na-3\nnone-1\nnone-2\nnone-3")
    run(qtbot, page)
    assert page.result.headline.text() == "6 calls cancelled across 3 reference IDs"
    assert page.result.body.text() == (
        "3 reference IDs had nothing to cancel. Your account is credited for the 6 cancelled calls."
    )
    assert "3 cancelled" not in page.result.body.text()


def test_problem_list_is_titled_and_sits_below_the_summary(qtbot, controller):
    page = page_with(qtbot, controller, "ok-1\nbad id\nok-1")
    assert "listed below" in page.summary.text()
    title, problems = page.entry.problems_title, page.problems
    assert title.isVisible() and title.text() == "Not sent (2 entries):"
    summary_bottom = page.summary.mapTo(page, page.summary.rect().bottomLeft()).y()
    title_top = title.mapTo(page, title.rect().topLeft()).y()
    assert summary_bottom <= title_top < problems.mapTo(page, problems.rect().topLeft()).y()
    assert page.entry.problem_lines() == [
        "Entry 2, “bad id”: A reference ID may contain only letters, digits and - _ . : / #. It contains a space.",
        "Entry 3, “ok-1”: The same as an entry above, which is sent; this one is not.",
    ]
    page.paste.setPlainText("all-good")
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    assert not title.isVisible() and not problems.isVisible()


def test_long_problem_reasons_wrap(qtbot, controller):
    page = page_with(qtbot, controller, "x" * 70, size=(640, 420))
    problems = page.problems
    assert problems.horizontalScrollBar().maximum() == 0  # nothing runs off to the right
    block = problems.document().firstBlock()
    assert block.layout().lineCount() > 1  # wrapped onto more lines, all of it shown
    last = block.layout().lineAt(block.layout().lineCount() - 1)
    assert block.text()[last.textStart() :].endswith(".")  # the reason's end is on screen


def test_reference_ids_pasted_as_queue_ids_offer_to_switch(qtbot, controller, app_sandbox):
    page = page_with(qtbot, controller, "appt-1\nappt-2\nappt-3", kind="queue")
    assert page.entry.hint_row.isVisible() and page.entry.hint.text() == SWITCH_HINT
    assert page.model.rowCount() == 0 and not page.start_button.isEnabled()
    qtbot.mouseClick(page.entry.switch_button, Qt.MouseButton.LeftButton)
    assert page.by_reference.isChecked() and page.model.rowCount() == 3
    assert not page.entry.hint_row.isVisible()
    mixed = page_with(qtbot, controller, "4093249\n4093250\nappt-1", kind="queue")  # mostly QueueIDs: no hint
    assert not mixed.entry.hint_row.isVisible()


def test_empty_page_says_nothing_was_sent_and_no_header_is_clipped(qtbot, controller):
    page = page_with(qtbot, controller)
    assert page.progress.text() == "Nothing sent yet" and not page.start_button.isEnabled()
    header = page.table.horizontalHeader()
    for kind in ("reference", "queue"):
        (page.by_reference if kind == "reference" else page.by_queue).setChecked(True)
        titles = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())]
        assert titles[1] == VALUE_TITLES[kind]
        for column, title in enumerate(titles[:-1]):
            if not page.table.isColumnHidden(column):
                assert header.sectionSize(column) >= header.fontMetrics().horizontalAdvance(title), title
    page.paste.setPlainText("1\n2\n3")
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    assert page.progress.text() == "0 of 3 done"


def test_cancel_all_waits_for_something_to_send_and_stop_offers_send_the_rest(qtbot, controller, app_sandbox):
    app_sandbox.faults.latency_seconds = 0.05
    page = page_with(qtbot, controller, "\n".join(f"rest-{i}" for i in range(40)))
    page.concurrency.setValue(2)
    assert page.start_button.isEnabled()
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    click_message_box(qtbot, page, "Cancel the calls")
    qtbot.waitUntil(lambda: page.progress.value() >= 4, timeout=10_000)
    with qtbot.waitSignal(page.run_finished, timeout=10_000) as stopped:
        qtbot.mouseClick(page.stop_button, Qt.MouseButton.LeftButton)
    left = stopped.args[0].not_sent
    assert left > 0 and f"{left} not sent (stopped)" in page.result.body.text()
    assert page.send_rest_button.isVisible() and page.start_button.isEnabled()
    with qtbot.waitSignal(page.run_finished, timeout=20_000) as finished:
        qtbot.mouseClick(page.send_rest_button, Qt.MouseButton.LeftButton)
    assert finished.args[0].done == 40 and finished.args[0].not_sent == 0
    assert app_sandbox.operations["CancelNotifyByReferenceID"] == 40  # nothing was sent twice
    assert not page.send_rest_button.isVisible()
    assert not page.start_button.isEnabled()  # no "Cancel … for 0 reference IDs?"
    page.ask_start()
    assert not [w for w in page.findChildren(QLabel) if "for 0" in w.text()]


def test_concurrency_is_said_in_plain_words(qtbot, controller):
    page = page_with(qtbot, controller)
    words = [label.text() for label in page.findChildren(QLabel)]
    assert "S&end" in words and "at a time (more is faster)" in words
    assert not any("Requests" in text for text in words)
    spin = page.findChild(QSpinBox)
    assert spin is page.concurrency and "faster" in spin.toolTip() and spin.accessibleName()


def test_every_control_of_the_page_has_a_tooltip(qtbot, controller):
    page = page_with(qtbot, controller)
    controls = [*page.findChildren(QAbstractButton), *page.findChildren(QSpinBox), page.paste, page.problems]
    ours = [w for w in controls if w.parent() is not page.table]  # not the table's corner button
    assert [w.accessibleName() or w.text() for w in ours if not w.toolTip()] == []
    assert page.findChild(QCheckBox) is page.all_accounts


def test_history_marks_bulk_rows_as_part_of_a_bulk_run(qtbot, controller, app_sandbox):
    book(controller, app_sandbox, "hist-bulk")
    controller.desk.cancel_by_reference_id(MAIN, "by-hand")  # not part of a run
    page = page_with(qtbot, controller, "hist-bulk\nhist-none")
    run(qtbot, page)
    records = controller.desk.history.records()
    runs = {r.reference_id: r.inputs.get("bulk_run") for r in records if r.action == "cancel_reference"}
    assert runs["hist-bulk"] and runs["hist-bulk"] == runs["hist-none"] and runs["by-hand"] is None
    history = HistoryPage(controller)
    qtbot.addWidget(history)
    qtbot.waitUntil(lambda: history.model.rowCount() == 4, timeout=10_000)
    model, action = history.model, history.model.column_of("Action")
    shown = {model.row(r).reference_id: model.index(r, action) for r in range(4) if model.row(r).action != "schedule"}
    assert model.data(shown["hist-bulk"]) == "Cancel by reference ID (bulk)"
    assert model.data(shown["by-hand"]) == "Cancel by reference ID"
    tip = model.data(shown["hist-none"], Qt.ItemDataRole.ToolTipRole)
    assert tip == f"Part of a bulk cancel (run {runs['hist-bulk']}: 2 rows in this history)."


def test_the_table_gets_the_room_at_the_minimum_size(qtbot, controller, app_sandbox):
    # The page's share of a 640 x 480 window (the tabs, account bar and status bar take the rest).
    page = page_with(qtbot, controller, "\n".join(f"room-{i}" for i in range(20)) + "\nbad id", size=(620, 330))
    rows = page.table.verticalHeader().defaultSectionSize()
    assert page.table.viewport().height() >= 3 * rows  # checked, with the problem list open
    run(qtbot, page)
    assert page.result.isVisible() and page.entry.edit_button.isVisible() and not page.paste.isVisible()
    assert page.table.viewport().height() >= 4 * rows  # the result shown: the list folds to one line
    assert page.summary.text() == "20 reference IDs ready, 1 not valid (not sent: see Show the list)."
    qtbot.mouseClick(page.entry.edit_button, Qt.MouseButton.LeftButton)
    assert page.paste.isVisible() and page.summary.text().endswith("(listed below, not sent).")


def test_failed_rows_say_plain_words_with_the_technical_text_in_the_tooltip(qtbot, controller, app_sandbox):
    app_sandbox.faults.inject("html500", times=1, operation="CancelNotifyByReferenceID")
    page = page_with(qtbot, controller, "tech-1")
    run(qtbot, page)
    message = page.items[0].message
    assert "HTTP 500" in message
    details = page.model.index(0, page.model.column_of("Details"))
    assert "HTTP" not in page.model.data(details) and page.model.data(details)
    assert page.model.data(details, Qt.ItemDataRole.ToolTipRole) == message
    assert "HTTP" not in page.result.headline.text() + page.result.body.text()


def test_all_accounts_cancels_each_queue_id_with_its_owner(qtbot, controller, app_sandbox):
    mine, theirs = book(controller, app_sandbox, "own-a"), book(controller, app_sandbox, "own-b", BRANCH)
    page = page_with(qtbot, controller, kind="queue")
    assert page.table.isColumnHidden(page.model.column_of(ACCOUNT_TITLE))
    page.all_accounts.setChecked(True)
    assert not page.table.isColumnHidden(page.model.column_of(ACCOUNT_TITLE))
    page.paste.setPlainText(f"{theirs}\n{mine}\n999999")
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    summary = run(qtbot, page)

    assert (summary.calls_cancelled, summary.not_found_rows, summary.failed_rows) == (2, 1, 0)
    assert texts(page, ACCOUNT_TITLE) == [BRANCH, MAIN, ""]
    assert texts(page, "Result") == ["Cancelled", "Cancelled", "Not found in any account"]
    assert page.result.headline.text() == "2 calls cancelled across 2 QueueIDs"
    assert page.result.body.text().startswith("1 QueueID not found in any account. ")
    assert app_sandbox.state.calls[mine].cancelled_utc and app_sandbox.state.calls[theirs].cancelled_utc
    assert app_sandbox.operations["CancelNotify"] == 2  # the unknown one was never sent
    recorded = {r.queue_id: r.account for r in controller.desk.history.records() if r.action == "cancel_queue"}
    assert recorded == {mine: MAIN, theirs: BRANCH}


def test_all_accounts_never_says_not_found_when_an_account_could_not_be_asked(
    qtbot, controller, app_sandbox, memory_keyring
):
    theirs = book(controller, app_sandbox, "own-b", BRANCH)
    controller.keys.delete(BRANCH)  # Branch's key is gone: its calls cannot be looked up
    page = page_with(qtbot, controller, kind="queue")
    page.all_accounts.setChecked(True)
    page.paste.setPlainText(f"{theirs}\n999999")
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    summary = run(qtbot, page)
    assert (summary.failed_rows, summary.not_found_rows, summary.calls_cancelled) == (2, 0, 0)
    assert all(BRANCH in item.message for item in page.items)
    assert app_sandbox.operations["CancelNotify"] == 0 and page.retry_button.isVisible()
