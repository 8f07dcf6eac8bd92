"""The history journal as a table: one row per `storage.history.Record`, newest first by default.

Filtering is done before the rows reach the model: `HistoryIndex` keeps one lower-case search
text per record, built once (on a worker) when the records load, so a keystroke is a plain
substring scan over 10,000 strings instead of rebuilding each record's text. The index also
works out, once, what the journal says about each record beyond its own row (`RecordInfo`): the
phone number, a booking's latest known state, and the bulk run a row belongs to. The journal
itself is never changed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ...storage.history import Record
from .history_state import RecordInfo, record_infos
from .table import Column, RowsModel

__all__ = ["HistoryIndex", "HistoryModel", "RecordInfo", "plain_words", "search_key"]

OUTCOME_WORDS = {"ok": "Done", "error": "Failed", "unknown": "Outcome unknown"}
WHEN_TITLE = "When (local time)"
NUMBER_TITLE = "Number"
CODE_NOTE = re.compile(r"\s*\((?:HTTP(?: error)? \d{3}|(?:response )?code -?\d+)\)", re.IGNORECASE)
PHONE_LIKE = re.compile(r"[\d\s\-().+]*\d[\d\s\-().+]*")


def plain_words(message: str) -> str:
    """The message without its technical codes ("Queued (code 0)" -> "Queued"); the full text
    stays in the tooltip and the details view."""
    return CODE_NOTE.sub("", message).strip()


def search_key(text: str) -> str:
    """What a search box entry is matched with: lower-case; a phone number written with spaces,
    dashes, dots, brackets or +1 becomes its digits ("757-555-0123" -> "7575550123")."""
    text = text.strip().lower()
    if not PHONE_LIKE.fullmatch(text) or text.isdigit():
        return text
    digits = re.sub(r"\D", "", text)
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def describe_result(record: Record) -> str:
    if "not_sent" in record.inputs:  # the rows of a stopped or closed bulk run (storage/unsent.py)
        return "Not sent"
    if record.outcome != "ok" and record.action != "outcome":
        return OUTCOME_WORDS.get(record.outcome, record.outcome)
    if record.action == "cancel_reference":
        return f"{record.count} cancelled"
    if record.action == "cancel_queue":
        return "Cancelled" if record.count else "Not cancelled"
    if record.action == "outcome":
        return plain_words(record.message) or "Ended"
    return "Scheduled"


def search_text(record: Record, info: RecordInfo) -> str:
    """Everything a search may match, lower-cased once."""
    inputs = json.dumps(record.inputs, ensure_ascii=False, sort_keys=True)
    queue_id = "" if record.queue_id is None else str(record.queue_id)
    parts = (record.account, record.action_label, record.reference_id, queue_id, describe_result(record))
    extra = (info.number, info.digits, info.state, "bulk run " + info.bulk_run if info.bulk_run else "")
    return "\n".join((*parts, *extra, record.message, inputs)).lower()


@dataclass(frozen=True)
class HistoryIndex:
    """Records (newest first) with their search texts, in the same order, and what the journal
    says about each (`infos`, by record id). Immutable: built on a worker and handed to the GUI
    thread as is."""

    records: tuple[Record, ...] = ()
    texts: tuple[str, ...] = ()
    infos: dict[int, RecordInfo] = field(default_factory=dict)

    @classmethod
    def of(cls, records: list[Record] | tuple[Record, ...]) -> HistoryIndex:
        infos = record_infos(records)
        return cls(tuple(records), tuple(search_text(r, infos[r.id]) for r in records), infos)

    def matching(self, text: str = "", account: str = "", action: str = "") -> list[Record]:
        """`text` must already be a `search_key`. Each record costs one substring test, so the list
        follows each keystroke even with many records (docs/performance.md)."""
        pairs = zip(self.records, self.texts, strict=True)
        if account and action:
            return [r for r, t in pairs if r.account == account and r.action == action and text in t]
        if account:
            return [r for r, t in pairs if r.account == account and text in t]
        if action:
            return [r for r, t in pairs if r.action == action and text in t]
        if text:
            return [r for r, t in pairs if text in t]
        return list(self.records)

    def accounts(self) -> set[str]:
        return {r.account for r in self.records}

    def info(self, record: Record) -> RecordInfo:
        return self.infos.get(record.id) or RecordInfo()


def _queue_id_key(record: Record) -> int:
    return -1 if record.queue_id is None else record.queue_id


class HistoryModel(RowsModel[Record]):
    def __init__(self, parent: Any = None) -> None:
        self.index_data = HistoryIndex()
        info = self.info
        super().__init__(
            [
                Column[Record](
                    WHEN_TITLE,
                    lambda r: r.when_utc.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                    sort_key=lambda r: r.when_utc,
                ),
                Column[Record]("Account", lambda r: r.account, sort_key=lambda r: r.account.lower()),
                Column[Record](
                    "Action",
                    lambda r: r.action_label + (" (bulk)" if info(r).bulk_run else ""),
                    tooltip=lambda r: info(r).bulk_tip,
                ),
                # What happened comes right after what was done: at the default width the
                # columns after it may need a sideways scroll, this one must not.
                Column[Record](
                    "Result",
                    lambda r: info(r).state or describe_result(r),
                    tooltip=lambda r: info(r).state_tip,
                    failed=lambda r: r.outcome != "ok",
                ),
                Column[Record]("Reference ID", lambda r: r.reference_id, sort_key=lambda r: r.reference_id.lower()),
                Column[Record](
                    "QueueID", lambda r: "" if r.queue_id is None else str(r.queue_id), sort_key=_queue_id_key
                ),
                Column[Record](NUMBER_TITLE, lambda r: info(r).number, sort_key=lambda r: info(r).digits),
                Column[Record]("Details", lambda r: plain_words(r.message), tooltip=lambda r: r.message),
            ],
            parent,
        )

    def info(self, record: Record) -> RecordInfo:
        return self.index_data.info(record)

    def show(self, index: HistoryIndex, rows: list[Record]) -> None:
        self.index_data = index
        self.set_rows(rows)
