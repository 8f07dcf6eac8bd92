"""The house rules, read from the source: no import circles, no Qt below the UI, pages never see
the main window, tables are views over models, and the UI is composed, not mixed in.

How long a file may be is left to judgement (docs/testing.md); ruff's complexity rules (C901,
PLR0912, PLR0915 in pyproject.toml) bound each function instead."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "desktop_app"
NO_QT = ("service/", "storage/", "sandbox/", "desk.py", "bulk.py", "bulk_owners.py", "watch.py", "heavy_stacks.py")
QT_MODULES = ("PySide6", "shiboken6")
# Widgets and models that keep their own copy of the data: every table must be a view over a model.
ITEM_BASED = ("QTableWidget", "QTreeWidget", "QListWidget", "QStandardItemModel")


def module_name(path: Path, root: Path = PACKAGE.parent) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path = PACKAGE.parent) -> set[str]:
    """Every module `path` imports, absolute, including imports inside functions and those made
    by name with `importlib.import_module("...")` (a literal name)."""
    here = module_name(path, root).split(".")
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
        elif (name := _imported_by_name(node)) is not None:
            found.add(".".join([*package, name.lstrip(".")]) if name.startswith(".") else name)
    return found


def _imported_by_name(node: ast.AST) -> str | None:
    """The literal module name of an `importlib.import_module("name")` call, else None."""
    if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
        return None
    function = node.func
    called = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
    name = node.args[0].value
    return name if called == "import_module" and isinstance(name, str) else None


def names_used(path: Path) -> set[str]:
    """Every identifier `path` mentions: names, attributes and imported names."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.alias):
            found.add(node.name.rsplit(".", 1)[-1])
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


def item_based_widgets(paths: list[Path]) -> list[str]:
    return [f"{path.name}: {name}" for path in paths for name in sorted(names_used(path) & set(ITEM_BASED))]


def test_every_table_is_a_view_over_a_model():
    assert item_based_widgets(list((PACKAGE / "ui").rglob("*.py"))) == []


def test_the_table_check_sees_each_item_based_widget(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from PySide6.QtWidgets import QTreeWidget\n"
        "from PySide6 import QtGui, QtWidgets\n"
        "a = QtWidgets.QListWidget()\nb = QtGui.QStandardItemModel()\nc = QtWidgets.QTableWidget()\n"
    )
    assert item_based_widgets([sample]) == [f"sample.py: {name}" for name in sorted(ITEM_BASED)]


def mixed_classes(paths: list[Path]) -> list[str]:
    """Classes named as mixins, or built from more than one class (Generic[...] and Protocol aside)."""
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = [ast.unparse(base) for base in node.bases]
            real = [b for b in bases if not b.startswith(("Generic[", "Protocol"))]
            if node.name.endswith("Mixin") or any(b.endswith("Mixin") for b in bases) or len(real) > 1:
                found.append(f"{path.name}: {node.name}({', '.join(bases)})")
    return found


def test_the_ui_is_composed_not_mixed_in():
    assert mixed_classes(list((PACKAGE / "ui").rglob("*.py"))) == []


def test_the_mixin_check_sees_a_mixin_and_multiple_bases(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "class SavedMixin: ...\nclass Page(SavedMixin, QWidget): ...\nclass Both(QObject, Other): ...\n"
        "class Model(QAbstractTableModel, Generic[Row]): ...\n"
    )
    assert mixed_classes([sample]) == [
        "sample.py: SavedMixin()",
        "sample.py: Page(SavedMixin, QWidget)",
        "sample.py: Both(QObject, Other)",
    ]


def test_imports_made_by_name_are_seen(tmp_path):
    package = tmp_path / "desktop_app"
    package.mkdir()
    sample = package / "sample.py"
    sample.write_text("import importlib\nimportlib.import_module('zeep')\nimportlib.import_module('.service', 'x')\n")
    assert {"zeep", "desktop_app.service"} <= imports_of(sample, root=tmp_path)


def test_nothing_patches_pyside_internals():
    offenders = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if "shibokensupport" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
