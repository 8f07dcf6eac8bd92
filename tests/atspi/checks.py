"""The checks of tests/test_atspi.py, on what the reader reads (tests/atspi/reader.py): a list of
objects (role, name, description, states, relations, actions, box, path) and the events recorded.
Each returns the problems it finds, in words; an empty list is a pass. The same checks run on the
app and on the positive controls (control_app.py)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

# What a user operates: each needs a name a screen reader can say.
CONTROLS = {
    "push button",
    "toggle button",
    "check box",
    "radio button",
    "text",
    "password text",
    "entry",
    "combo box",
    "spin button",
    "slider",
    "page tab",
    "menu item",
    "table",
    "tree table",
    "list",
    "tree",
}
RAW_MNEMONIC = re.compile(r"(?<!&)&[^\s&]")  # "&Name": Qt did not turn the marker into a shortcut


def showing(nodes: Iterable[dict]) -> list[dict]:
    return [n for n in nodes if "showing" in n["states"]]


def within(nodes: Iterable[dict], path: str) -> list[dict]:
    return [n for n in nodes if n["path"] == path or n["path"].startswith(path + ".")]


def label(node: dict) -> str:
    return f"{node['role']} {node['name']!r} ({node['path']})"


def unnamed(nodes: list[dict]) -> list[str]:
    """Controls a screen reader can only call by their role, and names that carry a raw "&"."""
    problems = [f"{label(n)} has no name" for n in showing(nodes) if n["role"] in CONTROLS and not n["name"].strip()]
    problems += [
        f"{label(n)}: the name shows the mnemonic marker" for n in showing(nodes) if RAW_MNEMONIC.search(n["name"])
    ]
    return problems


def combos_named_by_value(nodes: list[dict]) -> list[str]:
    """Combo boxes whose only name is the value they show. Qt on Linux names a combo box by its
    current text (setAccessibleName does not reach AT-SPI); its purpose reaches a screen reader
    through the label it is labelled by (QLabel.setBuddy)."""
    by_path = {n["path"]: n for n in nodes}
    problems = []
    for combo in showing(nodes):
        if combo["role"] != "combo box":
            continue
        labels = [by_path[p]["name"] for p in combo["relations"].get("labelled by", []) if p in by_path]
        purposes = [name for name in [*labels, combo["name"]] if name.strip() and name != combo["value"]]
        if not purposes:
            problems.append(f"combo box {combo['name']!r} ({combo['path']}) is named only by its value")
    return problems


def field_error_problems(nodes: list[dict], field: dict, message: str) -> list[str]:
    """The error `message` of `field` is read as text (a label named by the message) and tied to
    the field (in its description)."""
    problems = []
    if not [n for n in showing(nodes) if n["role"] == "label" and n["name"] == message]:
        near = sorted({n["name"] for n in showing(nodes) if n["role"] == "label" and n["name"]})
        problems.append(f"no label reads the error {message!r} (labels read: {near})")
    if message not in field["description"]:
        problems.append(f"{label(field)}: its description {field['description']!r} does not hold its error {message!r}")
    return problems


def alt_keys(node: dict) -> set[str]:
    keys = set()
    for action in node["actions"]:
        for binding in re.split(r"[;\s]+", action["key"] or ""):
            match = re.fullmatch(r"(?i)(?:alt\+|<alt>)(\w)", binding)
            if match:
                keys.add(f"Alt+{match.group(1).upper()}")
    return keys


def alt_clashes(nodes: list[dict], window: str) -> list[str]:
    """Alt letters (mnemonics, as AT-SPI gives them to a screen reader) used by more than one control
    showing in the window `window` (a path). A tab list repeats its current tab's key: not a clash."""
    users: dict[str, set[str]] = {}
    for node in showing(within(nodes, window)):
        if node["role"] == "page tab list":
            continue
        for key in alt_keys(node):
            users.setdefault(key, set()).add(f"{node['role']} {node['name']!r}")
    return [f"{key} is used by {', '.join(sorted(who))}" for key, who in sorted(users.items()) if len(who) > 1]


def _above(a: list[int], b: list[int]) -> bool:
    """`a` lies entirely above `b` (boxes x, y, width, height)."""
    return a[1] + a[3] <= b[1] + 2


def tab_order_problems(stops: list[dict], nodes: list[dict], area: str) -> list[str]:
    """`stops`: what had the focus after each Tab press, in turn. Within the part of the window at
    path `area`: every Tab moves the focus (a field is one Tab stop), the focus never goes back in
    reading order (up, or left on the same row), and every focusable control showing is reached
    (of a group of radio buttons, the checked one)."""
    problems = []
    inside = [s for s in stops if s["path"] == area or s["path"].startswith(area + ".")]
    for before, after in itertools.pairwise(inside):
        if before["path"] == after["path"]:
            problems.append(f"Tab stays on {label(before)}: it is more than one Tab stop")
            continue
        a, b = before["box"], after["box"]
        if a is None or b is None:
            continue
        if _above(b, a):
            problems.append(f"Tab goes back up, from {label(before)} to {label(after)}")
        elif not _above(a, b) and b[0] + b[2] <= a[0] + 2:
            problems.append(f"Tab goes back left on a row, from {label(before)} to {label(after)}")
    reached = {s["path"] for s in inside}
    for node in showing(within(nodes, area)):
        wanted = node["role"] in CONTROLS and {"focusable", "enabled"} <= set(node["states"])
        if node["role"] == "radio button" and "checked" not in node["states"]:
            wanted = False  # a group of radio buttons is one Tab stop, its checked one; arrows move in it
        if wanted and node["role"] not in ("page tab", "menu item") and node["path"] not in reached:
            problems.append(f"Tab never reaches {label(node)}")
    return problems


def _plain(text: object) -> str:
    return " ".join(str(text or "").split())


# The politeness an object:announcement carries in its detail1 (AtspiLive; Qt 6.8+ sends
# Assertive as ATSPI_LIVE_ASSERTIVE, everything else as ATSPI_LIVE_POLITE).
POLITE, ASSERTIVE = 1, 2
POLITENESS_WORDS = {0: "no politeness", POLITE: "polite", ASSERTIVE: "assertive"}


def result_problems(events: list[dict], pattern: str, politeness: int | None = None) -> list[str]:
    """A result matching `pattern` (a regular expression) was announced (object:announcement), or
    an object whose name or description matches it got the focus. With `politeness` (POLITE or
    ASSERTIVE), it must have been announced, with that politeness: an error interrupts what the
    screen reader is saying, a result waits its turn."""
    wanted = re.compile(pattern, re.IGNORECASE)
    for event in events:
        said = event["type"] == "object:announcement" and wanted.search(_plain(event["data"]))
        if said and politeness in (None, event["detail1"]):
            return []
        if politeness is not None:
            continue
        focus = event["type"] == "focus:" or (event["type"] == "object:state-changed:focused" and event["detail1"])
        if focus and (wanted.search(_plain(event["name"])) or wanted.search(_plain(event["description"]))):
            return []
    said = [e for e in events if e["type"] == "object:announcement" and wanted.search(_plain(e["data"]))]
    if politeness is not None and said:
        how = sorted({POLITENESS_WORDS.get(e["detail1"], str(e["detail1"])) for e in said})
        return [f"/{pattern}/ was announced {' and '.join(how)}, not {POLITENESS_WORDS[politeness]}"]
    heard = [
        f"{e['type']} {e['role']} {e['name']!r} {e['data']!r}"
        for e in events
        if e["type"] != "object:state-changed:showing"
    ]
    return [f"no announcement or focus said /{pattern}/; a screen reader heard: {heard[-8:]}"]
