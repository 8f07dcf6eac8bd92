"""Keyboard access (issue 24): Tab follows the reading order with no silent stops, the page
shortcuts land on the page's first field, the date-time field is one stop, the focus goes to the
answer after Ctrl+Enter, and the focus ring can be seen.

The reading-order walk goes round each of the six pages, before and after its results are shown
(a broadcast booking, a look-up, a cancel, a checked bulk list, history records): every Tab moves
down, or right on the same row, except the one wrap from the page's last control to the window's
first stop (the account row above the tabs, then the tab bar, then the page again)."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QRadioButton, QTableView, QTabWidget, QWidget

from desktop_app.ui.pages import PAGES
from desktop_app.ui.widgets import ResultPanel
from desktop_app.ui.widgets.focus import FocusRings
from desktop_app.ui.widgets.panels import FOCUS_RING
from tests.test_find_findings import look_up
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


def _in_a_page_not_shown(widget: QWidget, root: QWidget) -> bool:
    """`widget` lies in a page of a tab widget other than the page it shows."""
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        tabs = parent.parentWidget() and parent.parentWidget().parentWidget()
        if isinstance(tabs, QTabWidget) and tabs.indexOf(parent) >= 0 and tabs.currentWidget() is not parent:
            return True
        parent = parent.parentWidget()
    return False


def unnamed_stops(root: QWidget) -> list[str]:
    """Enabled widgets that take Tab focus but have no name a screen reader can say (a compound
    control's own parts, which hand the focus to it, are left out). Hidden ones of the page shown
    count too: a result's table and buttons show later, after a booking or a look-up."""
    found = []
    for widget in root.findChildren(QWidget):
        tab_stop = widget.focusPolicy() & Qt.FocusPolicy.TabFocus == Qt.FocusPolicy.TabFocus
        if not tab_stop or widget.focusProxy() is not None or not widget.isEnabled():
            continue
        if widget.window() is not root or _in_a_page_not_shown(widget, root):
            continue
        if isinstance(widget, ResultPanel) and not widget.isVisibleTo(root):
            continue  # named by the result it shows, when it shows one (test_a11y_results)
        if spoken_name(widget).startswith("(unnamed"):
            found.append(f"{type(widget).__name__} {widget.objectName()!r} in {type(widget.parentWidget()).__name__}")
    return found


def test_no_page_has_an_unnamed_tab_stop(qtbot, window):
    window.schedule_page.form.show_more(True)
    for spec in PAGES:
        window.show_page(spec.key)
        assert unnamed_stops(window) == [], spec.title
    # The positive control: a focusable box with no name is found, shown or not yet shown; on
    # another page, it is that page's.
    box = QWidget(window.cancel_page)
    box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    window.show_page("cancel")
    assert unnamed_stops(window) == ["QWidget '' in CancelPage"]
    box.hide()
    assert unnamed_stops(window) == ["QWidget '' in CancelPage"]
    window.show_page("history")
    assert unnamed_stops(window) == []


# -- Tab in reading order on every page ------------------------------------------------------------


def tab_round(qtbot, start: QWidget, presses: int = 80) -> list[QWidget]:
    """`start`, then what has the focus after each Tab press, until it comes back to a widget it
    already had: `start` (the round closed) or another (a loop that never gets back)."""
    start.window().activateWindow()  # offscreen, none is active again after a question closes
    qtbot.waitUntil(start.window().isActiveWindow)
    start.setFocus()
    qtbot.waitUntil(start.hasFocus)
    stops = [start]
    for _ in range(presses):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        assert focused is not None, f"Tab after {spoken_name(stops[-1])} left the window"
        stops.append(focused)
        if focused in stops[:-1]:
            return stops
    raise AssertionError(f"the focus did not come round in {presses} Tab presses: {[spoken_name(w) for w in stops]}")


def box_in(window: QWidget, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def above(a: QRect, b: QRect) -> bool:
    """`a` lies entirely above `b` (2 pixels of overlap allowed)."""
    return a.y() + a.height() <= b.y() + 2


def tab_stops_of(page: QWidget) -> list[QWidget]:
    """The page's controls a Tab can reach now: visible, enabled, Tab focus, not a part handing its
    focus to a compound control, not an unchecked radio button (a group is one stop, its checked one)."""
    found = []
    for widget in page.findChildren(QWidget):
        tab_stop = widget.focusPolicy() & Qt.FocusPolicy.TabFocus == Qt.FocusPolicy.TabFocus
        if not tab_stop or widget.focusProxy() is not None or not widget.isVisibleTo(page) or not widget.isEnabled():
            continue
        if isinstance(widget, QRadioButton) and widget.autoExclusive() and not widget.isChecked():
            continue
        found.append(widget)
    return found


def reading_order_problems(qtbot, window, page: QWidget) -> list[str]:
    """Tab round the window from the page's first field: each step goes down, or right on the same
    row; the one step back allowed is the wrap to the window's first stop (the account row, above
    the tabs). Every control of the page showing is reached, and no control is two stops."""
    stops = tab_round(qtbot, page.focusProxy() or page)
    names = [spoken_name(w) for w in stops]
    problems = []
    if stops[-1] is not stops[0]:
        problems.append(f"Tab goes round in the window without coming back to {names[0]}: {names}")
    for before, after in pairwise(stops):
        a, b = box_in(window, before), box_in(window, after)
        wrap = after is window.account and not page.isAncestorOf(after)
        if above(b, a) and not wrap:
            problems.append(f"Tab goes back up, from {spoken_name(before)} to {spoken_name(after)}")
        elif not above(b, a) and not above(a, b) and b.x() + b.width() <= a.x() + 2 and not wrap:
            problems.append(f"Tab goes back left on a row, from {spoken_name(before)} to {spoken_name(after)}")
    round_once = stops[:-1]
    inside = [w for w in round_once if page.isAncestorOf(w)]
    first_out = next((i for i, w in enumerate(round_once) if not page.isAncestorOf(w)), len(round_once))
    if len(inside) != first_out:
        problems.append(f"the page's stops are not one run: {names}")
    missed = [spoken_name(w) for w in tab_stops_of(page) if w not in stops]
    if missed:
        problems.append(f"Tab never reaches {missed}: {names}")
    return problems


def walk_every_page(qtbot, window) -> dict[str, list[str]]:
    problems = {}
    for spec in PAGES:
        page = window.show_page(spec.key)
        problems[spec.key] = reading_order_problems(qtbot, window, page)
    return {key: found for key, found in problems.items() if found}


def roomy(window) -> None:
    """A window tall enough that no page scrolls: every position is read in one layout."""
    window.resize(1280, 1500)
    window.schedule_page.form.show_more(True)
    QApplication.processEvents()


def test_every_page_tabs_in_reading_order(qtbot, window):
    roomy(window)
    assert walk_every_page(qtbot, window) == {}
    # The positive controls, on the Cancel page: the QueueID field before the reference ID's button
    # (Tab goes back up to it), then the reference ID field after the QueueID button (Tab skips the
    # rest of the page).
    page = window.show_page("cancel")
    QWidget.setTabOrder(page.queue_id, page.cancel_button)
    assert walk_every_page(qtbot, window) == {
        "cancel": ["Tab goes back up, from QueueID to cancel to Cancel calls with this reference ID"]
    }
    QWidget.setTabOrder(page.queue_button, page.reference)
    (found,) = walk_every_page(qtbot, window)["cancel"]
    assert found.startswith("Tab never reaches ['Cancel calls with this reference ID', 'QueueID to cancel'"), found


def show_every_result(qtbot, window) -> None:
    """A result on each page: a broadcast booking (two numbers, so its table of numbers shows), a
    look-up that finds them, a cancel, a checked bulk list, the bookings in the history."""
    page = window.show_page("schedule")
    page.phone.setText("757-555-1230\n757-555-1231")
    page.text.setPlainText("A test broadcast.")
    with qtbot.waitSignal(page.broadcast, timeout=10_000):
        qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    assert page.table.isVisible() and page.cancel_broadcast.isVisible()
    look_up(qtbot, window.show_page("lookup"), "number", "757-555-1230")
    page = window.show_page("cancel")
    page.reference.setText("nothing-booked")
    qtbot.keyClick(page.reference, Qt.Key.Key_Return)
    click_message_box(qtbot, page, "Cancel the calls")
    qtbot.waitUntil(lambda: page.result.isVisible() and not page.in_flight, timeout=10_000)
    page = window.show_page("bulk")
    page.paste.setPlainText("kb-1\nkb-2")
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.start_button.isEnabled, timeout=10_000)
    page = window.show_page("history")
    qtbot.waitUntil(page.export_button.isEnabled, timeout=10_000)
    window.show_page("watch")
    qtbot.waitUntil(lambda: window.page("watch").model.rowCount() >= 2, timeout=10_000)


def test_after_the_results_every_page_still_tabs_in_reading_order_with_named_stops(qtbot, window):
    roomy(window)
    show_every_result(qtbot, window)
    assert walk_every_page(qtbot, window) == {}
    named = {}
    for spec in PAGES:
        window.show_page(spec.key)
        named[spec.key] = unnamed_stops(window)
    assert named == {key: [] for key in named}
