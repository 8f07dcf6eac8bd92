#!/usr/bin/python3
"""An AT-SPI client that reads an application the way a screen reader does, for the tests.

It runs under Debian's /usr/bin/python3 (pyatspi, from the python3-pyatspi package, is not in the
virtual environment) and talks JSON, one object a line: a request on stdin, its answer on stdout.
From the start it records the events a screen reader acts on (focus, announcements, alerts,
windows, names and descriptions changing), with what their source is.

Requests ({"op": ..., ...}):
  app      {"name"}                       wait until the application is on the bus
  tree     {"app", "all": false}          its windows and what they contain (only what is showing
                                          unless "all"): role, name, description, states, relations,
                                          actions and their key bindings, text
  events   {"since": n}                   the events recorded since the n-th
  focused  {"app"}                        the object with the focus now (searched, not remembered)
  action   {"app", "path", "name"}        run an object's action ("Press", "SetFocus", ...)
  quit
Every object is named by its path: the index of each child from the application down ("0.3.1").
"""

from __future__ import annotations

import json
import sys
import time

import gi

gi.require_version("Atspi", "2.0")
import pyatspi  # noqa: E402
from gi.repository import Atspi, GLib  # noqa: E402

EVENTS = (
    "focus:",
    "object:state-changed:focused",
    "object:state-changed:showing",
    "object:announcement",
    "object:property-change:accessible-name",
    "object:property-change:accessible-description",
    "window:activate",
    "window:create",
)
TEXT_ROLES = {"label", "text", "paragraph", "heading", "static", "entry", "password text", "status bar"}
recorded: list[dict] = []
last_focus: dict[str, str] = {}  # application name: the path of the object that got the focus last


def path_of(acc) -> str:
    steps = []
    node = acc
    for _ in range(60):
        parent = node.parent
        if parent is None or parent.getRole() == pyatspi.ROLE_DESKTOP_FRAME:
            break
        steps.append(node.getIndexInParent())
        node = parent
    return ".".join(str(i) for i in reversed(steps))


def describe(acc) -> dict:
    try:
        return {"role": acc.getRoleName(), "name": acc.name or "", "description": acc.description or ""}
    except Exception as error:  # the object went away
        return {"role": "?", "name": "", "description": "", "error": str(error)}


def on_event(event) -> None:
    entry = {"type": event.type, "detail1": event.detail1, "detail2": event.detail2, "time": time.monotonic()}
    entry["data"] = event.any_data if isinstance(event.any_data, (str, int, float)) else None
    entry.update(describe(event.source))
    try:
        entry["app"] = event.source.getApplication().name
        if event.type == "focus:" or (event.type == "object:state-changed:focused" and event.detail1):
            entry["path"] = last_focus[entry["app"]] = path_of(event.source)
    except Exception:
        entry["app"] = ""
    recorded.append(entry)


def find_app(name: str):
    desktop = pyatspi.Registry.getDesktop(0)
    for index in range(desktop.childCount):
        app = desktop.getChildAtIndex(index)
        if app is not None and app.name == name:
            # Read every property live: names change (a label given its buddy after it was made)
            # without an event that would refresh a cached copy.
            app.set_cache_mask(Atspi.Cache.NONE)
            return app
    return None


def by_path(app, path: str):
    node = app
    for step in filter(None, path.split(".")):
        node = node.getChildAtIndex(int(step))
    return node


def node_of(acc, path: str, window: int) -> dict:
    info = describe(acc)
    states = acc.getState()
    info["path"] = path
    info["window"] = window
    info["states"] = sorted(pyatspi.stateToString(s) for s in states.getStates())
    relations = {}
    for relation in acc.getRelationSet():
        kind = pyatspi.relationToString(relation.getRelationType()) if hasattr(pyatspi, "relationToString") else ""
        kind = kind or str(relation.getRelationType())
        relations[kind] = [path_of(relation.getTarget(i)) for i in range(relation.getNTargets())]
    info["relations"] = relations
    actions = []
    try:
        action = acc.queryAction()
        for index in range(action.nActions):
            actions.append({"name": action.getName(index), "key": action.getKeyBinding(index)})
    except NotImplementedError:
        pass
    info["actions"] = actions
    info["text"] = None
    if info["role"] in TEXT_ROLES:
        try:
            text = acc.queryText()
            info["text"] = text.getText(0, min(text.characterCount, 2000))
        except NotImplementedError:
            pass
    try:
        info["attributes"] = dict(a.split(":", 1) for a in acc.getAttributes() if ":" in a)
    except Exception:
        info["attributes"] = {}
    try:
        info["id"] = acc.get_accessible_id() or ""
    except Exception:
        info["id"] = ""
    info["children"] = acc.childCount
    info["value"] = value_of(acc) if info["role"] == "combo box" else None
    try:
        box = acc.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        info["box"] = [box.x, box.y, box.width, box.height]
    except NotImplementedError:
        info["box"] = None
    return info


def value_of(combo) -> str:
    """What a combo box shows: its selected item (its list is a child, showing or not)."""
    for index in range(combo.childCount):
        child = combo.getChildAtIndex(index)
        try:
            selection = child.querySelection()
        except NotImplementedError:
            continue
        if selection.nSelectedChildren:
            return selection.getSelectedChild(0).name or ""
    try:
        text = combo.queryText()
        return text.getText(0, text.characterCount)
    except NotImplementedError:
        return ""


def walk(acc, path: str, window: int, everything: bool, out: list, depth: int = 0) -> None:
    if depth > 40:
        return
    info = node_of(acc, path, window)
    if not everything and "showing" not in info["states"] and depth > 0:
        return
    out.append(info)
    count = acc.childCount
    if info["role"] in ("table", "tree table", "list", "tree") and count > 60:
        count = 60  # the rows of a long table or list add nothing a check needs
    for index in range(count):
        child = acc.getChildAtIndex(index)
        if child is not None:
            walk(child, f"{path}.{index}" if path else str(index), window, everything, out, depth + 1)


def tree(app_name: str, everything: bool) -> list:
    app = find_app(app_name)
    if app is None:
        raise LookupError(f"no application {app_name!r} on the AT-SPI bus")
    app.clearCache()
    out: list = []
    for index in range(app.childCount):
        window = app.getChildAtIndex(index)
        if window is not None:
            walk(window, str(index), index, everything, out)
    return out


def focused(app_name: str) -> dict | None:
    """The object that got the focus last, as the focus events say (a screen reader follows them;
    a table's cells keep a focused state of their own, so searching the states would mislead)."""
    path = last_focus.get(app_name)
    if path is None:
        return searched_focus(app_name)
    try:
        acc = by_path(find_app(app_name), path)
        acc.clearCache()
        return node_of(acc, path, int(path.split(".")[0]))
    except Exception:  # gone since (a closed dialog)
        return None


def searched_focus(app_name: str) -> dict | None:
    """Before any focus event: the focused object of the active window, searched."""
    nodes = tree(app_name, False)
    active = [n["path"] for n in nodes if "." not in n["path"] and "active" in n["states"]]
    for node in nodes:
        inside = any(node["path"].startswith(path + ".") for path in active)
        if inside and "focused" in node["states"]:
            return node
    return None


def handle(request: dict):
    op = request["op"]
    if op == "app":
        deadline = time.monotonic() + request.get("timeout", 30)
        while time.monotonic() < deadline:
            if find_app(request["name"]) is not None:
                return True
            time.sleep(0.1)
        raise LookupError(f"no application {request['name']!r} on the AT-SPI bus")
    if op == "tree":
        return tree(request["app"], request.get("all", False))
    if op == "events":
        return recorded[request.get("since", 0) :]
    if op == "count":
        return len(recorded)
    if op == "focused":
        return focused(request["app"])
    if op == "action":
        acc = by_path(find_app(request["app"]), request["path"])
        action = acc.queryAction()
        names = [action.getName(i) for i in range(action.nActions)]
        return action.doAction(names.index(request["name"]))
    if op == "quit":
        pyatspi.Registry.stop()
        return True
    raise ValueError(f"unknown op {op!r}")


def on_stdin(channel, _condition) -> bool:
    line = channel.readline()
    if not line:
        pyatspi.Registry.stop()
        return False
    try:
        answer = {"ok": True, "value": handle(json.loads(line))}
    except Exception as error:  # the test reads it and fails with it
        answer = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
    return True


def main() -> None:
    for kind in EVENTS:
        pyatspi.Registry.registerEventListener(on_event, kind)
    channel = GLib.IOChannel.unix_new(sys.stdin.fileno())
    GLib.io_add_watch(channel, GLib.PRIORITY_DEFAULT, GLib.IOCondition.IN | GLib.IOCondition.HUP, on_stdin)
    sys.stdout.write(json.dumps({"ok": True, "value": "ready"}) + "\n")
    sys.stdout.flush()
    pyatspi.Registry.start()


if __name__ == "__main__":
    main()
