"""The watch list without Qt: the words, the endings, the polling schedule and the history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desktop_app.service import CallStatus
from desktop_app.storage.history import History
from desktop_app.watch import (
    FAST_SECONDS,
    MID_SECONDS,
    SLOW_SECONDS,
    Watched,
    apply_status,
    ending,
    from_history,
    next_delay,
)

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def status(code: int, complete: bool = False, **fields) -> CallStatus:
    values = dict(
        queue_id=7,
        response_code=code,
        response_text="",
        call_complete=complete,
        answered=False,
        try_count=0,
        demo=False,
        duration_seconds=0,
        start_utc=None,
        end_utc=None,
    )
    values.update(fields)
    return CallStatus(**values)


def call(minutes: float | None = 12, **fields) -> Watched:
    when = None if minutes is None else NOW + timedelta(minutes=minutes)
    return Watched(7, "Main office", "appt-1", "7575551237", when, next_try_seconds=180, **fields)


def test_live_words_follow_a_call_from_booked_to_answered():
    assert call(12).live_words(NOW) == "starts in 12 min"
    assert call(0.5).live_words(NOW) == "starts in under a minute"
    words = [apply_status(call(0), status(c), NOW).live_words(NOW) for c in (12, 18, 21)]
    assert words == ["dialling", "ringing", "in call"]
    machine = status(1, True, answered=True, duration_seconds=8, machine_detection="MACHINE", try_count=1)
    assert apply_status(call(0), machine, NOW).live_words(NOW) == "answered by a machine, 0:08"
    person = status(1, True, answered=True, duration_seconds=8, machine_detection="HUMAN", digits_pressed="1")
    assert apply_status(call(0), person, NOW).live_words(NOW) == "answered by a person, 0:08, pressed 1"


def test_endings_in_plain_words_and_their_history_shape():
    assert ending(status(21)) is None
    cases = {
        22: ("cancelled", "Cancelled", True),
        2: ("not_answered", "Not answered", False),
        8: ("busy", "Busy", False),
        44: ("failed", "Failed: number disconnected", False),
        43: ("failed", "Failed: number not in service", False),
    }
    for code, (final, message, ok) in cases.items():
        end = ending(status(code, True))
        assert (end.final, end.message, end.ok) == (final, message, ok)
    end = ending(status(1, True, answered=True, duration_seconds=68, machine_detection="MACHINE", try_count=1))
    assert end.message == "Answered by a machine, 1:08"
    assert end.inputs == {
        "final": "answered",
        "code": 1,
        "answered_by": "MACHINE",
        "duration_seconds": 68,
        "digits": "",
        "tries": 1,
        "ended_utc": "",
    }


def test_busy_between_tries_says_when_it_retries():
    first = apply_status(call(0), status(18, try_count=1), NOW)
    waiting = apply_status(first, status(8, try_count=1), NOW)
    assert waiting.retry_at == NOW + timedelta(seconds=180)
    local = waiting.retry_at.astimezone().strftime("%H:%M")
    assert waiting.live_words(NOW) == f"busy, will retry at {local}"
    assert next_delay([waiting], NOW) == MID_SECONDS  # the retry is 3 minutes away


def test_the_schedule_is_adaptive_and_stops_when_nothing_is_pending():
    assert next_delay([call(30)], NOW) == SLOW_SECONDS
    assert next_delay([call(10.5)], NOW) == 30  # lands on the 10-minute mark
    assert next_delay([call(5)], NOW) == MID_SECONDS
    assert next_delay([call(0.9)], NOW) == FAST_SECONDS
    assert next_delay([call(30), apply_status(call(-1), status(21), NOW)], NOW) == FAST_SECONDS
    ended = apply_status(call(0), status(22, True), NOW)
    assert next_delay([ended], NOW) is None
    assert next_delay([], NOW) is None
    assert next_delay([call(30, problem="not checked")], NOW) is None  # a locked key is never asked
    assert [next_delay([call(0)], NOW, errors) for errors in (1, 2, 3, 9)] == [10, 20, 40, 300]


def test_history_outcomes_and_the_watch_list_query(tmp_path):
    history = History(tmp_path / "history.sqlite3")
    now = datetime.now(UTC)
    for queue_id in (101, 102, 103):
        inputs = {"phone_number": "7575551237", "scheduled_utc": "2030-01-01T12:00:00.000Z", "next_try_seconds": 60}
        history.record(account="A", action="schedule", inputs=inputs, outcome="ok", queue_id=queue_id, reference_id="r")
    history.record(account="A", action="schedule", inputs={}, outcome="error", reference_id="not-booked")
    history.record_outcome(account="A", queue_id=102, outcome="ok", message="Answered by a machine, 0:08", inputs={})
    pairs = history.watch_list(now)
    assert [(b.queue_id, o.message if o else None) for b, o in pairs] == [
        (101, None),
        (102, "Answered by a machine, 0:08"),
        (103, None),
    ]
    rebuilt = from_history(*pairs[1])
    assert rebuilt.final and rebuilt.live_words(now) == "answered by a machine, 0:08"
    assert from_history(*pairs[0]).scheduled_utc == datetime(2030, 1, 1, 12, tzinfo=UTC)
    assert [b.queue_id for b, _ in history.watch_list(now + timedelta(hours=25))] == [101, 103]  # ended > 24 h ago
    latest = history.records(1)[0]
    assert (latest.action, latest.action_label, latest.queue_id) == ("outcome", "Call outcome", 102)
    history.close()


def test_only_the_nearest_call_sets_the_pace():
    calls = [call(9.75 + i * 2 / 3) for i in range(30)]  # one every 40 s, the first 9 min 45 s away
    assert next_delay(calls, NOW) == MID_SECONDS
    assert next_delay([call(10.5), call(45)], NOW) == 30
