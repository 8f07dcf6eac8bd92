"""The bulk list parser and runner, without Qt, against the sandbox over real HTTP."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.bulk import MAX_CONCURRENCY, BulkItem, BulkRun, csv_to_text, normalise, parse_list, totals
from desktop_app.service import InvalidInput, new_call_request
from tests.conftest import KEY_A


def test_parse_cleans_dedupes_and_keeps_every_rejected_line():
    text = " batch-1 \nbatch-2;batch-1,, \n\n has space ;" + "x" * 60 + ";batch-3\r\nbatch-2"
    parsed = parse_list(text, "reference")
    assert parsed.values == ["batch-1", "batch-2", "batch-3"]
    assert [(r.position, r.text) for r in parsed.duplicates] == [(3, "batch-1"), (7, "batch-2")]
    assert [(r.position, r.text[:9]) for r in parsed.invalid] == [(4, "has space"), (5, "xxxxxxxxx")]
    assert "contains a space" in parsed.invalid[0].reason and "at most 50" in parsed.invalid[1].reason
    assert parsed.summary == "3 reference IDs ready, 2 duplicates removed, 2 not valid (listed below, not sent)."


def test_parse_queue_ids():
    parsed = parse_list("4093250; 4093251\n0004093250\nabc\n-1", "queue")
    assert parsed.values == ["4093250", "4093251"]
    assert len(parsed.duplicates) == 1 and len(parsed.invalid) == 2


def test_csv_import_takes_the_named_column_or_the_first():
    with_header = "\ufeffname,Reference ID,phone\nAnn,appt-1,757\nBob,appt-2,757\n"
    assert csv_to_text(with_header, "reference") == "appt-1\nappt-2"
    assert csv_to_text("4093250,x\n4093251,y\n", "queue") == "4093250\n4093251"
    assert csv_to_text("", "queue") == ""


@given(st.text(max_size=300), st.sampled_from(["reference", "queue"]))
def test_parser_never_crashes_and_values_validate_to_themselves(text, kind):
    parsed = parse_list(text, kind)
    assert len(parsed.values) == len(set(parsed.values))
    for value in parsed.values:
        assert normalise(kind, value) == value
    total = len(parsed.values) + len(parsed.duplicates) + len(parsed.invalid)
    assert total == len([p for p in re.split(r"[\n\r,;]+", text) if p.strip()])


def _run(client, sandbox, values, concurrency, stop_after=None):
    """A run on a real thread pool (the app's executor hands its pool to BulkRun the same way)."""
    items = [BulkItem(i, v) for i, v in enumerate(values, start=1)]
    outcomes = []
    done = []

    def update(progress):
        if progress.item.finished:
            done.append(progress.item)
            if stop_after and len(done) == stop_after:
                run.stop()

    with ThreadPoolExecutor(max_workers=MAX_CONCURRENCY + 4) as pool:
        work = lambda v: client.cancel_by_reference_id(KEY_A, v).cancelled  # noqa: E731
        run = BulkRun(items, work, concurrency, pool, update, outcomes.append)
        run.start()
        assert run.wait(60)
    (outcome,) = outcomes
    assert outcome.totals == replace(totals(outcome.items), elapsed_seconds=outcome.totals.elapsed_seconds)
    return list(outcome.items)


def test_a_stopped_run_sends_no_row_that_was_still_waiting_for_a_thread():
    """Stop (or close the app) while rows wait in the pool's queue: they are never sent."""
    items = [BulkItem(i, f"r{i}") for i in range(1, 6)]
    release, sent, outcomes = threading.Event(), [], []

    def work(value: str) -> int:
        sent.append(value)
        release.wait(5)
        return 0

    with ThreadPoolExecutor(max_workers=1) as pool:  # one thread: the second row waits in the queue
        run = BulkRun(items, work, 2, pool, lambda _progress: None, outcomes.append)
        run.start()
        run.stop()
        release.set()
        assert run.wait(10)
    (outcome,) = outcomes
    assert sent == ["r1"]
    assert [item.state for item in outcome.items] == ["nothing", "not sent", "not sent", "not sent", "not sent"]
    assert outcome.stopped and outcome.totals.not_sent == 4


def test_concurrency_is_never_exceeded(client, sandbox):
    sandbox.faults.latency_seconds = 0.05
    items = _run(client, sandbox, [f"r{i}" for i in range(60)], concurrency=4)
    assert all(item.state == "nothing" for item in items)
    assert sandbox.max_in_flight == 4  # reached, never passed


def test_counts_and_stop_accounting(client, sandbox, clock):
    for i in range(6):
        client.schedule_call(
            KEY_A,
            new_call_request(
                phone_number="757-555-1230",
                text_to_say="x",
                scheduled=clock.now() + timedelta(hours=1),
                reference_id=f"ref-{i % 3}",
                now=clock.now(),
            ),
        )
    items = _run(client, sandbox, ["ref-0", "ref-1", "ref-2", "none"], concurrency=2)
    summary = totals(items)
    assert (summary.calls_cancelled, summary.cancelled_rows, summary.nothing_rows) == (6, 3, 1)
    assert "credited for the 6 cancelled calls" in summary.credit_notice

    sandbox.faults.latency_seconds = 0.05
    before = sandbox.operations["CancelNotifyByReferenceID"]
    items = _run(client, sandbox, [f"s{i}" for i in range(40)], concurrency=2, stop_after=6)
    summary = totals(items)
    sent = sandbox.operations["CancelNotifyByReferenceID"] - before
    assert summary.done == sent and 6 <= sent <= 8  # the two in flight at Stop finish
    assert summary.not_sent == 40 - sent
    assert not [item for item in items if item.state in ("sending", "waiting")]


def test_failures_are_kept_per_row(client, sandbox):
    sandbox.faults.inject("html500", times=2, operation="CancelNotifyByReferenceID")
    items = _run(client, sandbox, ["a", "b", "c", "d"], concurrency=1)
    assert [item.state for item in items] == ["failed", "failed", "nothing", "nothing"]
    assert "HTTP 500" in items[0].message


def test_concurrency_must_be_sensible():
    with pytest.raises(InvalidInput, match="1 to 16"):
        BulkRun([], lambda v: 0, 0, ThreadPoolExecutor(1), print, print)
