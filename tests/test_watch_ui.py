"""The watch page in the real window, against the sandbox on its manual clock."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from desktop_app.sandbox.accounts import normalise_key
from desktop_app.ui.widgets.notifier import install_watch_notifier
from tests.conftest import KEY_A, close_window, make_window
from tests.test_ui import click_message_box, schedule_via_ui

TEXT_SECONDS = 7  # "Your appointment is tomorrow at 10." talks for 5 + 35 // 12 seconds


def check(qtbot, window) -> None:
    watcher = window.controller.watcher
    qtbot.waitUntil(lambda: not watcher.running, timeout=10_000)
    with qtbot.waitSignal(watcher.roundFinished, timeout=10_000):
        watcher.poll_now()


def move_to(app_sandbox, moment) -> None:
    clock = app_sandbox.state.clock
    clock.advance((moment - clock.now()).total_seconds())


def test_a_call_is_followed_from_scheduled_to_answered_by_a_machine(qtbot, window, app_sandbox):
    notifier = install_watch_notifier(window, window.tabs, window.controller.watcher)
    page = window.page("watch")
    booked = schedule_via_ui(
        qtbot, window, "757-555-1237", "machine-1", app_sandbox.state.clock.now() + timedelta(minutes=15)
    )
    queue_id = booked.queue_id
    watcher = window.controller.watcher
    qtbot.waitUntil(lambda: page.status_text(queue_id) == "starts in 15 min" and not watcher.running, timeout=10_000)
    assert page.state.text() == "The next call starts in more than 10 minutes: checking once a minute."
    scheduled = app_sandbox.state.calls[queue_id].scheduled_utc

    seen = []
    for seconds in (1, 5, 13, 13 + TEXT_SECONDS + 1):
        move_to(app_sandbox, scheduled + timedelta(seconds=seconds))
        check(qtbot, window)
        seen.append(page.status_text(queue_id))
    assert seen == ["dialling", "ringing", "in call", "answered by a machine, 0:07"]

    # Told without stealing focus: no tray offscreen, so the status bar and a badge on the tab.
    assert window.current_page() is window.schedule_page
    message = window.statusBar().currentMessage()
    assert message == f"Call {queue_id} to 757-555-1237 ended: answered by a machine, 0:07"
    index = window.tabs.indexOf(page)
    assert window.tabs.tabText(index) == "Calls from this &desk (1)"
    window.tabs.setCurrentIndex(index)
    assert window.tabs.tabText(index) == "Calls from this &desk" and notifier.unseen == 0

    outcome = window.controller.context.history.records(1)[0]
    assert (outcome.action, outcome.queue_id, outcome.outcome) == ("outcome", queue_id, "ok")
    assert outcome.message == "Answered by a machine, 0:07" and outcome.reference_id == "machine-1"
    assert outcome.inputs["answered_by"] == "MACHINE" and outcome.inputs["duration_seconds"] == TEXT_SECONDS
    assert window.controller.watcher.next_delay is None  # nothing pending: no more polling
    assert "Nothing to follow" in page.state.text()


def test_cancel_a_row_by_queue_id_with_the_usual_question(qtbot, window, app_sandbox):
    page = window.page("watch")
    booked = schedule_via_ui(
        qtbot, window, "757-555-1230", "row-cancel", app_sandbox.state.clock.now() + timedelta(hours=2)
    )
    qtbot.waitUntil(lambda: page.status_text(booked.queue_id).startswith("starts"), timeout=10_000)
    window.tabs.setCurrentWidget(page)
    page.select(booked.queue_id)
    assert page.cancel_button.isEnabled() and page.cancel_reference_button.isEnabled()
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.cancelled, timeout=10_000):
        click_message_box(qtbot, page, "Cancel the call")
    assert page.result.headline.text() == f"Call {booked.queue_id} cancelled"
    qtbot.waitUntil(lambda: page.status_text(booked.queue_id) == "cancelled", timeout=10_000)
    page.select(booked.queue_id)
    assert not page.cancel_button.isEnabled()  # nothing left to cancel by QueueID


def test_the_watch_list_is_rebuilt_after_a_restart(qtbot, tmp_path, app_sandbox, memory_keyring):
    accounts = {"Main office": KEY_A}
    first = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, accounts)
    now = app_sandbox.state.clock.now()
    soon = schedule_via_ui(qtbot, first, "757-555-1237", "soon", now + timedelta(minutes=2))
    later = schedule_via_ui(qtbot, first, "757-555-1230", "later", now + timedelta(minutes=30))
    page = first.page("watch")
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10_000)
    move_to(app_sandbox, app_sandbox.state.calls[soon.queue_id].scheduled_utc + timedelta(seconds=30))
    check(qtbot, first)
    assert page.status_text(soon.queue_id) == "answered by a machine, 0:07"
    close_window(first)

    key = normalise_key(KEY_A)
    before = app_sandbox.status_requests[key]
    second = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, accounts)
    page = second.page("watch")
    qtbot.waitUntil(lambda: page.model.rowCount() == 2 and not second.controller.watcher.running, timeout=10_000)
    assert page.status_text(soon.queue_id) == "answered by a machine, 0:07"  # from the history
    assert page.status_text(later.queue_id) == "starts in 28 min"
    assert app_sandbox.status_requests[key] == before + 1  # one request, for the pending call only
    close_window(second)
