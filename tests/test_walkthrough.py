"""A new user's walk through the real window, at the 640x480 minimum and at the default size:
first run with no accounts, add an account, schedule, cancel by reference ID, look up, bulk with
mixed input, and search the history by a formatted number. At each step the result is on screen
(in the viewport, not scrolled away) and says what happened; a second identical booking asks first;
and no label on any page is cut off.

With the slips people make (issue 23): a second account added does not become the working one;
the second click of a double click on Schedule call lands on the same button and wipes nothing; a
reference ID typed in other capitals cancels nothing and offers the one this desk booked; and a
paste from a spreadsheet (tabs, a header row) takes the right column and says the header was
skipped."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractScrollArea, QDialogButtonBox, QLabel, QMessageBox, QWidget

from desktop_app.ui.dialogs.key_entry import KeyEntryDialog
from tests.conftest import KEY_A, KEY_B, close_window, make_window
from tests.test_ui import click_message_box

SIZES = [(640, 480), (860, 680)]
NUMBER = "757-555-1230"


def on_screen(widget: QWidget) -> bool:
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def clipped_labels(page: QWidget) -> list[str]:
    """Visible labels whose text does not fit: narrower than their one-line text, or shorter than
    their wrapped text needs. Labels inside a scroll area's viewport may extend beyond it (the user
    scrolls to them), so only their own size counts, not what the viewport shows."""
    problems = []
    for label in page.findChildren(QLabel):
        if not label.isVisibleTo(page) or not label.text().strip() or isinstance(label.parent(), QAbstractScrollArea):
            continue
        if label.wordWrap():
            if label.height() + 1 < label.heightForWidth(label.width()):
                problems.append(
                    f"{label.text()[:40]!r}: {label.height()} px high, needs {label.heightForWidth(label.width())}"
                )
        elif label.width() + 1 < label.minimumSizeHint().width() and label.minimumSizeHint().width() > 0:
            problems.append(f"{label.text()[:40]!r}: {label.width()} px wide, needs {label.minimumSizeHint().width()}")
    return problems


def first_run_then_add_an_account(qtbot, window) -> None:
    """1. First run: what the app is for, and the one thing to do first. 2. Add an account from the
    welcome panel."""
    assert on_screen(window.welcome) and on_screen(window.welcome.add_button)
    assert "Add your first account" in window.welcome.add_button.text()

    qtbot.mouseClick(window.welcome.add_button, Qt.MouseButton.LeftButton)
    entry = window.findChild(KeyEntryDialog)
    qtbot.keyClicks(entry.name, "Main office")
    qtbot.keyClicks(entry.key, KEY_A)
    qtbot.mouseClick(entry.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.controller.accounts.current == "Main office")
    for dialog in window.findChildren(QWidget):
        if dialog.isWindow() and dialog is not window and dialog.isVisible():
            dialog.close()
    assert not window.welcome.isVisible()


def add_a_second_account(qtbot, window) -> None:
    """2b. A second account: added, and said so, but the working account stays Main office."""
    dialog = window.open_accounts()
    dialog.add_account()
    entry = window.findChild(KeyEntryDialog)
    qtbot.keyClicks(entry.name, "Clinic North")
    qtbot.keyClicks(entry.key, KEY_B)
    qtbot.mouseClick(entry.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Clinic North" in window.controller.accounts.names())
    qtbot.waitUntil(lambda: "still the working account" in dialog.message.body.text())
    assert window.controller.accounts.current == "Main office"
    dialog.close()


def schedule_a_test_call(qtbot, window, app_sandbox) -> int:
    """3. Schedule a test call: the answer is where the eye is, and booking it again asks first.
    Returns its QueueID."""
    page = window.show_page("schedule")
    page.phone.setText(NUMBER)
    page.text.setPlainText("Your appointment is tomorrow at 10.")
    page.reference.setText("walk-1")
    button = page.schedule_button
    where = button.mapTo(window, button.rect().center())
    with qtbot.waitSignal(page.scheduled, timeout=10_000) as booked:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    queue_id = booked.args[0].queue_id
    assert on_screen(page.result.headline) and page.result.headline.text() == f"Booked — QueueID {queue_id}"
    assert "walk-1" in page.result.body.text()
    assert window.childAt(where) is button  # the second click of a double click lands here again
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    question = next(b for b in page.findChildren(QMessageBox) if b.isVisible())
    assert question.text().startswith("You booked this call") and f"(QueueID {queue_id})" in question.text()
    click_message_box(qtbot, page, "No")
    assert app_sandbox.operations["NotifyPhoneAdvanced"] == 1
    return queue_id


def cancel_by_reference_id(qtbot, window) -> None:
    """4. Cancel by reference ID, typed in other capitals first: nothing is cancelled, and the one
    this desk booked is offered and cancelled after the usual question."""
    page = window.show_page("cancel")
    page.reference.setText("WALK-1")
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(b.isVisible() for b in page.findChildren(QMessageBox)))
    click_message_box(qtbot, page, "Cancel the calls")
    qtbot.waitUntil(page.offer_text.isVisible, timeout=10_000)
    assert page.result.headline.text() == "No calls were cancelled"
    assert on_screen(page.offer_text) and page.offer_text.text().startswith("Did you mean walk-1, booked today")
    assert on_screen(page.offer_buttons[0])
    qtbot.mouseClick(page.offer_buttons[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(b.isVisible() for b in page.findChildren(QMessageBox)))
    click_message_box(qtbot, page, "Cancel the calls")
    qtbot.waitUntil(lambda: page.result.headline.text() == "1 call cancelled", timeout=10_000)
    assert on_screen(page.result.headline) and page.result.headline.text() == "1 call cancelled"
    assert "credited for the 1 cancelled call" in page.result.body.text()


def look_up_the_number(qtbot, window, queue_id: int) -> None:
    """5. Look the number up, typed the way a customer says it."""
    page = window.show_page("lookup")
    page.mode.setCurrentIndex(page.mode.findData("number"))
    page.query.setText("(757) 555-1230")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(page.lookup_button, Qt.MouseButton.LeftButton)
    assert on_screen(page.table) and page.table.model().rowCount() == 1
    assert on_screen(page.fetched_label) and "1 call" in page.fetched_label.text()
    assert page.statuses[0].queue_id == queue_id and page.statuses[0].response_code == 22  # cancelled


def bulk_cancel_mixed_input(qtbot, window) -> None:
    """6. Bulk cancel with a paste from a spreadsheet: a header row, two columns, a duplicate and
    a line that is not a reference ID (entry numbers are the pasted lines)."""
    page = window.show_page("bulk")
    page.paste.setPlainText("Reference\tCustomer\nwalk-1\tAda\nwalk-1\tAda\nnot valid!\tBob\nother-ref\tCy")
    page.check()
    summary = page.summary.text()
    assert "2 reference IDs ready" in summary and "duplicate" in summary
    assert "Line 1 looks like a header (Reference) and was skipped" in summary
    with qtbot.waitSignal(page.run_finished, timeout=15_000) as finished:
        qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
        click_message_box(qtbot, page, "Cancel the calls")
    assert finished.args[0].done == 2
    assert on_screen(page.result.headline) and page.result.headline.text()


def shown_records(page) -> list:
    return [page.model.row(row) for row in range(page.table.model().rowCount())]


def search_the_history(qtbot, window, queue_id: int) -> None:
    """7. History: search by the number as it is usually written. Only the booked call's rows stay:
    the reference-ID cancels (which name no number) are filtered out."""
    page = window.show_page("history")
    qtbot.waitUntil(lambda: len(page.records) >= 4, timeout=10_000)
    everything = shown_records(page)
    assert {"walk-1", "other-ref"} <= {record.reference_id for record in everything}
    assert any(record.action == "cancel_reference" for record in everything)

    page.search.setText("757-555-1230")
    shown = shown_records(page)
    assert any(record.action == "schedule" and record.queue_id == queue_id for record in shown)
    assert all(record.queue_id == queue_id for record in shown), [(r.action, r.reference_id) for r in shown]
    assert not [record for record in shown if record.action == "cancel_reference"]
    assert len(shown) < len(everything)
    assert on_screen(page.table) and on_screen(page.count_label)

    page.search.setText("other-ref")  # another row only
    assert [record.reference_id for record in shown_records(page)] == ["other-ref"]
    page.search.setText("757-555-9999")  # a number no record has
    assert shown_records(page) == []
    page.search.setText("757-555-1230")


@pytest.mark.parametrize("size", SIZES, ids=["640x480", "860x680"])
def test_a_new_users_walk_through_every_page(qtbot, tmp_path, app_sandbox, memory_keyring, size):
    window = make_window(qtbot, tmp_path, app_sandbox, memory_keyring)
    window.resize(*size)
    qtbot.waitUntil(lambda: window.controller.store is not None and window.width() == size[0])
    clipped: dict[str, list[str]] = {}

    first_run_then_add_an_account(qtbot, window)
    add_a_second_account(qtbot, window)
    queue_id = schedule_a_test_call(qtbot, window, app_sandbox)
    clipped["schedule"] = clipped_labels(window.page("schedule"))
    cancel_by_reference_id(qtbot, window)
    clipped["cancel"] = clipped_labels(window.page("cancel"))
    look_up_the_number(qtbot, window, queue_id)
    clipped["lookup"] = clipped_labels(window.page("lookup"))
    bulk_cancel_mixed_input(qtbot, window)
    clipped["bulk"] = clipped_labels(window.page("bulk"))
    search_the_history(qtbot, window, queue_id)
    clipped["history"] = clipped_labels(window.page("history"))

    clipped["watch"] = clipped_labels(window.show_page("watch"))
    assert {key: value for key, value in clipped.items() if value} == {}
    close_window(window)


def test_the_clipping_check_sees_a_cut_off_label(qtbot):
    page = QWidget()
    qtbot.addWidget(page)
    narrow = QLabel("A sentence far too long for forty pixels", page)
    narrow.setGeometry(0, 0, 40, 20)
    wrapped = QLabel("Several words that wrap onto more lines than ten pixels can hold", page)
    wrapped.setWordWrap(True)
    wrapped.setGeometry(0, 30, 120, 10)
    page.show()
    assert len(clipped_labels(page)) == 2
