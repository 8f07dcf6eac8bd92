"""Results and errors a screen reader can find (issue 24): each result is announced or takes the
focus, success and error differ in words and icon (not only colour), a field's error is its
label's name, its field's description and an announcement, and every combo box is named by a
label (on Linux Qt gives a combo box's name as its current text; AT-SPI's label relation is the
only way to say what it is for)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from desktop_app.ui.widgets import FieldError, ResultPanel, Tone
from desktop_app.ui.widgets.announce import announcements
from desktop_app.ui.widgets.panels import TONE_ICONS, TONE_WORDS
from tests.test_find_findings import book, look_up, open_page

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def heard(qtbot):
    """Every announcement made during the test: (text, assertive)."""
    said: list[tuple[str, bool]] = []
    announcements().said.connect(lambda text, assertive: said.append((text, assertive)))
    yield said
    announcements().said.disconnect()


def shown(qtbot, widget: QWidget) -> QWidget:
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_success_and_error_differ_in_words_icon_and_role(qtbot, heard):
    holder = shown(qtbot, QWidget())
    panel = ResultPanel(holder)
    panel.show_result(Tone.SUCCESS, "3 calls cancelled", "Reference ID “a”.")
    assert panel.tone_word.text() == "Done:" and panel.accessibleName() == "Done: 3 calls cancelled"
    assert panel.accessibleDescription() == "Reference ID “a”."
    done_icon = panel.icon.pixmap().toImage()
    assert heard == [("Done: 3 calls cancelled. Reference ID “a”.", False)]  # polite
    panel.show_result(Tone.ERROR, "The service did not answer", "Try again.")
    assert panel.tone_word.text() == "Problem:" and panel.accessibleName() == "Problem: The service did not answer"
    assert panel.icon.pixmap().toImage() != done_icon and not panel.icon.pixmap().isNull()
    assert heard[-1] == ("Problem: The service did not answer. Try again.", True)  # assertive
    assert set(TONE_WORDS.values()) == {"Done", "Note", "Warning", "Problem"} and len(set(TONE_ICONS.values())) == 4
    # A screen reader meets it as an alert (AT-SPI "alert"), and can Tab back to it.
    assert QAccessible.queryAccessibleInterface(panel).role() == QAccessible.Role.AlertMessage
    assert panel.focusPolicy() == Qt.FocusPolicy.TabFocus


def test_a_panel_on_a_hidden_page_says_nothing_and_never_steals_the_focus(qtbot, heard):
    holder = QWidget()
    elsewhere = QLineEdit(holder)
    page = QWidget(holder)
    panel = ResultPanel(page)
    shown(qtbot, holder)
    holder.activateWindow()
    elsewhere.setFocus()
    qtbot.waitUntil(elsewhere.hasFocus)
    panel.show_result(Tone.SUCCESS, "Booked", focus=True)  # the user is not on its page: announced
    assert elsewhere.hasFocus() and heard == [("Done: Booked", False)]
    page.hide()
    panel.show_result(Tone.ERROR, "Not booked")
    assert len(heard) == 1


def test_a_field_error_is_named_described_and_announced(qtbot, heard):
    holder = shown(qtbot, QWidget())
    field = QLineEdit(holder)
    field.setAccessibleDescription("for example notify1")
    error = FieldError(field, holder)
    error.show_message("A reference ID cannot contain spaces.")
    assert error.accessibleName() == "A reference ID cannot contain spaces."  # not "Field error"
    assert QAccessible.queryAccessibleInterface(error).text(QAccessible.Text.Name) == error.text()
    assert field.accessibleDescription() == "A reference ID cannot contain spaces. for example notify1"
    assert heard == [("A reference ID cannot contain spaces.", True)]
    error.show_message("A reference ID can be at most 50 characters.")  # changed, not new: not said again
    assert len(heard) == 1 and field.accessibleDescription().startswith("A reference ID can be at most")
    error.show_message("")
    assert field.accessibleDescription() == "for example notify1" and not error.isVisible()
    typed = FieldError(field, holder, polite=True)  # checked as it is typed: never interrupts
    typed.show_message("Enter the license key.")
    assert heard[-1] == ("Enter the license key.", False)


def test_the_cancel_pages_field_error_reaches_its_field(qtbot, window, heard):
    page = window.show_page("cancel")
    page.reference.setText("x" * 60)
    qtbot.keyClick(page.reference, Qt.Key.Key_Return)
    message = page.reference_error.text()
    assert message and page.reference_error.accessibleName() == message
    assert page.reference.accessibleDescription() == message and (message, True) in heard


def test_the_schedule_forms_problems_are_announced_and_the_first_field_has_the_focus(qtbot, window, heard):
    page = window.show_page("schedule")
    page.phone.setText("555-12")
    page.text.setPlainText("")
    qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    summary = "2 things to fix: Phone number(s) to dial, Text to say."
    assert page.problems.text() == summary and heard == [(summary, True)]  # once, not once per field
    # In words a screen reader says, not "the fields in red": the label and what AT-SPI names it.
    spoken = QAccessible.queryAccessibleInterface(page.problems).text(QAccessible.Text.Name)
    assert spoken == summary
    for said in (page.problems.text(), spoken, page.problems.accessibleName()):
        assert not re.search(r"\b(red|colou?red|highlighted|marked)\b", said, re.IGNORECASE), said
    qtbot.waitUntil(page.phone.hasFocus)
    assert page.phone.accessibleDescription() == page.errors["phone_number"].text()


def test_an_added_account_is_announced(qtbot, window, heard):
    dialog = window.open_accounts()
    dialog._save_new("Clinic North", "7c6d5e4f-3a2b-4c1d-8e9f-0a1b2c3d4e5f")
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=10_000)
    assert dialog.message.accessibleName() == "Done: Account “Clinic North” added"
    assert heard and heard[-1][0].startswith("Done: Account “Clinic North” added.") and not heard[-1][1]
    dialog.close()


def test_a_look_up_says_what_it_found(qtbot, controller, app_sandbox, heard):
    page = open_page(qtbot, controller)
    book(app_sandbox)
    look_up(qtbot, page, "number", "757-555-1230")
    assert heard[-1] == ("1 call found", False)  # the table has it; no panel to say so
    # Each row: the status's code in what a screen reader reads, the action cell named.
    status = page.model.index(0, page.model.column_of("Status"))
    assert str(page.statuses[0].response_code) in page.model.data(status, Qt.ItemDataRole.AccessibleDescriptionRole)
    action = page.model.index(0, page.model.action_column)
    assert page.model.data(action, Qt.ItemDataRole.AccessibleTextRole)
    look_up(qtbot, page, "number", "757-555-1239")
    assert heard[-1] == (
        "Note: No calls found. There are no calls to 757-555-1239 on the account “Main office”.",
        False,
    )


def combo_boxes_without_a_label(root: QWidget) -> list[str]:
    """Combo boxes with no label relation (a sibling QLabel whose buddy it is)."""
    missing = []
    for combo in root.findChildren(QComboBox):
        relations = QAccessible.queryAccessibleInterface(combo).relations(QAccessible.RelationFlag.Label)
        if not relations:
            missing.append(combo.accessibleName() or combo.currentText())
    return missing


def test_every_combo_box_is_labelled(qtbot, window):
    for key in ("cancel", "lookup", "watch", "bulk", "schedule", "history"):
        window.page(key)
    accounts, settings = window.open_accounts(), window.open_settings()
    assert [*combo_boxes_without_a_label(window), *combo_boxes_without_a_label(settings)] == []
    # The positive control: an unlabelled one is found.
    QComboBox(window.history_page).setAccessibleName("Unlabelled")
    assert combo_boxes_without_a_label(window) == ["Unlabelled"]
    accounts.close()
    settings.close()


def test_no_row_action_is_an_index_widget():
    """Index widgets are outside the table's accessibility tree: row actions are model cells."""
    sources = (ROOT / "desktop_app").rglob("*.py")
    assert [path.name for path in sources if "setIndexWidget" in path.read_text(encoding="utf-8")] == []
