"""The Bulk cancel and Schedule pages on a bare controller (no main window): a call booked through
the form, a lost answer settled, and bulk runs that stay within their concurrency, stop halfway,
retry their failed rows and export a spreadsheet-safe CSV. The bulk page never reads a key."""

from __future__ import annotations

import csv
import inspect
import threading
from dataclasses import replace
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop_app.service import new_call_request
from desktop_app.ui.models.bulk import VALUE_TITLES
from desktop_app.ui.models.table import failed_colour, plain_tip
from desktop_app.ui.pages import bulk as bulk_module
from desktop_app.ui.pages.bulk import BulkPage
from desktop_app.ui.pages.schedule import SchedulePage

ACCOUNT = "Main office"
NUMBER = "757-555-1230"


def show(qtbot, page):
    qtbot.addWidget(page)
    page.resize(820, 600)  # the page's share of the default window
    page.show()
    qtbot.waitExposed(page)
    return page


def click_message_box(qtbot, parent, button_text: str) -> None:
    def visible() -> list[QMessageBox]:
        return [b for b in parent.findChildren(QMessageBox) if b.isVisible()]

    qtbot.waitUntil(lambda: bool(visible()))
    boxes = visible()
    button = next(b for b in boxes[-1].buttons() if b.text() == button_text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def book(controller, sandbox, reference: str) -> int:
    now = sandbox.state.clock.now()
    call = new_call_request(
        phone_number=NUMBER, text_to_say="Reminder", reference_id=reference, scheduled=now + timedelta(hours=1), now=now
    )
    return controller.desk.schedule(ACCOUNT, call).queue_id  # plain Python: fine from the test thread


def cell(page: BulkPage, row: int, title: str, role: int = Qt.ItemDataRole.DisplayRole):
    model = page.model
    return model.data(model.index(row, model.column_of(title)), role)


def column(page: BulkPage, title: str) -> list[str]:
    return [cell(page, row, title) for row in range(page.model.rowCount())]


# -- Schedule ----------------------------------------------------------------------------------------


def test_schedule_page_books_a_call_and_offers_to_cancel_it(qtbot, controller, app_sandbox):
    controller.voices = ((1, "Diane (US English)"), (7, "Seven"))  # the service's list came first
    page = show(qtbot, SchedulePage(controller))
    assert page.voice.count() == 2
    page.phone.setText(NUMBER)
    page.text.setPlainText("Your appointment is tomorrow at 10.")
    page.reference.setText("ui-booked")
    page.tries.setValue(2)
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.result.isVisible() and not page.in_flight, timeout=10_000)

    assert page.result.kind == "success" and page.last is not None
    queue_id = page.last.queue_id
    assert page.result.headline.text() == f"Booked — QueueID {queue_id}"
    assert "Reference ID: ui-booked" in page.result.body.text()
    stored = app_sandbox.state.calls[queue_id]
    assert (stored.reference_id, stored.phone_number) == ("ui-booked", "7575551230")
    assert page.reference.text() == "ui-booked"  # the booked one stays in view until "Schedule another"
    assert [r.action for r in controller.desk.history.records()] == ["schedule"]
    for label in (page.utc_label, page.time_note, page.result.headline, page.result.body):
        assert label.textFormat() == Qt.TextFormat.PlainText

    with qtbot.waitSignal(controller.cancelCallRequested) as asked:
        qtbot.mouseClick(page.cancel_this, Qt.MouseButton.LeftButton)
    assert asked.args == [queue_id]
    controller.voicesLoaded.emit(((1, "Diane"), (2, "Two"), (3, "Three")))
    assert page.voice.count() == 3


def test_schedule_page_settles_a_lost_answer_by_looking_it_up(qtbot, controller, app_sandbox):
    page = show(qtbot, SchedulePage(controller))
    app_sandbox.faults.inject("malformed_xml", operation="NotifyPhoneAdvanced")  # booked, answer lost
    page.phone.setText(NUMBER)
    page.text.setPlainText("Hello")
    with qtbot.waitSignal(page.failed, timeout=10_000):
        qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    assert page.result.kind == "warning" and page.check_booked.isVisible() and page.unknown is not None
    with qtbot.waitSignal(page.checked, timeout=10_000) as checked:
        qtbot.mouseClick(page.check_booked, Qt.MouseButton.LeftButton)
    found = checked.args[0]
    assert found is not None and found.queue_id in app_sandbox.state.calls
    assert page.result.headline.text() == f"It was booked — QueueID {found.queue_id}"
    assert page.unknown is None and not page.check_booked.isVisible() and not page.in_flight


def test_schedule_form_errors_stay_inline_and_nothing_is_sent(qtbot, controller, app_sandbox):
    page = show(qtbot, SchedulePage(controller))
    page.phone.setText("555-12")
    page.text.setPlainText("Hello")
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    assert page.errors["phone_number"].isVisible() and "10 digits" in page.errors["phone_number"].text()
    page.phone.setText(NUMBER)
    page.when.setDateTime(page.when.dateTime().addDays(-2))
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    assert "in the past" in page.errors["scheduled_time"].text()
    assert not page.errors["phone_number"].isVisible()
    assert app_sandbox.operations["NotifyPhoneAdvanced"] == 0 and not page.in_flight


# -- Bulk cancel -------------------------------------------------------------------------------------


def paste_and_check(qtbot, controller, text: str) -> BulkPage:
    page = show(qtbot, BulkPage(controller))
    page.paste.setPlainText(text)
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    return page


def run_bulk(qtbot, page: BulkPage, timeout: int = 30_000):
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.run_finished, timeout=timeout) as finished:
        click_message_box(qtbot, page, "Cancel the calls")
    return finished.args[0]


def test_bulk_run_of_30_reference_ids_at_4_at_a_time(qtbot, controller, app_sandbox, monkeypatch):
    references = [f"r-{i:02d}" for i in range(30)]
    for i, reference in enumerate(references):
        for _ in range(i % 3):  # 0, 1 or 2 calls for each reference ID
            book(controller, app_sandbox, reference)
    reads: list[bool] = []  # whether each key read happened on the GUI thread
    read_key = controller.keys.get
    monkeypatch.setattr(
        controller.keys,
        "get",
        lambda name: reads.append(threading.current_thread() is threading.main_thread()) or read_key(name),
    )
    app_sandbox.faults.latency_seconds = 0.02  # long enough for the requests to overlap
    app_sandbox.max_in_flight = 0

    page = paste_and_check(qtbot, controller, "\n".join(references))
    assert page.summary.text() == "30 reference IDs ready." and page.model.rowCount() == 30
    header = page.table.horizontalHeader()
    value_column = page.model.column_of(VALUE_TITLES["reference"])
    assert header.sectionSize(value_column) >= header.fontMetrics().horizontalAdvance(VALUE_TITLES["reference"])
    page.concurrency.setValue(4)
    repainted: list[tuple[int, int]] = []
    page.model.dataChanged.connect(lambda top, bottom, _roles: repainted.append((top.row(), bottom.row())))

    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.run_finished, timeout=30_000) as finished:
        click_message_box(qtbot, page, "Cancel the calls")
        assert page.is_running() and controller.bulk_running
    summary = finished.args[0]

    assert (summary.total, summary.done, summary.not_sent, summary.failed_rows) == (30, 30, 0, 0)
    assert (summary.cancelled_rows, summary.nothing_rows, summary.calls_cancelled) == (20, 10, 30)
    assert page.progress.value() == page.progress.maximum() == 30
    assert column(page, "Result") == ["Nothing to cancel" if i % 3 == 0 else "Cancelled" for i in range(30)]
    assert column(page, "Calls cancelled") == [str(i % 3) for i in range(30)]
    assert [item.value for item in page.items] == references and all(item.finished for item in page.items)
    assert page.result.headline.text() == "30 calls cancelled across 20 reference IDs"
    assert page.result.body.text().startswith("10 reference IDs had nothing to cancel. ")
    assert 1 < app_sandbox.max_in_flight <= 4
    assert app_sandbox.operations["CancelNotifyByReferenceID"] == 30
    assert len([r for r in controller.desk.history.records() if r.action == "cancel_reference"]) == 30
    assert not page.is_running() and not controller.bulk_running
    assert not page.start_button.isEnabled()  # nothing is left to send
    # Progress arrives in batches (at most one every 50 ms), each repainted as one span, then the
    # outcome repaints everything once: far fewer repaints than the 60 changes the run reported.
    assert repainted[-1] == (0, 29) and 2 <= len(repainted) < 60
    assert reads and not any(reads)  # the key was read on a worker, never on the GUI thread


def test_stop_halfway_leaves_the_rest_not_sent(qtbot, controller, app_sandbox):
    app_sandbox.faults.latency_seconds = 0.05
    page = paste_and_check(qtbot, controller, "\n".join(f"stop-{i}" for i in range(60)))
    page.concurrency.setValue(3)
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    click_message_box(qtbot, page, "Cancel the calls")
    qtbot.waitUntil(lambda: page.progress.value() >= 9, timeout=10_000)
    assert "s left" in page.eta.text()
    with qtbot.waitSignal(page.run_finished, timeout=10_000) as finished:
        qtbot.mouseClick(page.stop_button, Qt.MouseButton.LeftButton)
    summary = finished.args[0]
    sent = app_sandbox.operations["CancelNotifyByReferenceID"]
    assert summary.done == sent and summary.not_sent == 60 - sent and sent < 60
    states = column(page, "Result")
    assert states.count("Nothing to cancel") == sent and states.count("Not sent (stopped)") == 60 - sent
    assert states[-1] == "Not sent (stopped)" and page.eta.text() == ""
    assert "not sent (stopped)" in page.result.body.text()
    # One record per row sent, and (issue 23, finding 5) one that says which rows were not sent.
    records = controller.desk.history.records()
    not_sent = [r for r in records if "not_sent" in r.inputs]
    assert len(records) == sent + 1 and len(not_sent) == 1
    sent_ids = {r.reference_id for r in records if r not in not_sent}
    assert not_sent[0].inputs["not_sent"] == [f"stop-{i}" for i in range(60) if f"stop-{i}" not in sent_ids]
    assert app_sandbox.max_in_flight <= 3
    # Starting again sends only what was not sent.
    assert run_bulk(qtbot, page).done == 60
    assert app_sandbox.operations["CancelNotifyByReferenceID"] == 60


def test_failed_rows_retry_and_the_export_is_spreadsheet_safe(qtbot, controller, app_sandbox, tmp_path):
    book(controller, app_sandbox, "keep-1")
    app_sandbox.faults.inject("html500", times=2, operation="CancelNotifyByReferenceID")
    page = paste_and_check(qtbot, controller, "keep-1\nkeep-2\n-lead")
    page.concurrency.setValue(1)
    summary = run_bulk(qtbot, page)
    assert summary.failed_rows == 2 and page.retry_button.isVisible() and page.result.kind == "error"
    assert column(page, "Result") == ["Failed", "Failed", "Nothing to cancel"]
    assert column(page, "Calls cancelled") == ["", "", "0"]
    message = page.items[0].message
    assert message and cell(page, 0, "Details", Qt.ItemDataRole.ToolTipRole) == plain_tip(message)
    assert cell(page, 0, "Result", Qt.ItemDataRole.ForegroundRole) == failed_colour()
    assert cell(page, 2, "Result", Qt.ItemDataRole.ForegroundRole) is None

    with qtbot.waitSignal(page.run_finished, timeout=10_000) as finished:
        qtbot.mouseClick(page.retry_button, Qt.MouseButton.LeftButton)
    summary = finished.args[0]  # the whole list, not only the two rows retried
    assert (summary.total, summary.failed_rows, summary.calls_cancelled) == (3, 0, 1)
    assert not page.retry_button.isVisible()
    assert page.result.headline.text() == "1 call cancelled across 1 reference ID"
    assert app_sandbox.operations["CancelNotifyByReferenceID"] == 5  # 3, then the 2 failed once more

    hostile = replace(page.items[1], message='=HYPERLINK("http://evil.example","x")')  # text from a server
    page.model.show_item(hostile)
    exported = page.export(str(tmp_path / "results.csv"))
    assert exported is not None
    raw = exported.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in raw and "'-lead" in raw
    with exported.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["reference_id"], r["result"], r["calls_cancelled"]) for r in rows] == [
        ("keep-1", "Cancelled", "1"),
        ("keep-2", "Nothing to cancel", "0"),
        ("'-lead", "Nothing to cancel", "0"),
    ]
    page.paste.clear()
    page.import_csv(str(exported))
    assert page.parsed is not None and page.parsed.values == ("keep-1", "keep-2", "-lead")  # immutable (issue 23)
    assert column(page, "Result") == ["Waiting"] * 3


def test_the_bulk_page_never_reads_a_key():
    source = inspect.getsource(bulk_module)
    for forbidden in ("keys.get(", "key_runner", "key=key", ".keys", "main_window"):
        assert forbidden not in source, forbidden
