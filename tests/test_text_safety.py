"""Text from the server or the user is shown as text, never run: no HTML in labels or tooltips,
no formulas in exported spreadsheets."""

from __future__ import annotations

import csv

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from desktop_app.storage.csv_export import safe_cell, write_csv
from desktop_app.storage.history import History, export_csv
from desktop_app.ui.models.table import plain_tip
from tests.test_ui import cancel_via_ui

MARKUP = '<b>x</b><a href="http://e">y</a>'


def test_a_soap_fault_with_markup_is_shown_literally(qtbot, window, app_sandbox):
    app_sandbox.faults.failure_text = MARKUP
    app_sandbox.faults.inject("soap_fault", operation="CancelNotifyByReferenceID")
    text = cancel_via_ui(qtbot, window, "markup")
    assert MARKUP in text  # the characters themselves, not "xy"
    panel = window.cancel_page.result
    for label in (panel.headline, panel.body):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert MARKUP in panel.body.text()
    # No label on any page is left to guess: every one that can show server text is plain text.
    for page_key in ("cancel", "lookup", "bulk", "schedule", "history"):
        page = window.page(page_key)
        rich = [
            label.objectName() or label.text()[:30]
            for label in page.findChildren(QLabel)
            if label.textFormat() == Qt.TextFormat.RichText
        ]
        assert rich == [], f"{page_key}: rich-text labels {rich}"


def test_tooltips_with_markup_are_escaped():
    assert plain_tip("plain") == "plain"
    tip = plain_tip(MARKUP)
    assert "<b>" not in tip.replace("<p style='white-space:pre-wrap'>", "") and "&lt;b&gt;x&lt;/b&gt;" in tip


def test_spreadsheet_formulas_are_neutralised_in_every_export(tmp_path):
    for dangerous in ("=1+1", "+41 555", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert safe_cell(dangerous) == "'" + dangerous
    assert safe_cell("ordinary") == "ordinary" and safe_cell(-3) == -3  # numbers stay numbers
    path = tmp_path / "rows.csv"
    write_csv(path, ["value"], [['=HYPERLINK("http://e","click")'], [7]])
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows == [["value"], ['\'=HYPERLINK("http://e","click")'], ["7"]]

    history = History(tmp_path / "history.sqlite3")
    history.record(
        account="=cmd|' /C calc'!A0",
        action="cancel_reference",
        inputs={},
        outcome="ok",
        reference_id="@ref",
        count=0,
        message="-nothing",
    )
    export = tmp_path / "history.csv"
    export_csv(history.records(), export)
    row = next(csv.DictReader(export.read_text(encoding="utf-8-sig").splitlines()))
    assert row["account"].startswith("'=") and row["reference_id"] == "'@ref" and row["message"] == "'-nothing"
    history.close()
