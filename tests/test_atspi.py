"""Accessibility through the real Linux stack (issue 24): the app as a screen reader such as Orca
reads it. In the test's D-Bus session the AT-SPI bus runs, the app runs on a virtual X screen with
QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1, an AT-SPI client (pyatspi, tests/atspi/reader.py) reads it and
hears its events, and the tests drive it with real key presses (tests/atspi/harness.py).

Each check runs first on its positive control (tests/atspi/control_app.py): a window made wrong on
purpose, where it must find every planted fault, and the same window made right, where it must
find none. Then on every page and dialog of the app.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator

import pytest

pytestmark = [
    pytest.mark.skipif(sys.platform != "linux", reason="AT-SPI is the Linux accessibility stack"),
    pytest.mark.timeout(90),
]

if sys.platform == "linux":
    from tests.atspi import checks
    from tests.atspi.control_app import ERROR_MESSAGE, RESULT
    from tests.atspi.control_app import NAME as CONTROLS_NAME
    from tests.atspi.harness import APP_NAME, App, Stack, missing_tools

PAGES = (  # Ctrl+1 ... Ctrl+6 and each tab's name
    ("ctrl+1", "Cancel calls"),
    ("ctrl+2", "Find calls"),
    ("ctrl+3", "Calls from this desk"),
    ("ctrl+4", "Bulk cancel"),
    ("ctrl+5", "Schedule a test call"),
    ("ctrl+6", "History"),
)


# -- the stack ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    missing = missing_tools()
    assert not missing, f"the AT-SPI tests need {', '.join(missing)} (./dev test installs them)"
    running = Stack(tmp_path_factory.mktemp("atspi")).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def controls(stack) -> App:
    return stack.launch(CONTROLS_NAME, "control_app.py")


@pytest.fixture(scope="module")
def desk(stack, tmp_path_factory) -> Iterator[App]:
    app = stack.launch(APP_NAME, "desk_app.py", str(tmp_path_factory.mktemp("desk-profile")))
    app.wait_for(lambda: app.find(role="page tab list"), 60, "the main window's tabs")
    yield app
    app.close()
    assert app.qt_warnings() == [], "the app wrote warnings or errors"


def control_windows(controls: App) -> tuple[list[dict], str, str]:
    """The controls' tree, and the paths of the window made wrong and the one made right."""
    nodes = controls.tree()
    windows = {n["name"]: n["path"] for n in nodes if "." not in n["path"]}
    return nodes, windows["Made wrong on purpose"], windows["Made right"]


def main_window(desk: App, nodes: list[dict]) -> str:
    return next(n["path"] for n in nodes if "." not in n["path"] and n["role"] == "frame")


def show_page(desk: App, keys: str, title: str) -> list[dict]:
    desk.activate()
    desk.key(keys)

    def shown() -> list[dict] | None:
        nodes = desk.tree()
        tabs = [n for n in nodes if n["role"] == "page tab" and n["name"] == title and "selected" in n["states"]]
        return nodes if tabs else None

    return desk.wait_for(shown, 20, f"the page {title!r}")


def page_path(nodes: list[dict], title: str) -> str:
    """The path of the page now shown (the stack's showing child)."""
    stacked = next(n for n in nodes if n["role"] == "layered pane")
    pages = [
        n
        for n in nodes
        if n["path"].startswith(stacked["path"] + ".") and n["path"].count(".") == stacked["path"].count(".") + 1
    ]
    assert len(pages) == 1, f"{title}: {len(pages)} pages showing"
    return pages[0]["path"]


def new_window(desk: App, before: set[str], what: str) -> tuple[list[dict], str]:
    """Wait for a window that was not there before; the tree then, and its path."""

    def opened() -> tuple[list[dict], str] | None:
        nodes = desk.tree()
        fresh = [n["path"] for n in nodes if "." not in n["path"] and n["path"] not in before]
        return (nodes, fresh[0]) if fresh else None

    nodes, path = desk.wait_for(opened, 20, what)
    desk.activate(next(n["name"] for n in nodes if n["path"] == path))  # what a window manager does
    return desk.tree(), path


def windows_now(desk: App) -> set[str]:
    return {n["path"] for n in desk.tree() if "." not in n["path"]}


def close_back_to(desk: App, before: set[str], what: str) -> None:
    """Close the window on top with Escape, and give the focus back to the one under it (what a
    window manager does; there is none on this screen)."""
    desk.key("Escape")
    desk.wait_for(lambda: windows_now(desk) == before, 20, f"{what} to close")
    under = max(before, key=int)
    desk.activate(next(n["name"] for n in desk.tree() if n["path"] == under))


def field_for(nodes: list[dict], caption: str) -> dict:
    """The field a visible caption ("Reference ID:") labels, as a screen reader ties them."""
    by_path = {n["path"]: n for n in nodes}
    for node in checks.showing(nodes):
        if node["role"] == "label" and node["name"].replace("&", "") == caption:
            targets = node["relations"].get("label for", [])
            if targets and targets[0] in by_path:
                return by_path[targets[0]]
    raise AssertionError(f"no showing label {caption!r} labels a field")


def tab_to_path(desk: App, path: str, limit: int = 40, inside: bool = False) -> None:
    """Press Tab until the object at `path` (`inside`: or one inside it) has the focus, as a
    keyboard user gets to it."""
    now = desk.focused()
    seen = []
    for _ in range(limit):
        if now is not None and (now["path"] == path or (inside and now["path"].startswith(path + "."))):
            return
        seen.append(now and f"{now['role']} {now['name']!r} {now['path']}")
        now = desk.focus_after("Tab")
    raise AssertionError(f"Tab never reached {path}; the focus went: {seen}")


# -- one walk through every page and dialog, read by the checks below ----------------------------------


@pytest.fixture(scope="module")
def walk(desk) -> dict[str, tuple[list[dict], str]]:
    """What a screen reader finds in each place: {place: (tree, the path of its window)}."""
    places: dict[str, tuple[list[dict], str]] = {}
    for keys, title in PAGES:
        nodes = show_page(desk, keys, title)
        places[f"page {title}"] = (nodes, main_window(desk, nodes))
    before = windows_now(desk)
    desk.key("ctrl+shift+a")
    places["Accounts dialog"] = accounts = new_window(desk, before, "the Accounts dialog")
    add = next(n for n in accounts[0] if n["role"] == "push button" and n["name"].startswith("Add account"))
    tab_to_path(desk, add["path"])
    inner = windows_now(desk)
    desk.key("space")
    places["Add account dialog"] = new_window(desk, inner, "the Add account dialog")
    close_back_to(desk, inner, "the Add account dialog")
    close_back_to(desk, before, "the Accounts dialog")
    desk.key("ctrl+comma")
    places["Settings dialog"] = new_window(desk, before, "the Settings dialog")
    close_back_to(desk, before, "the Settings dialog")
    nodes = show_page(desk, "ctrl+1", "Cancel calls")
    tab_to_path(desk, field_for(nodes, "Reference ID:")["path"])
    desk.key("ctrl+a")
    desk.type("walk-question")
    desk.key("Return")
    places["Cancel confirmation"] = new_window(desk, before, "the cancel confirmation")
    close_back_to(desk, before, "the confirmation")
    return places


# -- the checks ---------------------------------------------------------------------------------------


def test_every_control_has_a_name(controls, walk):
    nodes, wrong, right = control_windows(controls)
    planted = checks.unnamed(checks.within(nodes, wrong))
    assert any("push button ''" in p and "no name" in p for p in planted), planted  # the icon-only button
    assert any("text ''" in p and "no name" in p for p in planted), planted  # the field without a label
    assert any("'&Name:'" in p and "mnemonic marker" in p for p in planted), planted
    assert checks.unnamed(checks.within(nodes, right)) == []

    problems = {place: checks.unnamed(checks.within(tree, window)) for place, (tree, window) in walk.items()}
    assert not any(problems.values()), report(problems)


def test_no_combo_box_is_named_by_its_value(controls, walk):
    nodes, wrong, right = control_windows(controls)
    planted = checks.combos_named_by_value(checks.within(nodes, wrong))
    assert len(planted) == 1 and "'Phone number'" in planted[0], planted
    assert checks.combos_named_by_value(checks.within(nodes, right)) == []

    problems = {place: checks.combos_named_by_value(tree) for place, (tree, _window) in walk.items()}
    assert not any(problems.values()), report(problems)


def test_no_alt_letter_is_used_twice_in_a_window(controls, walk):
    nodes, wrong, right = control_windows(controls)
    assert checks.alt_clashes(nodes, wrong) == ["Alt+A is used by push button 'Add', push button 'Apply'"]
    assert checks.alt_clashes(nodes, right) == []

    problems = {place: checks.alt_clashes(tree, window) for place, (tree, window) in walk.items()}
    assert not any(problems.values()), report(problems)


def test_field_errors_are_read_as_text_and_tied_to_their_fields(controls, desk):
    from desktop_app.service import InvalidInput
    from desktop_app.service import validation as check
    from desktop_app.ui.pages.schedule_numbers import parse_numbers

    nodes, wrong, right = control_windows(controls)
    field = next(n for n in checks.within(nodes, wrong) if n["name"] == "Reference ID" and n["role"] == "text")
    planted = checks.field_error_problems(checks.within(nodes, wrong), field, ERROR_MESSAGE)
    assert len(planted) == 2 and "no label reads" in planted[0] and "description" in planted[1], planted
    field = next(n for n in checks.within(nodes, right) if n["name"] == "Reference ID" and n["role"] == "text")
    assert checks.field_error_problems(checks.within(nodes, right), field, ERROR_MESSAGE) == []

    def message(validate, value: str) -> str:
        with pytest.raises(InvalidInput) as refused:
            validate(value)
        return refused.value.message

    problems: dict[str, list[str]] = {}
    # Cancel calls: a reference ID with a character not allowed, then a QueueID that is not a number.
    for caption, typed, expected in (
        ("Reference ID:", "bad*id", message(check.reference_id, "bad*id")),
        ("QueueID:", "12ab", message(check.queue_id, "12ab")),
    ):
        nodes = show_page(desk, "ctrl+1", "Cancel calls")
        tab_to_path(desk, field_for(nodes, caption)["path"])
        desk.key("ctrl+a")
        desk.type(typed)
        desk.key("Return")
        nodes = settle(desk, lambda tree, m=expected: any(n["name"] == m for n in checks.showing(tree)))
        problems[caption] = checks.field_error_problems(nodes, field_for(nodes, caption), expected)
    # Schedule a test call with nothing filled in: the numbers and the text are missing.
    nodes = show_page(desk, "ctrl+5", "Schedule a test call")
    tab_to_path(desk, field_for(nodes, "Phone number(s) to dial:")["path"])
    desk.key("ctrl+Return")
    wanted = {
        "Phone number(s) to dial:": parse_numbers("").problem,
        "Text to say:": message(check.text_to_say, ""),
    }
    nodes = settle(desk, lambda tree: any(n["name"] == wanted["Text to say:"] for n in checks.showing(tree)))
    for caption, expected in wanted.items():
        problems[caption] = checks.field_error_problems(nodes, field_for(nodes, caption), expected)
    assert not any(problems.values()), report(problems)


def report(problems: dict[str, list[str]]) -> str:
    return "\n" + "\n".join(f"{place}: {problem}" for place, found in problems.items() for problem in found)


def settle(app: App, condition, timeout: float = 6) -> list[dict]:
    """The tree once `condition(tree)` holds, or after `timeout` (the check then says what is wrong)."""
    deadline = time.monotonic() + timeout
    while True:
        nodes = app.tree()
        if condition(nodes) or time.monotonic() > deadline:
            return nodes
        time.sleep(0.2)


def field_named(nodes: list[dict], name: str) -> dict:
    found = [n for n in checks.showing(nodes) if n["name"] == name and n["role"] in checks.CONTROLS]
    assert found, f"no control named {name!r} is showing"
    return found[0]


def button_starting(nodes: list[dict], start: str) -> dict:
    found = [n for n in checks.showing(nodes) if n["role"] == "push button" and n["name"].startswith(start)]
    assert found, f"no button {start!r}… is showing"
    return found[0]


def tab_cycle(app: App, limit: int = 60) -> list[dict]:
    """Press Tab from where the focus is until it comes round: what had it after each press. The
    cycle begins at the first stop it comes back to: the start, or, when the start was no Tab stop
    (right after a window is activated the focus can be on something Tab never returns to; seen in
    CI), the first stop after it."""
    start = app.focused()
    assert start is not None
    stops = [start]
    first_seen = {start["path"]: 0}
    for _ in range(limit):
        now = app.focus_after("Tab")
        stops.append(now)
        moved = now["path"] != stops[-2]["path"]  # (a Tab that stays is a fault the check reports)
        if moved and now["path"] in first_seen:
            return stops[first_seen[now["path"]] : -1]
        first_seen.setdefault(now["path"], len(stops) - 1)
    raise AssertionError(f"the focus did not come round in {limit} Tab presses: {[s['name'] for s in stops]}")


def test_tab_order_of_the_schedule_and_cancel_pages(controls, desk):
    for title, planted in (("Made wrong on purpose", True), ("Made right", False)):
        controls.activate(title)
        nodes = controls.tree()
        window = next(n["path"] for n in nodes if n["name"] == title and "." not in n["path"])
        problems = checks.tab_order_problems(tab_cycle(controls), nodes, window)
        if planted:
            assert any("Tab goes back up" in p and "'Third'" in p and "'Second'" in p for p in problems), problems
            assert any("Tab stays on spin button 'When'" in p for p in problems), problems
        else:
            assert problems == []

    problems = {title: page_tab_order(desk, keys, title) for keys, title in (PAGES[0], PAGES[4])}
    assert not any(problems.values()), report(problems)


def page_tab_order(desk: App, keys: str, title: str) -> list[str]:
    """The Tab order check of one page, entered from its tab bar."""
    nodes = show_page(desk, keys, title)
    page = page_path(nodes, title)
    bar = next(n["path"] for n in checks.showing(nodes) if n["role"] == "page tab list")
    tab_to_path(desk, bar, inside=True)
    desk.focus_after("Tab")  # from the tab bar into the page, as a keyboard user enters it
    return checks.tab_order_problems(tab_cycle(desk), nodes, page)


def test_tab_order_of_the_other_pages(desk):
    """The same check (its positive control is in the test above) on the four other pages, as they
    are before any result (test_a11y_keyboard walks them after results too, at Qt level)."""
    problems = {title: page_tab_order(desk, keys, title) for keys, title in (PAGES[1], PAGES[2], PAGES[3], PAGES[5])}
    assert not any(problems.values()), report(problems)


def wait_result(app: App, since: int, pattern: str, politeness: int | None = None, timeout: float = 20) -> list[str]:
    """The check of a result: wait for it to be said (or shown, then check it was said; with
    `politeness`, announced with it)."""
    wanted = re.compile(pattern, re.IGNORECASE)

    def settled() -> bool:
        if not checks.result_problems(app.events(since), pattern):  # said (with any politeness) or focused
            return True
        return any(wanted.search(n["name"]) for n in checks.showing(app.tree()))

    app.wait_for(settled, timeout, f"a result /{pattern}/")
    time.sleep(0.5)  # an announcement that follows the result on screen
    return checks.result_problems(app.events(since), pattern, politeness)


def press(app: App, node: dict) -> None:
    """Tab to a button and press it with the space bar."""
    tab_to_path(app, node["path"])
    app.key("space")


def confirm(app: App, before: set[str], yes: str) -> None:
    nodes, window = new_window(app, before, "a confirmation")
    press(app, button_starting(checks.within(nodes, window), yes))


def test_each_result_is_announced_or_takes_the_focus(controls, desk):
    """The problem summary, a booking, a look-up and a cancel (bulk and add account: below)."""
    for title, planted in (("Made wrong on purpose", True), ("Made right", False)):
        controls.activate(title)
        nodes = controls.tree()
        window = next(n["path"] for n in nodes if n["name"] == title and "." not in n["path"])
        since = controls.mark()
        press(controls, button_starting(checks.within(nodes, window), "Show the result"))
        time.sleep(1)
        found = checks.result_problems(controls.events(since), re.escape(RESULT))
        assert bool(found) == planted, found
        if not planted:  # announced polite (Qt's default): asked for assertive, the check says so
            assert checks.result_problems(controls.events(since), re.escape(RESULT), checks.POLITE) == []
            wrong = checks.result_problems(controls.events(since), re.escape(RESULT), checks.ASSERTIVE)
            assert wrong == [f"/{re.escape(RESULT)}/ was announced polite, not assertive"], wrong

    before = windows_now(desk)
    problems = booking_results(desk)
    problems.update(lookup_and_cancel_results(desk, before, problems.pop("reference ID")[0]))
    assert not any(problems.values()), report(problems)


def test_the_bulk_and_add_account_results_are_announced_or_take_the_focus(controls, desk):
    """The same check (its positive control is in the test above) on two more results."""
    problems = bulk_and_account_results(desk, windows_now(desk))
    assert not any(problems.values()), report(problems)


def booking_results(desk: App) -> dict[str, list[str]]:
    """The problem summary (Schedule with nothing filled in), then a booking."""
    problems = {}
    nodes = show_page(desk, "ctrl+5", "Schedule a test call")
    since = desk.mark()
    desk.key("ctrl+Return")
    problems["problem summary"] = wait_result(desk, since, r"to fix", checks.ASSERTIVE)  # an error interrupts
    tab_to_path(desk, field_for(nodes, "Phone number(s) to dial:")["path"])
    desk.type("2015550123")
    tab_to_path(desk, field_for(nodes, "Text to say:")["path"])
    desk.type("Hello from the accessibility test.")
    problems["reference ID"] = [field_for(desk.tree(), "Reference ID:")["text"]]
    since = desk.mark()
    desk.key("ctrl+Return")
    problems["schedule"] = wait_result(desk, since, r"Booked")
    return problems


def lookup_and_cancel_results(desk: App, before: set[str], reference: str) -> dict[str, list[str]]:
    """A look-up of the number just booked, then a cancel by the booking's reference ID."""
    problems = {}
    nodes = show_page(desk, "ctrl+2", "Find calls")
    tab_to_path(desk, field_named(nodes, "What to look up")["path"])
    desk.key("ctrl+a")
    desk.type("2015550123")
    since = desk.mark()
    desk.key("Return")
    problems["look-up"] = wait_result(desk, since, r"\b1 call found", checks.POLITE)  # a result waits its turn
    nodes = show_page(desk, "ctrl+1", "Cancel calls")
    tab_to_path(desk, field_for(nodes, "Reference ID:")["path"])
    desk.key("ctrl+a")
    desk.type(reference)
    desk.key("Return")
    since = desk.mark()
    confirm(desk, before, "Cancel the calls")
    desk.activate()
    problems["cancel"] = wait_result(desk, since, r"\b1 call cancelled")  # the one booked above, not "No calls…"
    return problems


def broadcast_booking(desk: App, reference: str) -> list[str]:
    """A test broadcast to two numbers with the reference ID `reference`, from the Schedule page."""
    nodes = show_page(desk, "ctrl+5", "Schedule a test call")
    for caption, typed in (
        ("Phone number(s) to dial:", "2015550124, 2015550125"),
        ("Text to say:", "A broadcast from the accessibility test."),
        ("Reference ID:", reference),
    ):
        tab_to_path(desk, field_for(nodes, caption)["path"])
        desk.key("ctrl+a")
        desk.type(typed)
    since = desk.mark()
    desk.key("ctrl+Return")
    return wait_result(desk, since, r"\b2 of 2 numbers booked")


def bulk_and_account_results(desk: App, before: set[str]) -> dict[str, list[str]]:
    """A bulk cancel of two reference IDs, one with the two calls of a test broadcast, then a new
    account in the Accounts dialog."""
    problems = {"broadcast": broadcast_booking(desk, "atspi-bulk-1")}
    nodes = show_page(desk, "ctrl+4", "Bulk cancel")
    tab_to_path(desk, field_named(nodes, "List to cancel")["path"])
    desk.type("atspi-bulk-1")
    desk.key("Return")  # xdotool types a "\n" as nothing: one line, "atspi-bulk-1atspi-bulk-2"
    desk.type("atspi-bulk-2")
    press(desk, button_starting(desk.tree(), "Check list"))
    desk.wait_for(lambda: "enabled" in button_starting(desk.tree(), "Cancel all")["states"], 20, "Cancel all")
    press(desk, button_starting(desk.tree(), "Cancel all"))
    since = desk.mark()
    confirm(desk, before, "Cancel the calls")
    desk.activate()
    problems["bulk"] = wait_result(desk, since, r"\b2 calls cancelled across 1 reference ID")  # not "0 calls…"
    desk.key("ctrl+shift+a")
    accounts = new_window(desk, before, "the Accounts dialog")
    inner = windows_now(desk)
    press(desk, button_starting(accounts[0], "Add account"))
    nodes, window = new_window(desk, inner, "the Add account dialog")
    tab_to_path(desk, field_named(checks.within(nodes, window), "Account name")["path"])
    desk.type("Night desk")
    tab_to_path(desk, field_named(checks.within(nodes, window), "License key")["path"])
    desk.type("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")
    since = desk.mark()
    press(desk, button_starting(desk.tree(), "Save"))
    desk.wait_for(lambda: windows_now(desk) == inner, 20, "the Add account dialog to close")
    desk.activate(next(n["name"] for n in desk.tree() if n["path"] == accounts[1]))
    problems["add account"] = wait_result(desk, since, r"added", checks.POLITE)
    close_back_to(desk, before, "the Accounts dialog")
    return problems
