"""The History page's details view: everything about the selected record, in full and in plain
words (the table cuts long text short; this never does)."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QPlainTextEdit, QWidget

from ...storage.history import Record
from ..models.history import RecordInfo, describe_result

HIDDEN_INPUTS = ("bulk_run",)  # shown in its own line
INPUT_WORDS = {
    "queue_id": "QueueID",
    "reference_id": "Reference ID",
    "scheduled_utc": "For (UTC)",
    "tts_rate": "Speaking rate",
    "tts_volume": "Volume",
    "voice_id": "Voice",
    "try_count": "Tries",
    "next_try_seconds": "Seconds between tries",
    "max_call_length": "Longest call (seconds)",
    "caller_id_number": "Caller ID number",
    "caller_id_name": "Caller ID name",
    "status_change_post_url": "Status web address",
}


def details_text(record: Record, info: RecordInfo) -> str:
    lines = [
        f"{record.action_label} — {record.when_utc.astimezone().strftime('%Y-%m-%d %H:%M:%S')} (local time)",
        f"Account: {record.account}    Signed-in user: {record.os_user}",
    ]
    ids = [f"Reference ID: {record.reference_id}" if record.reference_id else ""]
    ids.append(f"QueueID: {record.queue_id}" if record.queue_id is not None else "")
    ids.append(f"Number: {info.number}" if info.number else "")
    if any(ids):
        lines.append("    ".join(part for part in ids if part))
    lines.append(f"Result: {describe_result(record)}")
    if info.state:
        lines.append(f"Latest known state: {info.state}. {info.state_tip}".rstrip())
    if info.bulk_tip:
        lines.append(info.bulk_tip)
    if record.message:
        lines.append(f"Details: {record.message}")
    shown = {k: v for k, v in record.inputs.items() if k not in HIDDEN_INPUTS and v not in ("", None)}
    sent = [f"{_words(k)}: {_value(v)}" for k, v in shown.items()]
    if sent:
        lines.append("Sent: " + "; ".join(sent))
    return "\n".join(lines)


def _words(key: str) -> str:
    return INPUT_WORDS.get(key, key.replace("_", " ").capitalize())


def _value(value: object) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)


class DetailsView(QPlainTextEdit):
    """A read-only plain-text view of one record, a few lines high (it scrolls), hidden while
    nothing is selected: the table keeps the room."""

    LINES = 6

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAccessibleName("Details of the selected record")
        self.setToolTip("Everything about the selected record; you can select and copy it")
        margins = self.contentsMargins()
        line = self.fontMetrics().lineSpacing()
        self.setMaximumHeight(line * self.LINES + 2 * int(self.document().documentMargin()) + margins.top() * 2)
        self.hide()

    @property
    def text(self) -> str:
        return self.toPlainText()

    def show_record(self, record: Record | None, info: RecordInfo | None = None) -> None:
        if record is None:
            self.clear()
            self.hide()
            return
        self.setPlainText(details_text(record, info or RecordInfo()))
        self.show()
