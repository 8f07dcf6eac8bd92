"""Text from the server or the user is shown as text, never run: no HTML in labels or tooltips,
no formulas in exported spreadsheets."""

from __future__ import annotations

import csv
import inspect

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QLabel, QWidget

from desktop_app.storage.csv_export import safe_cell, write_csv
from desktop_app.storage.history import History, export_csv
from desktop_app.ui.main_window import SANDBOX_BANNER
from desktop_app.ui.models.table import plain_tip
from desktop_app.ui.widgets import busy, panels, welcome
from tests.conftest import KEY_A, KEY_B, close_window, make_window
from tests.test_ui import cancel_via_ui, click_message_box, schedule_via_ui

MARKUP = '<b>x</b><a href="http://e">y</a>'

# Captions that are the app's own fixed words but name no field (a field's caption has it as its
# buddy): the only labels besides field captions that may keep Qt's default AutoText.
CAPTIONS = {SANDBOX_BANNER, "Find calls by", "Cancel by:", "at a time (more is faster)"}


def labels_in(root: QWidget) -> list[QLabel]:
    return ([root] if isinstance(root, QLabel) else []) + root.findChildren(QLabel)


def markup_risks(root: QWidget) -> list[str]:
    """Every label in `root` that would render markup. Qt's default AutoText renders anything that
    looks like HTML, so a label must be PlainText unless it is a fixed caption: the caption of a
    field (its buddy) or one of CAPTIONS, whose text is not markup."""
    risky = []
    for label in labels_in(root):
        text = label.text()
        if label.textFormat() == Qt.TextFormat.PlainText or (not text and not label.pixmap().isNull()):
            continue  # plain text, or a picture (a message box's icon)
        caption = label.buddy() is not None or text in CAPTIONS
        if not (caption and text and not GuiQt.mightBeRichText(text)):
            risky.append(f"{type(label).__name__} {label.objectName()!r} showing {text[:50]!r} in {label.textFormat()}")
    return risky


def test_the_rule_flags_autotext_and_richtext_labels(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    field = QLabel("&Name:", parent)  # a field's caption: AutoText is fine
    field.setBuddy(QWidget(parent))
    QLabel("Find calls by", parent)
    plain = QLabel(parent)
    plain.setTextFormat(Qt.TextFormat.PlainText)
    plain.setText(MARKUP)
    assert markup_risks(parent) == []
    QLabel("", parent)  # AutoText, and whatever it shows later is rendered
    rich = QLabel("Find calls by", parent)
    rich.setTextFormat(Qt.TextFormat.RichText)
    rich.setBuddy(field)
    assert len(markup_risks(parent)) == 1  # the empty AutoText label; a fixed caption stays fixed
    rich.setText(MARKUP)
    assert len(markup_risks(parent)) == 2


def test_every_label_the_shared_widgets_make_is_plain_text(qtbot):
    """Each label-making function and widget class of panels.py, busy.py and welcome.py, made here, whatever
    the window happens to show: none may render the markup it is given."""
    made: dict[str, QWidget] = {}
    for module in (panels, busy, welcome):
        for name, thing in vars(module).items():
            if getattr(thing, "__module__", None) != module.__name__:
                continue
            if inspect.isclass(thing) and issubclass(thing, QWidget):
                made[name] = thing()
            elif inspect.isfunction(thing) and inspect.signature(thing).return_annotation == "QLabel":
                if name == "buddy_label":  # a field's caption, the app's own words: checked below
                    buddy = QWidget()
                    qtbot.addWidget(buddy)
                    made[name] = thing("&Caption:", buddy)
                else:
                    made[name] = thing(MARKUP)
    assert {"plain_label", "headline_label", "buddy_label", "FieldError", "ResultPanel", "BusyRow"} <= set(made)
    for widget in made.values():
        qtbot.addWidget(widget)
    made["FieldError"].show_message(MARKUP)
    made["ResultPanel"].show_result("error", MARKUP, MARKUP)
    made["BusyRow"].start(MARKUP)
    for name, widget in made.items():
        assert markup_risks(widget) == [], name
    shown = [label.text() for widget in made.values() for label in labels_in(widget)]
    assert shown.count(MARKUP) >= 6  # the markup itself is shown, as characters


def assert_plain(window, state: str) -> None:
    risky = markup_risks(window)
    assert risky == [], f"{state}: labels that would render markup: {risky}"


def cancel_page_states(qtbot, window, app_sandbox) -> None:
    app_sandbox.faults.failure_text = MARKUP
    app_sandbox.faults.inject("soap_fault", operation="CancelNotifyByReferenceID")
    text = cancel_via_ui(qtbot, window, "markup")
    assert MARKUP in text  # the characters themselves, not "xy"
    panel = window.cancel_page.result
    for label in (panel.headline, panel.body):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert MARKUP in panel.body.text()
    assert_plain(window, "a service fault on the Cancel page")
    page = window.cancel_page
    page.reference.setText("a <b>b</b>")
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    assert page.reference_error.isVisibleTo(page) and page.reference_error.text()
    assert_plain(window, "a reference ID error")
    page.queue_id.setText("<b>1</b>")
    qtbot.mouseClick(page.queue_button, Qt.MouseButton.LeftButton)
    assert page.queue_error.isVisibleTo(page) and page.queue_error.text()
    assert_plain(window, "a QueueID error")


def schedule_page_states(qtbot, window) -> None:
    page = window.show_page("schedule")
    page.phone.setText(MARKUP)
    page.text.setPlainText("")
    page.reference.setText(MARKUP)
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    shown = [error for error in page.errors.values() if error.isVisibleTo(page)]
    assert len(shown) >= 3
    assert_plain(window, "the schedule form's errors")
    schedule_via_ui(qtbot, window, reference="plain-1")
    assert page.result.isVisibleTo(page) and "QueueID" in page.result.headline.text()
    assert_plain(window, "a booked call")
    window.show_page("watch")
    assert_plain(window, "the call on Calls from this desk")


def lookup_page_states(qtbot, window, app_sandbox) -> None:
    page = window.show_page("lookup")
    page.mode.setCurrentIndex(page.mode.findData("queues"))
    page.query.setText(f"12, {MARKUP}")
    qtbot.mouseClick(page.lookup_button, Qt.MouseButton.LeftButton)
    assert MARKUP in page.query_error.text()
    assert_plain(window, "a bad QueueID list")
    # All accounts, one of which meets a broken connection: its line is a label made now.
    page.mode.setCurrentIndex(page.mode.findData("number"))
    page.query.setText("757-555-1230")
    page.all_accounts.setChecked(True)
    app_sandbox.faults.inject("reset", operation="GetQueueIDStatusesByPhoneNumber")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(page.lookup_button, Qt.MouseButton.LeftButton)
    assert page.failures.findChildren(QLabel), "no failure line was shown"
    assert_plain(window, "an account that could not be searched")
    page.all_accounts.setChecked(False)
    app_sandbox.faults.inject("soap_fault", operation="GetQueueIDStatusesByPhoneNumber")
    qtbot.mouseClick(page.lookup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: MARKUP in page.result.body.text(), timeout=10_000)
    assert_plain(window, "a service fault on Find calls")


def bulk_page_states(qtbot, window, app_sandbox) -> None:
    page = window.show_page("bulk")
    page.paste.setPlainText(f"{MARKUP}\nbulk-1\nbulk-1\n<i>two</i>")
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    assert "<i>two</i>" in page.problems.toPlainText()
    assert_plain(window, "a checked list with bad lines")
    app_sandbox.faults.inject("soap_fault", operation="CancelNotifyByReferenceID")
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.run_finished, timeout=10_000):
        click_message_box(qtbot, page, "Cancel the calls")
    assert page.result.isVisibleTo(page) and page.result.headline.text()
    assert_plain(window, "a bulk run with a failed row")


def history_page_states(qtbot, window) -> None:
    page = window.show_page("history")
    qtbot.waitUntil(lambda: page.model.rowCount() >= 2, timeout=10_000)
    page.table.selectRow(0)
    assert page.count_label.text()
    assert_plain(window, "the history with a record selected")


def test_no_label_renders_markup_in_any_state(qtbot, tmp_path, app_sandbox, memory_keyring):
    """Every label the window shows, including those made later (pages built on first use, result
    panels, error lines, one line per account that could not be searched), after each page has
    shown its errors and results with markup from the server or the user."""
    window = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A, "Clinic": KEY_B})
    try:
        qtbot.waitUntil(lambda: window.controller.store is not None)
        assert_plain(window, "the window as it opens")
        for key in ("cancel", "lookup", "watch", "bulk", "schedule", "history"):
            window.page(key)
        assert_plain(window, "every page built")
        cancel_page_states(qtbot, window, app_sandbox)
        schedule_page_states(qtbot, window)
        lookup_page_states(qtbot, window, app_sandbox)
        bulk_page_states(qtbot, window, app_sandbox)
        history_page_states(qtbot, window)
    finally:
        close_window(window)


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
