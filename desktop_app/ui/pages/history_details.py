"""The History page's details view: everything about the selected record, in full and in plain
words (the table cuts long text short; this never does)."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from ...storage.history import Record
from ..models.history import RecordInfo, describe_result
from ..widgets import plain_label

HIDDEN_INPUTS = ("bulk_run",)  # shown in its own line


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
    inputs = {k: v for k, v in record.inputs.items() if k not in HIDDEN_INPUTS}
    if inputs:
        lines.append("Sent: " + json.dumps(inputs, ensure_ascii=False, sort_keys=True))
    return "\n".join(lines)


class DetailsView(QFrame):
    """A framed, selectable plain-text view of one record (hidden while nothing is selected)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.text = plain_label(word_wrap=True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAccessibleName("Details of the selected record")
        layout.addWidget(self.text)
        self.hide()

    def show_record(self, record: Record | None, info: RecordInfo | None = None) -> None:
        if record is None:
            self.text.clear()
            self.hide()
            return
        self.text.setText(details_text(record, info or RecordInfo()))
        self.show()
