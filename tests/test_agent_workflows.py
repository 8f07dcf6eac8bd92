"""Support-agent workflows through the real widgets: find a customer's calls, cancel one, cancel many."""

from __future__ import annotations

import csv
import time
from datetime import timedelta

from PySide6.QtCore import Qt

from desktop_app.service import new_call_request
from tests.conftest import KEY_A
from tests.stall import StallMeter
from tests.support import cell
from tests.test_lookup_rows import click_action, has_action
from tests.test_ui import click_message_box


def book(window, sandbox, number="757-555-1230", ref="r", in_seconds=3600):
    call = new_call_request(
        phone_number=number,
        text_to_say="Reminder",
        reference_id=ref,
        scheduled=sandbox.state.clock.now() + timedelta(seconds=in_seconds),
        now=sandbox.state.clock.now(),
    )
    return window.controller.desk.client.schedule_call(KEY_A, call)


def look_up(qtbot, window, mode: str, query: str):
    page = window.lookup_page
    window.tabs.setCurrentWidget(page)
    page.mode.setCurrentIndex(page.mode.findData(mode))
    page.query.setText(query)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(page.lookup_button, Qt.MouseButton.LeftButton)
    return page


def cells(page, row):
    return [cell(page.table, row, c) for c in range(page.table.model().columnCount())]


def test_lookup_by_number_shows_mixed_states_and_cancels_only_a_scheduled_call(qtbot, window, app_sandbox):
    done = book(window, app_sandbox, in_seconds=1)
    running = book(window, app_sandbox, in_seconds=100)
    waiting = book(window, app_sandbox, in_seconds=3600)
    book(window, app_sandbox, number="757-555-9999")  # another number: not listed
    app_sandbox.state.clock.advance(105)
    page = look_up(qtbot, window, "number", "(757) 555-1230")
    assert page.table.model().rowCount() == 3
    rows = {int(cells(page, r)[0]): r for r in range(3)}
    assert cells(page, rows[waiting.queue_id])[1:3] == ["Scheduled - waiting for its time", "Cancel…"]
    assert cells(page, rows[running.queue_id])[1:3] == ["Ringing now", "—"]
    finished = cells(page, rows[done.queue_id])
    # Columns 3-4 are Scheduled and Reference ID (issue 23); then Started, Ended, Duration, Answered by, Keys.
    assert finished[1:3] == ["Answered", "—"] and finished[8:10] == ["Person", ""]
    assert finished[5] != "—" and finished[6] != "—" and finished[7].endswith(" s")
    assert cell(page.table, rows[waiting.queue_id], 1, Qt.ItemDataRole.ToolTipRole) == "Code 0: Queued"
    assert "cannot be cancelled" in cell(page.table, rows[running.queue_id], 2, Qt.ItemDataRole.ToolTipRole)
    assert not has_action(page, running.queue_id) and not has_action(page, done.queue_id)
    assert "Last updated" in page.fetched_label.text()

    click_action(qtbot, page, waiting.queue_id)
    with qtbot.waitSignal(page.cancelled, timeout=10_000):
        click_message_box(qtbot, page, "Cancel the call")
    assert page.result.headline.text() == f"Call {waiting.queue_id} cancelled"
    assert "credited" in page.result.body.text()
    row = next(r for r in range(3) if cells(page, r)[0] == str(waiting.queue_id))
    assert cells(page, row)[1:3] == ["Cancelled", "—"]
    assert not has_action(page, waiting.queue_id)
    assert window.controller.desk.history.records()[0].action == "cancel_queue"


def test_lookup_by_queue_ids_and_scheduled_time_from_history(qtbot, window, app_sandbox):
    booked = [book(window, app_sandbox, ref=f"q{i}") for i in range(3)]
    page = look_up(qtbot, window, "queues", ", ".join(str(b.queue_id) for b in booked))
    assert [cells(page, r)[0] for r in range(3)] == [str(b.queue_id) for b in booked]
    one = look_up(qtbot, window, "queue", str(booked[0].queue_id))
    assert one.table.model().rowCount() == 1
    # Refresh re-reads: after a cancel elsewhere the row says so.
    window.controller.desk.client.cancel_call(KEY_A, booked[0].queue_id)
    with qtbot.waitSignal(one.loaded, timeout=10_000):
        qtbot.mouseClick(one.refresh_button, Qt.MouseButton.LeftButton)
    assert cells(one, 0)[1] == "Cancelled"


def paste_and_check(qtbot, window, text: str, kind="reference"):
    page = window.bulk_page
    window.tabs.setCurrentWidget(page)
    (page.by_reference if kind == "reference" else page.by_queue).setChecked(True)
    page.paste.setPlainText(text)
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    return page


def run_bulk(qtbot, page, timeout=60_000):
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.run_finished, timeout=timeout) as finished:
        click_message_box(qtbot, page, "Cancel the calls")
    return finished.args[0]


def test_bulk_run_with_invalid_lines_and_duplicates(qtbot, window, app_sandbox):
    for i in range(4):
        book(window, app_sandbox, ref=f"appt-{i % 2}")
    page = paste_and_check(qtbot, window, "appt-0\nappt-1; appt-0\nbad id\nnothing-here\n" + "y" * 70)
    assert page.summary.text() == "3 reference IDs ready, 1 duplicate removed, 2 not valid (listed below, not sent)."
    problems = page.entry.problem_lines()
    assert any("“bad id”" in p and "space" in p for p in problems)
    assert any("The same as an entry above, which is sent; this one is not." in p for p in problems)
    assert page.table.model().rowCount() == 3
    summary = run_bulk(qtbot, page)
    assert (summary.calls_cancelled, summary.cancelled_rows, summary.nothing_rows, summary.failed_rows) == (4, 2, 1, 0)
    assert page.result.headline.text() == "4 calls cancelled across 2 reference IDs"
    assert page.result.body.text().startswith("1 reference ID had nothing to cancel. ")
    assert "credited for the 4 cancelled calls" in page.result.body.text()
    result = page.model.column_of("Result")
    assert [cell(page.table, r, result) for r in range(3)] == ["Cancelled", "Cancelled", "Nothing to cancel"]
    assert app_sandbox.operations["CancelNotifyByReferenceID"] == 3
    assert len([r for r in window.controller.desk.history.records() if r.action == "cancel_reference"]) == 3


def test_stop_halfway_accounts_exactly_for_what_was_sent(qtbot, window, app_sandbox):
    app_sandbox.faults.latency_seconds = 0.05
    page = paste_and_check(qtbot, window, "\n".join(f"stop-{i}" for i in range(60)))
    page.concurrency.setValue(3)
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    click_message_box(qtbot, page, "Cancel the calls")
    qtbot.waitUntil(lambda: page.progress.value() >= 9, timeout=10_000)
    with qtbot.waitSignal(page.run_finished, timeout=10_000) as finished:
        qtbot.mouseClick(page.stop_button, Qt.MouseButton.LeftButton)
    summary = finished.args[0]
    sent = app_sandbox.operations["CancelNotifyByReferenceID"]
    assert summary.done == sent and summary.not_sent == 60 - sent and sent < 60
    assert "not sent (stopped)" in page.result.body.text()
    states = [cell(page.table, r, page.model.column_of("Result")) for r in range(60)]
    assert states.count("Nothing to cancel") == sent and states.count("Not sent (stopped)") == 60 - sent
    # One record per row sent, and (issue 23, finding 5) one that says which rows were not sent.
    records = window.controller.desk.history.records()
    not_sent = [r for r in records if "not_sent" in r.inputs]
    assert len(records) == sent + 1 and len(not_sent) == 1 and len(not_sent[0].inputs["not_sent"]) == 60 - sent
    assert app_sandbox.max_in_flight <= 3


def test_failed_rows_can_be_retried_and_results_export_round_trips(qtbot, window, app_sandbox, tmp_path):
    book(window, app_sandbox, ref="keep-1")
    app_sandbox.faults.inject("html500", times=2, operation="CancelNotifyByReferenceID")
    page = paste_and_check(qtbot, window, "keep-1\nkeep-2\nkeep-3")
    page.concurrency.setValue(1)
    summary = run_bulk(qtbot, page)
    assert summary.failed_rows == 2 and page.retry_button.isVisible()
    assert page.result.kind == "error"
    with qtbot.waitSignal(page.run_finished, timeout=10_000) as finished:
        qtbot.mouseClick(page.retry_button, Qt.MouseButton.LeftButton)
    summary = finished.args[0]
    assert summary.failed_rows == 0 and summary.calls_cancelled == 1
    assert not page.retry_button.isVisible()
    assert app_sandbox.operations["CancelNotifyByReferenceID"] == 5  # 3, then the 2 failed once more

    exported = page.export(str(tmp_path / "results.csv"))
    with exported.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["reference_id"], r["result"], r["calls_cancelled"]) for r in rows] == [
        ("keep-1", "Cancelled", "1"),
        ("keep-2", "Nothing to cancel", "0"),
        ("keep-3", "Nothing to cancel", "0"),
    ]
    page.paste.clear()
    page.import_csv(str(exported))
    assert page.parsed.values == ("keep-1", "keep-2", "keep-3")  # immutable (issue 23)


def test_bulk_by_queue_id(qtbot, window, app_sandbox):
    booked = [book(window, app_sandbox, ref="x") for _ in range(2)]
    page = paste_and_check(qtbot, window, f"{booked[0].queue_id}\n{booked[1].queue_id}\n999", kind="queue")
    summary = run_bulk(qtbot, page)
    assert (summary.calls_cancelled, summary.nothing_rows) == (2, 1)
    assert app_sandbox.operations["CancelNotify"] == 3


def test_a_thousand_row_bulk_run_keeps_the_window_responsive(qtbot, window, app_sandbox):
    page = paste_and_check(qtbot, window, "\n".join(f"bulk-{i}" for i in range(1000)))
    page.concurrency.setValue(8)
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    with StallMeter() as meter:
        started = time.perf_counter()
        with qtbot.waitSignal(page.run_finished, timeout=120_000) as finished:
            click_message_box(qtbot, page, "Cancel the calls")
    assert finished.args[0].done == 1000
    seconds = time.perf_counter() - started
    print(f"1,000-row bulk cancel: {seconds:.1f} s, {meter.ticks} ticks, longest stall {meter.longest * 1000:.0f} ms")
    assert meter.longest < 0.5
