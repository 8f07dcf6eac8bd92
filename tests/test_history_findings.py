"""Issue #12's History findings, one test per finding: phone numbers found however written (and a
Number column), plain Details with the full text in a tooltip and a details view, and a booking's
latest known state worked out from the later rows of an append-only journal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from desktop_app.service import new_call_request
from desktop_app.storage.history import History
from desktop_app.ui.models.history import NUMBER_TITLE, HistoryIndex, search_key
from desktop_app.ui.models.history_state import CANCELLED_LATER, MAYBE_CANCELLED
from desktop_app.ui.pages.history import HistoryPage
from tests.conftest import KEY_A, make_controller

ACCOUNT = "Main office"
LONG = (
    "Your account is credited for the 3 cancelled calls. Calls already in progress or completed are not "
    "affected, and the credit shows on your next statement."
)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def controller(tmp_path, app_sandbox, memory_keyring) -> Iterator:
    controller = make_controller(tmp_path, app_sandbox, memory_keyring, {ACCOUNT: KEY_A})
    yield controller
    controller.shutdown()
    controller.executor.wait(10)
    controller.desk.close()
    controller.context.history.close()


def book(controller, sandbox, reference="r", number="757-555-0123", hours=1) -> int:
    now = sandbox.state.clock.now()
    call = new_call_request(
        phone_number=number, text_to_say="Hi", reference_id=reference, scheduled=now + timedelta(hours=hours), now=now
    )
    return controller.desk.schedule(ACCOUNT, call).queue_id


def open_page(qtbot, controller, rows: int) -> HistoryPage:
    page = HistoryPage(controller)
    qtbot.addWidget(page)
    page.resize(860, 600)
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == rows, timeout=10_000)
    return page


def shown(page: HistoryPage, title: str, role=Qt.ItemDataRole.DisplayRole) -> list:
    model = page.model
    return [model.data(model.index(r, model.column_of(title)), role) for r in range(model.rowCount())]


def test_search_finds_a_phone_number_however_it_is_written(qtbot, controller, app_sandbox):
    queue_id = book(controller, app_sandbox, number="757-555-0123")
    book(controller, app_sandbox, number="757-555-0188")
    controller.desk.cancel_call(ACCOUNT, queue_id)  # no number of its own: the booking's is shown
    page = open_page(qtbot, controller, 3)
    assert shown(page, NUMBER_TITLE) == ["757-555-0123", "757-555-0188", "757-555-0123"]
    for typed in ("757-555-0123", "(757) 555-0123", "+1 757 555 0123", "757.555.0123", "7575550123", "555-0123"):
        page.search.setText(typed)
        assert page.model.rowCount() == 2, typed  # the booking and the cancel of that call
    page.search.setText("757-555-01")
    assert page.model.rowCount() == 3
    assert search_key("ref-123") == "ref-123" and search_key("123") == "123"


def test_details_are_plain_words_with_the_full_text_in_a_tooltip_and_a_details_view(qtbot, controller):
    history = controller.desk.history
    history.record(account=ACCOUNT, action="cancel_reference", inputs={}, outcome="ok", count=3, message=LONG)
    history.record(account=ACCOUNT, action="schedule", inputs={}, outcome="ok", queue_id=7, message="Queued (code 0)")
    page = open_page(qtbot, controller, 2)
    assert shown(page, "Details") == ["Queued", LONG]
    assert shown(page, "Details", Qt.ItemDataRole.ToolTipRole) == ["Queued (code 0)", LONG]
    assert not page.details.isVisible()
    page.select_row(1)
    assert page.details.isVisible() and LONG in page.details.text
    assert "Result: 3 cancelled" in page.details.text
    page.select_row(0)
    assert "Details: Queued (code 0)" in page.details.text


def test_a_cancelled_booking_shows_its_latest_known_state(qtbot, controller, app_sandbox):
    queue_id = book(controller, app_sandbox, reference="late")
    page = open_page(qtbot, controller, 1)
    assert shown(page, "Result") == ["Scheduled"]
    controller.act(lambda desk: desk.cancel_call(ACCOUNT, queue_id), lambda _r: None, lambda _e: None)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10_000)
    assert shown(page, "Result") == ["Cancelled", CANCELLED_LATER]
    assert "Cancelled" in shown(page, "Result", Qt.ItemDataRole.ToolTipRole)[1]
    schedule = controller.desk.history.records()[-1]
    assert schedule.action == "schedule" and schedule.message != CANCELLED_LATER  # the journal is unchanged


def test_a_cancel_by_reference_id_marks_only_the_bookings_it_can_have_cancelled(controller):
    history: History = controller.desk.history
    due = {"waiting": T0 + timedelta(hours=2), "due": T0 + timedelta(minutes=5), "ended": T0 + timedelta(minutes=1)}
    for queue_id, (name, when) in enumerate(due.items(), start=1):
        inputs = {"phone_number": "7575550123", "scheduled_utc": when.isoformat().replace("+00:00", "Z")}
        history.record(
            account=ACCOUNT,
            action="schedule",
            inputs=inputs,
            outcome="ok",
            reference_id="grp",
            queue_id=queue_id,
            message=name,
            when=T0,
        )
    history.record(
        account=ACCOUNT,
        action="outcome",
        inputs={"final": "answered"},
        outcome="ok",
        queue_id=3,
        reference_id="grp",
        message="Answered by a person, 0:30",
        when=T0 + timedelta(minutes=3),
    )
    history.record(
        account="Other",
        action="cancel_reference",
        inputs={"reference_id": "grp"},
        outcome="ok",
        reference_id="grp",
        count=5,
        when=T0 + timedelta(minutes=9),
    )  # another account: not ours
    index = HistoryIndex.of(history.records())
    states = {r.message: index.info(r).state for r in index.records if r.action == "schedule"}
    assert states == {"waiting": "", "due": "", "ended": "Scheduled, then answered by a person, 0:30"}

    history.record(
        account=ACCOUNT,
        action="cancel_reference",
        inputs={"reference_id": "grp"},
        outcome="ok",
        reference_id="grp",
        count=1,
        when=T0 + timedelta(minutes=10),
    )
    index = HistoryIndex.of(history.records())
    states = {r.message: index.info(r).state for r in index.records if r.action == "schedule"}
    assert states == {
        "waiting": CANCELLED_LATER,  # still waiting when its reference ID was cancelled
        "due": MAYBE_CANCELLED,  # due before the cancel: it may have been placed already
        "ended": "Scheduled, then answered by a person, 0:30",  # its end was known: unchanged
    }
    tip = next(index.info(r).state_tip for r in index.records if r.message == "due")
    assert "may already have been placed" in tip


def test_a_later_outcome_record_for_the_same_queue_id_wins(controller):
    history: History = controller.desk.history
    history.record(
        account=ACCOUNT,
        action="schedule",
        inputs={"scheduled_utc": "2026-03-02T08:00:00Z"},
        outcome="ok",
        reference_id="w",
        queue_id=50,
        when=T0,
    )
    history.record(
        account=ACCOUNT,
        action="cancel_reference",
        inputs={"reference_id": "w"},
        outcome="ok",
        reference_id="w",
        count=1,
        when=T0 + timedelta(minutes=1),
    )
    index = HistoryIndex.of(history.records())
    assert index.info(index.records[-1]).state == MAYBE_CANCELLED

    def outcome_at(minute: int, final: str, ok: bool, message: str) -> HistoryIndex:
        history.record(
            account=ACCOUNT,
            action="outcome",
            inputs={"final": final},
            outcome="ok" if ok else "error",
            queue_id=50,
            reference_id="w",
            message=message,
            when=T0 + timedelta(minutes=minute),
        )
        return HistoryIndex.of(history.records())

    index = outcome_at(20, "busy", False, "Busy (3 tries)")
    assert index.info(index.records[-1]).state == "Scheduled, then busy (3 tries)"
    index = outcome_at(21, "cancelled", True, "Cancelled")
    assert index.info(index.records[-1]).state == CANCELLED_LATER
    assert index.records[0].action == "outcome" and index.info(index.records[0]).state == ""
