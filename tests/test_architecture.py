"""The house rules, read from the source: no import circles, no Qt below the UI, pages never see
the main window, and files small enough to read at once."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "desktop_app"
NO_QT = ("service/", "storage/", "sandbox/", "desk.py", "bulk.py", "bulk_owners.py", "watch.py", "heavy_imports.py")
QT_MODULES = ("PySide6", "shiboken6")
MAX_LINES = 360  # "about 350"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports, absolute, including imports inside functions."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, node.module] if node.module else base)
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def internal_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        graph[name] = {m for m in imports_of(path) if m in files and m != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle, ignoring a package's own __init__ (importing a submodule runs its package first)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if node.startswith(target + "."):  # a module importing its own package
                continue
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_imports_of_desktop_app_form_no_circle():
    assert find_cycle(internal_graph()) is None


def test_the_cycle_finder_finds_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a.x": {"a"}, "a": {"a.x"}}) is None  # a package and its own submodule


def test_no_qt_in_the_service_layer_storage_desk_bulk_or_sandbox():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(NO_QT) or relative in NO_QT:
            qt = sorted(m for m in imports_of(path) if m.split(".")[0] in QT_MODULES)
            if qt:
                offenders.append(f"{relative}: {qt}")
    assert offenders == []


def test_the_sandbox_does_not_read_the_clients_data():
    """The oracle must not share data with what it tests: only the WSDL (resources) is shared."""
    offenders = []
    for path in (PACKAGE / "sandbox").rglob("*.py"):
        for module in imports_of(path):
            if module.startswith(("desktop_app.service", "desktop_app.ui", "desktop_app.storage")):
                offenders.append(f"{path.name}: {module}")
    assert offenders == []


def test_pages_and_dialogs_never_import_the_main_window():
    offenders = []
    for folder in ("ui/pages", "ui/dialogs", "ui/models", "ui/widgets"):
        for path in (PACKAGE / folder).rglob("*.py"):
            if any(m.startswith("desktop_app.ui.main_window") for m in imports_of(path)):
                offenders.append(path.relative_to(PACKAGE).as_posix())
    assert offenders == []


def test_selftest_does_not_import_app():
    """app.py starts the self-test; both share logging_setup instead of importing each other."""
    assert "desktop_app.app" not in internal_graph()["desktop_app.selftest"]


def test_every_table_is_a_view_over_a_model():
    offenders = []
    for path in (PACKAGE / "ui").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "QTableWidget" in text or "QListWidgetItem" in text:
            offenders.append(path.relative_to(PACKAGE).as_posix())
    assert offenders == []


def test_files_are_small_enough_to_read_at_once():
    long = {
        path.relative_to(PACKAGE).as_posix(): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
