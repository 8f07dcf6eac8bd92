"""Issue 23's Bulk cancel slips, from the user's side: a paste from a spreadsheet (finding 3, and
finding 9's entry numbers that must be the pasted line numbers), and a bulk run stopped or closed
before its end, whose unsent rows must survive a restart (finding 5). Real widgets, real workers,
real HTTP to the sandbox; the parser's rules without Qt at the end."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from desktop_app.bulk import parse_paste
from desktop_app.storage.unsent import FILE_NAME
from desktop_app.ui.models.history import describe_result
from desktop_app.ui.pages.bulk import BulkPage
from tests.conftest import KEY_A, KEY_B, close_controller, close_window, make_controller, make_window
from tests.test_pages_bulk_schedule import click_message_box

MAIN, BRANCH = "Main office", "Branch"
SPACE_REASON = "A reference ID may contain only letters, digits and - _ . : / #. It contains a space."
# Copied from a spreadsheet: a header row, a blank row, two reference IDs, one twice, one not valid.
SPREADSHEET = (
    "Reference\tPatient\tPhone\n"
    "appt-101\tAnn Smith\t757-555-0101\n"
    "\n"
    "appt-102\tBob Jones\t757-555-0102\n"
    "appt-101\tAnn Smith\t757-555-0101\n"
    "appt 103\tCarl Diaz\t757-555-0103\n"
)


@pytest.fixture
def controller(tmp_path, app_sandbox, memory_keyring):
    controller = make_controller(tmp_path, app_sandbox, memory_keyring, {MAIN: KEY_A, BRANCH: KEY_B})
    controller.accounts.refresh()
    yield controller
    close_controller(controller)


def bulk_page(qtbot, controller) -> BulkPage:
    page = BulkPage(controller)
    qtbot.addWidget(page)
    page.resize(860, 640)
    page.show()
    qtbot.waitExposed(page)
    return page


def paste(qtbot, page: BulkPage, text: str) -> None:
    """As the user does: copy, click into the list, Ctrl+V, then Check list."""
    QGuiApplication.clipboard().setText(text)
    page.paste.clear()
    page.paste.setFocus()
    qtbot.keyClick(page.paste, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert page.paste.toPlainText() == text.rstrip("\n") or page.paste.toPlainText() == text
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)


def rows(page: BulkPage) -> list[str]:
    model = page.model
    return [model.data(model.index(row, 1)) for row in range(model.rowCount())]


# -- finding 3 and 9: a spreadsheet paste --------------------------------------------------------


def test_a_spreadsheet_paste_takes_the_reference_column_and_says_the_header_was_skipped(qtbot, controller):
    page = bulk_page(qtbot, controller)
    paste(qtbot, page, SPREADSHEET)
    assert rows(page) == ["appt-101", "appt-102"]
    model = page.model  # the table's "#" is the pasted line too, as in the list of problems below
    assert [model.data(model.index(row, 0)) for row in range(model.rowCount())] == ["2", "4"]
    assert page.summary.text() == (
        "2 reference IDs ready, 1 duplicate removed, 1 not valid (listed below, not sent). "
        "Line 1 looks like a header (Reference) and was skipped."
    )
    # The entries are numbered by their pasted line (the blank line counts): the spreadsheet's rows.
    assert page.entry.problem_lines() == [
        "Entry 5, “appt-101”: The same as an entry above, which is sent; this one is not.",
        f"Entry 6, “appt 103”: {SPACE_REASON}",
    ]
    combo = page.entry.column
    assert page.entry.column_row.isVisible() and combo.currentText() == "Reference"
    assert [combo.itemText(i) for i in range(combo.count())] == ["Reference", "Patient", "Phone"]
    assert combo.toolTip() == "Pasted as a table (columns separated by tabs): the values are taken from this one"
    assert page.start_button.isEnabled()


def test_choosing_column_2_takes_that_column(qtbot, controller):
    page = bulk_page(qtbot, controller)
    paste(qtbot, page, "appt-201\told-201\nappt-202\told-202\n\nappt-203\told-203")  # no header
    assert rows(page) == ["appt-201", "appt-202", "appt-203"]  # the first column, by default
    combo = page.entry.column
    assert [combo.itemText(i) for i in range(combo.count())] == ["Column 1", "Column 2"]
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # the user picks "Column 2"
    assert combo.currentText() == "Column 2"
    assert rows(page) == ["old-201", "old-202", "old-203"]
    assert page.summary.text() == "3 reference IDs ready."
    # Checking the list again keeps the user's column.
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    assert rows(page) == ["old-201", "old-202", "old-203"] and combo.currentText() == "Column 2"


def test_one_pasted_column_with_a_header_does_not_send_the_header(qtbot, controller):
    page = bulk_page(qtbot, controller)
    paste(qtbot, page, "Reference\nappt-301\n\nbad id\nappt-302")
    assert rows(page) == ["appt-301", "appt-302"]
    assert page.summary.text().endswith("Line 1 looks like a header (Reference) and was skipped.")
    assert page.entry.problem_lines() == [f"Entry 4, “bad id”: {SPACE_REASON}"]
    assert not page.entry.column_row.isVisible()  # a plain list has no columns to choose


# -- finding 5: a stopped or closed run keeps its unsent rows ------------------------------------


def start_run(qtbot, page: BulkPage) -> None:
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    click_message_box(qtbot, page, "Cancel the calls")


def close_during_a_slow_run(qtbot, tmp_path, sandbox, keyring, values: list[str]) -> tuple[set[str], list[str]]:
    """A bulk run on a server that answers in 1.5 s, and the window closed ("Close now") once the
    first rows have answered: (the rows sent, the rows never sent, in list order)."""
    window = make_window(qtbot, tmp_path, sandbox, keyring, {MAIN: KEY_A})
    sandbox.faults.latency_seconds = 1.5
    page = window.show_page("bulk")
    paste(qtbot, page, "\n".join(values))
    start_run(qtbot, page)
    qtbot.waitUntil(lambda: page.progress.value() >= 4, timeout=10_000)  # the first four answered
    window.close()
    click_message_box(qtbot, window, "Close now")
    qtbot.waitUntil(lambda: not window.isVisible())
    close_window(window)  # waits for the requests in flight, as the app does before it exits
    sandbox.faults.latency_seconds = 0
    history = [r for r in window.controller.context.history.records() if r.action == "cancel_reference"]
    sent = {r.reference_id for r in history if "not_sent" not in r.inputs}
    assert 4 <= len(sent) < len(values) and sandbox.operations["CancelNotifyByReferenceID"] == len(sent)
    return sent, [value for value in values if value not in sent]


def history_details(qtbot, window, count: int) -> list[str]:
    page = window.show_page("history")
    qtbot.waitUntil(lambda: page.model.rowCount() == count, timeout=10_000)
    model = page.model
    return [model.data(model.index(r, model.column_of("Details"))) for r in range(model.rowCount())]


def test_closing_during_a_slow_run_offers_exactly_the_unsent_rows_after_a_restart(
    qtbot, tmp_path, app_sandbox, memory_keyring
):
    values = [f"slip-{i:02}" for i in range(20)]
    sent, unsent = close_during_a_slow_run(qtbot, tmp_path, app_sandbox, memory_keyring, values)
    # The next start, on the same profile; another account is the chosen one now.
    again = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {BRANCH: KEY_B, MAIN: KEY_A})
    try:
        # Said at once, on the page that opens (the Cancel page), not only on the Bulk page.
        qtbot.waitUntil(lambda: again.notice.isVisible(), timeout=10_000)
        assert again.notice.headline.text() == f"{len(unsent)} rows of an earlier bulk cancel were never sent"
        page = again.show_page("bulk")
        assert not again.notice.isVisible()  # the Bulk page offers them itself: not said twice
        offer = page.offer
        qtbot.waitUntil(offer.isVisible)
        assert offer.headline.isVisible() and not offer.reminder.isVisible()  # the page is empty: in full
        assert offer.headline.text() == f"{len(unsent)} reference IDs were never sent. Send them now?"
        assert offer.body.text().startswith(f"The window was closed during a bulk cancel on account “{MAIN}” (")
        buttons = (offer.send_button, offer.show_button, offer.discard_button)
        assert [b.text() for b in buttons] == ["Send…", "Show them", "Discard…"]
        qtbot.mouseClick(offer.show_button, Qt.MouseButton.LeftButton)
        assert rows(page) == unsent and page.paste.toPlainText() == "\n".join(unsent)
        assert not offer.isVisible()  # the table shows them now

        # History says which were not sent.
        (note,) = [text for text in history_details(qtbot, again, len(sent) + 1) if text.startswith("Not sent")]
        assert note.startswith(
            f"Not sent: the window was closed during a bulk cancel, before these {len(unsent)} reference IDs "
            f"were sent: {', '.join(unsent[:10])}"
        )
        (record,) = [r for r in again.controller.desk.history.records() if "not_sent" in r.inputs]
        assert record.inputs["not_sent"] == unsent and record.account == MAIN and record.outcome == "error"
        assert describe_result(record) == "Not sent"  # History's Result column, not "Failed"

        # Sending them asks first, and names the account they were meant for, not the chosen one.
        page = again.show_page("bulk")
        assert again.controller.accounts.current == BRANCH
        qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(visible_question(page)))
        question = f"Cancel the scheduled calls for {len(unsent)} reference IDs on account “{MAIN}”?"
        assert question in visible_question(page)
        with qtbot.waitSignal(page.run_finished, timeout=20_000) as finished:
            click_message_box(qtbot, page, "Cancel the calls")
        assert finished.args[0].done == len(unsent)
        assert app_sandbox.operations["CancelNotifyByReferenceID"] == len(values)  # each row sent once in all
        assert {r.account for r in again.controller.desk.history.records()[: len(unsent)]} == {MAIN}
        file = again.controller.context.profile.data_dir / FILE_NAME
        qtbot.waitUntil(lambda: not file.exists(), timeout=5_000)
        assert not page.offer.isVisible() and not again.notice.isVisible()
    finally:
        close_window(again)


def visible_question(page: BulkPage) -> str:
    return "\n".join(box.text() for box in page.findChildren(QMessageBox) if box.isVisible())


def test_a_stopped_list_replaced_by_another_is_offered_and_can_be_discarded(qtbot, controller, app_sandbox):
    app_sandbox.faults.latency_seconds = 0.05
    page = bulk_page(qtbot, controller)
    paste(qtbot, page, "\n".join(f"stop-{i}" for i in range(30)))
    page.concurrency.setValue(2)
    start_run(qtbot, page)
    qtbot.waitUntil(lambda: page.progress.value() >= 4, timeout=10_000)
    with qtbot.waitSignal(page.run_finished, timeout=10_000) as stopped:
        qtbot.mouseClick(page.stop_button, Qt.MouseButton.LeftButton)
    left = stopped.args[0].not_sent
    file = controller.context.profile.data_dir / FILE_NAME
    qtbot.waitUntil(file.exists, timeout=5_000)
    (batch,) = json.loads(file.read_text(encoding="utf-8"))["batches"]
    assert len(batch["values"]) == left and batch["why"] == "stopped" and batch["account"] == MAIN
    assert KEY_A not in file.read_text(encoding="utf-8")  # never a key
    assert not page.offer.isVisible()  # the table shows them, with "Send the rest"

    with qtbot.waitSignal(page.unsentWaiting, check_params_cb=lambda rows: rows == left, timeout=5_000):
        paste(qtbot, page, "other-1\nother-2")  # the user moves on to another list
    qtbot.waitUntil(page.offer.isVisible)
    # While the page works on another list, the offer takes one line; its tooltip says the rest.
    offer = page.offer
    assert offer.reminder.isVisible() and not offer.headline.isVisible()
    assert offer.reminder.text() == f"{left} reference IDs from an earlier bulk cancel were never sent."
    assert offer.toolTip().startswith(
        f"{left} reference IDs were never sent. Send them now?\nA bulk cancel on account “{MAIN}” was stopped ("
    )
    qtbot.mouseClick(page.offer.discard_button, Qt.MouseButton.LeftButton)
    assert "Their calls stay scheduled" in visible_question(page)
    with qtbot.waitSignal(page.unsentWaiting, check_params_cb=lambda rows: rows == 0, timeout=5_000):
        click_message_box(qtbot, page, "Discard them")
    qtbot.waitUntil(lambda: not file.exists(), timeout=5_000)
    assert not page.offer.isVisible() and rows(page) == ["other-1", "other-2"]


# -- the parser's rules (no Qt) ----------------------------------------------------------------------


def test_paste_rules():
    parsed = parse_paste(SPREADSHEET, "reference")
    assert parsed.values == ("appt-101", "appt-102")
    assert [(r.line, r.text) for r in parsed.duplicates] == [(5, "appt-101")]
    assert [(r.line, r.text) for r in parsed.invalid] == [(6, "appt 103")]
    assert parsed.header is not None and (parsed.header.line, parsed.header.text) == (1, "Reference")
    assert parsed.columns is not None and parsed.columns.separator == "tabs" and parsed.columns.chosen == 0
    phones = parse_paste(SPREADSHEET, "reference", column=2)
    assert phones.values == ("757-555-0101", "757-555-0102", "757-555-0103") and phones.header is not None
    assert [r.line for r in phones.duplicates] == [5]
    # A header names the column to use; another header word anywhere in the first row marks it.
    named = parse_paste("Name,Phone,Queue ID\nAnn,757-555-0101,4093250\nBob,757-555-0102,4093251", "queue")
    assert named.values == ("4093250", "4093251") and named.columns and named.columns.separator == "commas"
    # Words that are not a valid value while the rest of their column is: a header too.
    words = parse_paste("Patient\tBooking\tPhone number\nAnn\tappt-7\t757\nBob\tappt-8\t757", "reference", 1)
    assert words.values == ("appt-7", "appt-8") and words.header is not None
    # Valid IDs written two to a line stay a list: nothing in them is left out.
    assert parse_paste("4093250, 4093251\n4093252, 4093253", "queue").columns is None
    assert len(parse_paste("4093250, 4093251\n4093252, 4093253", "queue").values) == 4
    # A mistyped first value (it has digits) is reported as not valid, not skipped as a header.
    typo = parse_paste("40932S0\n4093251\n4093252", "queue")
    assert typo.header is None and [(r.line, r.text) for r in typo.invalid] == [(1, "40932S0")]
    # Reference IDs pasted in QueueID mode are not taken for a header.
    assert parse_paste("appt-1\nappt-2\nappt-3", "queue").header is None
    # Blank lines count in the entry numbers of a plain list too.
    assert [r.line for r in parse_paste("a-1\n\n\nbad id\na-1", "reference").invalid] == [4]


def test_the_bulk_question_says_which_reference_ids_this_desk_booked_and_which_differ_in_capitals(
    qtbot, controller, app_sandbox
):
    """Issue 23, finding 2, for bulk: before anything is sent, the question says how many of the
    listed reference IDs this desk booked, and names the ones it booked in other capitals."""
    from tests.test_bulk_findings import book

    book(controller, app_sandbox, "remind-1")
    book(controller, app_sandbox, "CASE-TEST")
    page = bulk_page(qtbot, controller)
    paste(qtbot, page, "remind-1\ncase-test\nnever-booked-here\n")
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(visible_question(page)))
    question = visible_question(page)
    assert "This desk booked calls under 1 of these 3; other desks or programs may have booked the others." in question
    assert (
        "1 differs only in capitals or spaces from reference IDs this desk booked: "
        "case-test (booked here as CASE-TEST)." in question
    )
    click_message_box(qtbot, page, "Not now")
    assert app_sandbox.operations["CancelNotifyByReferenceID"] == 0  # nothing sent before the answer
