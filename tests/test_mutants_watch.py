"""The watch list's pacing, pinned down to exact seconds and exact retry times at every boundary
(written to kill the mutants mutmut left alive in desktop_app/watch.py; see docs/testing.md).
No Qt, no network: `next_delay` and `apply_status` are pure functions of the calls and the clock."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from desktop_app.service import CallStatus
from desktop_app.watch import (
    ERROR_SECONDS,
    FAST_SECONDS,
    MAX_BACKOFF_SECONDS,
    MID_SECONDS,
    SLOW_SECONDS,
    Watched,
    apply_status,
    next_delay,
)

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
RETRY_SECONDS = 180


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


def call_in(seconds: float | None, **fields) -> Watched:
    when = None if seconds is None else NOW + timedelta(seconds=seconds)
    return Watched(7, "Main office", "appt-1", "7575551237", when, next_try_seconds=RETRY_SECONDS, **fields)


# -- how often: the nearest call's time -------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds_away", "delay"),
    [
        (-30, FAST_SECONDS),  # due already
        (60, FAST_SECONDS),  # exactly a minute away: the fast pace starts
        (61, FAST_SECONDS),  # the next round would pass the 1-minute mark: never less than 5 s
        (70, 10.0),  # lands on the 1-minute mark
        (75, MID_SECONDS),
        (599, MID_SECONDS),
        (600, MID_SECONDS),  # exactly 10 minutes away: still the 15-second pace
        (601, FAST_SECONDS),  # lands on the 10-minute mark, but never sooner than 5 s
        (620, 20.0),  # lands on the 10-minute mark
        (660, SLOW_SECONDS),
        (3600, SLOW_SECONDS),
    ],
)
def test_the_pace_at_each_distance_from_the_nearest_call(seconds_away, delay):
    assert next_delay([call_in(seconds_away)], NOW) == delay


def test_a_pending_call_without_a_time_is_asked_about_once_a_minute():
    assert next_delay([call_in(None)], NOW) == SLOW_SECONDS


def test_a_retry_time_paces_the_call_instead_of_its_booked_time():
    waiting = call_in(-600, retry_at=NOW + timedelta(seconds=70))
    assert next_delay([waiting], NOW) == 10.0


def test_back_off_after_failed_rounds_doubles_from_10_seconds_up_to_5_minutes():
    far = call_in(3600)
    delays = [next_delay([far], NOW, errors) for errors in range(1, 8)]
    assert delays == [SLOW_SECONDS, SLOW_SECONDS, SLOW_SECONDS, 80.0, 160.0, MAX_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS]
    assert next_delay([call_in(0)], NOW, 1) == ERROR_SECONDS == 10.0
    assert next_delay([call_in(0)], NOW, 0) == FAST_SECONDS


# -- when: the next try's time, kept from status to status -------------------------------------------


def test_the_first_try_seen_without_an_earlier_status_sets_the_retry_time():
    after = apply_status(call_in(-60), status(0, try_count=1), NOW)
    assert after.retry_at == NOW + timedelta(seconds=RETRY_SECONDS)


def test_a_retry_time_known_before_any_status_is_replaced_when_a_first_try_is_reported():
    earlier = NOW - timedelta(minutes=30)
    after = apply_status(call_in(-60, retry_at=earlier), status(0, try_count=1), NOW)
    assert after.retry_at == NOW + timedelta(seconds=RETRY_SECONDS)


def test_the_same_try_reported_again_keeps_its_retry_time():
    first = apply_status(call_in(-60), status(8, try_count=1), NOW)
    later = NOW + timedelta(seconds=45)
    again = apply_status(first, status(8, try_count=1), later)
    assert again.retry_at == first.retry_at == NOW + timedelta(seconds=RETRY_SECONDS)


def test_a_new_try_moves_the_retry_time_on():
    first = apply_status(call_in(-60), status(8, try_count=1), NOW)
    later = NOW + timedelta(seconds=200)
    second = apply_status(first, status(2, try_count=2), later)
    assert second.retry_at == later + timedelta(seconds=RETRY_SECONDS)


def test_a_call_in_progress_has_no_retry_time():
    waiting = apply_status(call_in(-60), status(8, try_count=1), NOW)
    ringing = apply_status(waiting, status(18, try_count=2), NOW + timedelta(seconds=180))
    assert ringing.retry_at is None


def test_a_call_not_yet_tried_keeps_whatever_retry_time_it_had():
    known = NOW + timedelta(minutes=3)
    after = apply_status(call_in(-60, retry_at=known), status(0, try_count=0), NOW)
    assert after.retry_at == known


def test_a_status_clears_a_key_problem_and_is_kept():
    new = status(0)
    after = apply_status(call_in(60, problem="not checked"), new, NOW)
    assert after.problem == "" and after.status is new and after.pending


@pytest.mark.parametrize(
    ("code", "answered", "failed"),
    [(8, False, True), (2, False, True), (22, False, False), (1, True, False)],
)
def test_an_ending_is_recorded_and_ends_the_polling(code, answered, failed):
    end = status(code, True, answered=answered)
    before = call_in(-60, retry_at=NOW + timedelta(minutes=1), problem="not checked")
    after = apply_status(before, end, NOW)
    assert after.status is end
    assert after.failed is failed
    assert after.retry_at is None and after.problem == ""
    assert after.final and not after.pending
    assert next_delay([after], NOW) is None


# -- the words (outside the pacing, pinned down too) -------------------------------------------------


CAN_SET_ZONE = hasattr(time, "tzset")
POSIX_ONLY_ZONE = pytest.mark.skipif(
    not CAN_SET_ZONE, reason="changes the process's local time zone (TZ and time.tzset), which only POSIX can do"
)


@pytest.fixture
def new_york(monkeypatch):
    """The desk's local time zone is New York (UTC-5 in January), whatever the machine's is, where the
    process's zone can be changed (POSIX); on Windows the machine's own zone stays."""
    if not CAN_SET_ZONE:
        yield
        return
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("seconds_away", "words"),
    [
        (59, "starts in under a minute"),
        (60, "starts in 1 min"),
        (3540, "starts in 59 min"),
        # NOW is 07:00 in New York; 13:00 UTC is 08:00 there, the same day
        pytest.param(3600, "starts at 08:00", marks=POSIX_ONLY_ZONE),
        # the next day in UTC, still 1 January in New York
        pytest.param(12 * 3600 + 1800, "starts at 19:30", marks=POSIX_ONLY_ZONE),
        # 05:01 UTC is a minute past midnight in New York
        pytest.param(17 * 3600 + 60, "starts on 02 Jan at 00:01", marks=POSIX_ONLY_ZONE),
    ],
)
def test_starts_in_says_minutes_then_the_local_clock_then_the_local_day(new_york, seconds_away, words):
    assert call_in(seconds_away).live_words(NOW) == words


def test_a_call_due_now_without_a_status_is_waiting_for_the_first_check():
    assert call_in(0).live_words(NOW) == "waiting for the first check"
    assert call_in(None).live_words(NOW) == "waiting for the first check"
    assert apply_status(call_in(0), status(0), NOW).live_words(NOW) == "about to be dialled"


@pytest.mark.parametrize(
    ("code", "words"),
    [(8, "busy"), (2, "not answered"), (0, "no answer yet"), (46, "no answer yet")],
)
def test_between_tries_the_words_say_what_happened_and_when_it_retries(new_york, code, words):
    waiting = call_in(-60, status=status(code, try_count=1), retry_at=NOW + timedelta(minutes=3))
    local = f"{(NOW + timedelta(minutes=3)).astimezone():%H:%M}"  # 12:03 UTC in this process's zone
    assert waiting.live_words(NOW) == f"{words}, will retry at {local}"
    if CAN_SET_ZONE:  # the zone was set: New York, not UTC
        assert local == "07:03"


def test_a_call_in_progress_says_its_live_state_even_with_an_old_retry_time():
    ringing = call_in(-60, status=status(18, try_count=1), retry_at=NOW + timedelta(minutes=3))
    assert ringing.live_words(NOW) == "ringing"
    assert call_in(-60, status=status(18, try_count=1)).live_words(NOW) == "ringing"


def test_other_states_use_the_plain_status_words_in_lower_case():
    assert call_in(-60, status=status(40)).live_words(NOW) == "speech engine busy, will try again"
    assert call_in(-60, status=status(41)).live_words(NOW) == "not placed: conference start"
    assert call_in(-60, status=status(99, response_text="Odd State")).live_words(NOW) == "not placed: odd state"


def _ended(code: int, **fields):
    from desktop_app.watch import ending

    return ending(status(code, True, **fields))


def test_an_answer_without_machine_detection_names_nobody():
    end = _ended(1, answered=True, duration_seconds=120)
    assert (end.final, end.message, end.ok) == ("answered", "Answered, 2:00", True)
    assert end.inputs["answered_by"] == ""


def test_a_transferred_call_counts_as_answered_even_without_the_answered_flag():
    end = _ended(24, duration_seconds=5)
    assert (end.final, end.message, end.ok) == ("answered", "Answered, 0:05", True)


def test_an_unknown_machine_detection_value_is_shown_in_lower_case():
    assert _ended(1, answered=True, duration_seconds=3, machine_detection="Beep").message == "Answered by beep, 0:03"


def test_a_failure_with_an_unlisted_code_uses_the_service_text_without_not_placed():
    assert _ended(99, response_text="Odd failure").message == "Failed: Odd failure"
    assert _ended(99).message == "Failed: Unknown status (code 99)"
    assert _ended(3).message == "Failed: Invalid Phone Number"


def test_the_number_of_tries_is_added_only_to_a_call_that_reached_nobody_after_several_tries():
    assert _ended(8, try_count=1).message == "Busy"
    assert _ended(8, try_count=2).message == "Busy (2 tries)"
    assert _ended(1, answered=True, try_count=3).message == "Answered, 0:00"


def test_the_ending_time_is_recorded_in_utc(new_york):
    from datetime import timezone

    ended = datetime(2030, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert _ended(22, end_utc=ended).inputs["ended_utc"] == "2030-01-01T12:00:00+00:00"


# -- rebuilt from the history ---------------------------------------------------------------------


def _booking(**inputs):
    from desktop_app.storage.history import Record

    return Record(1, NOW, "me", "A", "schedule", inputs, "ok", "ref-1", 4093250)


def _outcome(outcome: str):
    from desktop_app.storage.history import Record

    return Record(2, NOW, "me", "A", "outcome", {}, outcome, "ref-1", 4093250, message="Busy")


def test_a_call_rebuilt_from_its_booking_keeps_number_schedule_and_retry_interval():
    from desktop_app.watch import from_history

    rebuilt = from_history(
        _booking(phone_number="7575551237", scheduled_utc="2030-01-01T12:00:00.000Z", next_try_seconds=60), None
    )
    assert (rebuilt.queue_id, rebuilt.account, rebuilt.reference_id) == (4093250, "A", "ref-1")
    assert (rebuilt.phone_number, rebuilt.scheduled_utc, rebuilt.next_try_seconds) == ("7575551237", NOW, 60)
    assert (rebuilt.outcome, rebuilt.failed) == ("", False)


def test_a_booking_without_details_rebuilds_with_empty_values():
    from desktop_app.watch import from_history

    rebuilt = from_history(_booking(), None)
    assert (rebuilt.phone_number, rebuilt.scheduled_utc, rebuilt.next_try_seconds) == ("", None, 0)


def test_a_rebuilt_call_has_failed_only_when_its_outcome_record_is_an_error():
    from desktop_app.watch import from_history

    assert from_history(_booking(), _outcome("error")).failed is True
    assert from_history(_booking(), _outcome("ok")).failed is False
    assert from_history(_booking(), _outcome("ok")).outcome == "Busy"


# -- one account's round ----------------------------------------------------------------------------


class FakeHistory:
    def __init__(self, fail: bool = False) -> None:
        self.recorded: list[dict] = []
        self.fail = fail

    def record_outcome(self, **fields) -> None:
        from desktop_app.storage.history import HistoryError

        if self.fail:
            raise HistoryError("The history file is full.")
        self.recorded.append(fields)


class FakeDesk:
    def __init__(self, answer, history: FakeHistory | None = None) -> None:
        self.answer = answer
        self.history = history or FakeHistory()
        self.asked: list[tuple[str, list[int]]] = []

    def watch_statuses(self, account, queue_ids):
        self.asked.append((account, queue_ids))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_a_round_records_each_call_that_has_just_ended_with_its_details():
    from desktop_app.watch import poll_account

    calls = [call_in(-60), Watched(8, "Main office", "appt-2", "7575551238", NOW, next_try_seconds=RETRY_SECONDS)]
    busy = status(8, True, try_count=1)
    answered = status(1, True, queue_id=8, answered=True, duration_seconds=8)
    desk = FakeDesk([busy, answered])
    result = poll_account(desk, "Main office", calls, NOW)
    assert desk.asked == [("Main office", [7, 8])]
    assert result.account == "Main office" and result.history_problem == "" and result.error == ""
    assert [c.outcome for c in result.calls] == ["Busy", "Answered, 0:08"]
    assert result.ended == result.calls
    assert desk.history.recorded == [
        dict(
            account="Main office",
            queue_id=7,
            outcome="error",
            message="Busy",
            inputs=_ended(8, try_count=1).inputs,
            reference_id="appt-1",
        ),
        dict(
            account="Main office",
            queue_id=8,
            outcome="ok",
            message="Answered, 0:08",
            inputs=_ended(1, queue_id=8, answered=True, duration_seconds=8).inputs,
            reference_id="appt-2",
        ),
    ]


def test_a_round_leaves_a_call_missing_from_the_answer_unchanged_and_does_not_record_it_twice():
    from desktop_app.watch import poll_account

    ended_before = apply_status(call_in(-60), status(22, True), NOW)
    missing = Watched(9, "Main office", "appt-3", "7575551239", NOW)
    desk = FakeDesk([status(22, True)])
    result = poll_account(desk, "Main office", [ended_before, missing], NOW)
    assert result.calls == (ended_before, missing) and result.ended == ()
    assert desk.history.recorded == []


def test_a_round_keeps_the_retry_time_of_a_call_waiting_for_its_next_try():
    from desktop_app.watch import poll_account

    result = poll_account(FakeDesk([status(8, try_count=1)]), "Main office", [call_in(-60)], NOW)
    assert result.calls[0].retry_at == NOW + timedelta(seconds=RETRY_SECONDS) and result.ended == ()


def test_a_round_whose_history_cannot_be_written_says_so_and_still_reports_the_ending():
    from desktop_app.watch import poll_account

    desk = FakeDesk([status(2, True)], FakeHistory(fail=True))
    result = poll_account(desk, "Main office", [call_in(-60)], NOW)
    assert result.history_problem == "The history file is full."
    assert [c.outcome for c in result.ended] == ["Not answered"]


def test_a_failed_request_keeps_the_calls_and_says_why_in_plain_words():
    from desktop_app.service import CannotReachServer
    from desktop_app.watch import poll_account

    calls = [call_in(-60)]
    result = poll_account(FakeDesk(CannotReachServer("No network.")), "Branch", calls, NOW)
    assert (result.account, result.calls, result.ended, result.error) == ("Branch", tuple(calls), (), "No network.")


def test_a_programming_error_during_a_round_is_not_hidden():
    from desktop_app.watch import poll_account

    with pytest.raises(ZeroDivisionError):
        poll_account(FakeDesk(ZeroDivisionError("bug")), "Branch", [call_in(-60)], NOW)


def test_a_locked_key_marks_every_call_as_not_checked():
    from desktop_app.storage.secrets import KeyStoreError
    from desktop_app.watch import KEY_PROBLEM, poll_account

    result = poll_account(FakeDesk(KeyStoreError("The keyring is locked.")), "Branch", [call_in(-60)], NOW)
    assert result.key_problem == "The keyring is locked."
    assert [c.problem for c in result.calls] == [KEY_PROBLEM]


# -- after the training data is reset -----------------------------------------------------------------


class ResetHistory(FakeHistory):
    def __init__(self, pairs) -> None:
        super().__init__()
        self.pairs = pairs
        self.asked_at: list[datetime] = []

    def watch_list(self, now):
        self.asked_at.append(now)
        return self.pairs


def test_a_training_reset_closes_every_followed_call_that_has_not_ended_and_counts_them():
    from desktop_app.storage.history import Record
    from desktop_app.watch import TRAINING_RESET, forget_after_training_reset

    def booking(queue_id, account="A", reference="r"):
        return Record(queue_id, NOW, "me", account, "schedule", {}, "ok", reference, queue_id)

    ended = Record(9, NOW, "me", "A", "outcome", {}, "ok", "r", 3, message="Busy")
    history = ResetHistory(
        [
            (booking(1, "Main office", "appt-1"), None),
            (booking(None), None),
            (booking(3), ended),
            (booking(4, "B", "x"), None),
        ]
    )
    assert forget_after_training_reset(history, NOW) == 2
    assert history.asked_at == [NOW]
    assert history.recorded == [
        dict(
            account="Main office",
            queue_id=1,
            outcome="ok",
            message=TRAINING_RESET,
            inputs={"final": "deleted"},
            reference_id="appt-1",
        ),
        dict(
            account="B", queue_id=4, outcome="ok", message=TRAINING_RESET, inputs={"final": "deleted"}, reference_id="x"
        ),
    ]
    assert TRAINING_RESET == "Deleted when the training data was reset"


def test_a_training_reset_with_nothing_followed_closes_nothing():
    from desktop_app.watch import forget_after_training_reset

    history = ResetHistory([])
    assert forget_after_training_reset(history, NOW) == 0 and history.recorded == []
