"""Keyboard access (issue 24): Tab follows the reading order with no silent stops, the page
shortcuts land on the page's first field, the date-time field is one stop, the focus goes to the
answer after Ctrl+Enter, and the focus ring can be seen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QTableView, QWidget

from desktop_app.ui.pages import PAGES
from desktop_app.ui.widgets.focus import FocusRings
from desktop_app.ui.widgets.panels import FOCUS_RING
from tests.test_ui import click_message_box


def spoken_name(widget: QWidget | None) -> str:
    """What a screen reader calls the widget: its accessible name, else a button's text."""
    if widget is None:
        return "(nothing)"
    name = widget.accessibleName()
    if not name and isinstance(widget, QAbstractButton):
        name = widget.text().replace("&", "")
    return name or f"(unnamed {type(widget).__name__})"


def tab_stops(qtbot, start: QWidget, stop_at: QWidget, presses: int = 40) -> list[str]:
    """The names heard pressing Tab from `start` until `stop_at` (included)."""
    start.setFocus()
    qtbot.waitUntil(start.hasFocus)
    heard = [spoken_name(start)]
    for _ in range(presses):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        heard.append(spoken_name(focused))
        if focused is stop_at:
            return heard
    raise AssertionError(f"never reached {spoken_name(stop_at)}: {heard}")


def test_the_schedule_page_tabs_in_reading_order(qtbot, window):
    page = window.show_page("schedule")
    page.form.show_more(True)
    # Round the whole window, back to the tab bar: no unnamed stop anywhere (the form's scroll
    # area was one).
    assert tab_stops(qtbot, window.tabs.tabBar(), window.tabs.tabBar()) == [
        "Pages",
        "Phone number(s) to dial",
        "Saved test numbers",
        "Text to say",
        "Listen to the text (places no call)",  # beside the text, though made after the form
        "Voice",
        "When the call is placed, in your local time",  # one stop, not five (year … minute)
        "Set the time to one hour from now",
        "Reference ID",
        "Generate a new reference ID",
        "More options (caller ID, tries, speech, call length)",
        "Caller ID number",
        "Caller ID name",
        "Tries",
        "Seconds between tries",
        "Speech rate",
        "Volume",
        "Max call length (seconds)",
        "Calling hours start, in the time of the person called",
        "Calling hours end, in the time of the person called",
        "Schedule call",
        "Account",
        "Manage accounts and license keys",
        "Pages",
    ]


def test_the_cancel_page_tabs_in_reading_order(qtbot, window):
    page = window.show_page("cancel")
    assert tab_stops(qtbot, window.tabs.tabBar(), page.queue_button) == [
        "Pages",
        "Reference ID to cancel",
        "Cancel calls with this reference ID",
        "QueueID to cancel",
        "Cancel the call with this QueueID",
    ]


def test_the_date_time_field_is_one_stop_both_ways(qtbot, window):
    page = window.show_page("schedule")
    page.when.setFocus()
    qtbot.waitUntil(page.when.hasFocus)
    qtbot.keyClick(page.when, Qt.Key.Key_Tab)
    assert page.now_button.hasFocus()
    qtbot.keyClick(page.now_button, Qt.Key.Key_Backtab)
    assert page.when.hasFocus()
    qtbot.keyClick(page.when, Qt.Key.Key_Backtab)
    assert page.voice.hasFocus()


def test_the_page_shortcuts_land_on_the_first_field(qtbot, window):
    first = {
        "cancel": "Reference ID to cancel",
        "lookup": "Look up by",
        "watch": "Calls from this desk",
        "bulk": "Reference IDs",
        "schedule": "Phone number(s) to dial",  # not the Saved test numbers button beside it
        "history": "Search the history",
    }
    window.account.setFocus()
    for index, spec in enumerate(PAGES):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_1 + index), Qt.KeyboardModifier.ControlModifier)
        assert window.current_page() is window.page(spec.key)
        qtbot.waitUntil(lambda spec=spec: spoken_name(QApplication.focusWidget()) == first[spec.key])


def test_tab_leaves_every_table(qtbot, window):
    """Tables move between cells with the arrows; Tab goes on to the next control."""
    tables = [
        table
        for key in ("lookup", "watch", "bulk", "schedule", "history")
        for table in window.page(key).findChildren(QTableView)
    ]
    accounts = window.open_accounts()
    tables += accounts.findChildren(QTableView)
    assert len(tables) >= 6 and [t.accessibleName() for t in tables if t.tabKeyNavigation()] == []
    accounts.close()


def test_after_ctrl_enter_the_answer_has_the_focus(qtbot, window):
    page = window.show_page("schedule")
    page.phone.setText("757-555-1230")
    page.text.setPlainText("A test call.")
    page.text.setFocus()
    qtbot.waitUntil(page.text.hasFocus)
    with qtbot.waitSignal(page.scheduled, timeout=10_000):
        qtbot.keyClick(page.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(page.result.hasFocus)
    assert page.result.accessibleName().startswith("Done: Booked — QueueID ")
    # Tab goes on from the answer to its buttons, not back into the form.
    qtbot.keyClick(page.result, Qt.Key.Key_Tab)
    assert page.result.isAncestorOf(QApplication.focusWidget())


def test_the_cancel_answer_takes_the_focus(qtbot, window):
    page = window.show_page("cancel")
    page.reference.setText("nothing-booked")
    page.reference.setFocus()
    qtbot.keyClick(page.reference, Qt.Key.Key_Return)
    click_message_box(qtbot, page, "Cancel the calls")
    qtbot.waitUntil(lambda: page.result.isVisible() and not page.in_flight, timeout=10_000)
    # The window's focus widget: offscreen, no window is active again after the question closes.
    assert window.focusWidget() is page.result
    assert page.result.accessibleName() == "Note: No calls were cancelled"


def contrast(one: QColor, other: QColor) -> float:
    """WCAG's contrast ratio of two colours."""

    def luminance(colour: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())

    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_focus_ring_follows_the_focus_and_can_be_seen(qtbot, window):
    page = window.show_page("cancel")
    rings = QApplication.instance().findChild(FocusRings)
    assert rings is not None
    for widget in (page.reference, page.cancel_button, page.queue_id):
        widget.setFocus()
        qtbot.waitUntil(widget.hasFocus)
        assert rings.ring.widget() is widget and rings.ring.isVisible()
    # WCAG 1.4.11: at least 3:1 against what surrounds it (the window and a field's white).
    palette = window.palette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base, QPalette.ColorRole.Button):
        assert contrast(QColor(FOCUS_RING), palette.color(role)) >= 3, role


def unnamed_stops(root: QWidget) -> list[str]:
    """Visible, enabled widgets that take Tab focus but have no name a screen reader can say
    (a compound control's own parts, which hand the focus to it, are left out)."""
    found = []
    for widget in root.findChildren(QWidget):
        tab_stop = widget.focusPolicy() & Qt.FocusPolicy.TabFocus == Qt.FocusPolicy.TabFocus
        if not tab_stop or widget.focusProxy() is not None or not widget.isVisibleTo(root) or not widget.isEnabled():
            continue
        if spoken_name(widget).startswith("(unnamed"):
            found.append(f"{type(widget).__name__} {widget.objectName()!r} in {type(widget.parentWidget()).__name__}")
    return found


def test_no_page_has_an_unnamed_tab_stop(qtbot, window):
    window.schedule_page.form.show_more(True)
    for spec in PAGES:
        window.show_page(spec.key)
        assert unnamed_stops(window) == [], spec.title
    # The positive control: a focusable box with no name is found.
    QWidget(window.cancel_page).setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    window.show_page("cancel")
    assert unnamed_stops(window) == ["QWidget '' in CancelPage"]
