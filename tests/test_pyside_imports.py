"""PySide6's import hook decides, for every module imported after it, whether the module uses
PySide (for its optional `__feature__` switches). The app answers that question from the file's
bytes instead of `inspect.getsource` (desktop_app/ui/pyside_imports.py): the same answers, without
tokenizing every source before the first paint. And the first screen sets its Qt values without
`PySide6.QtCore.Qt` (desktop_app/ui/widgets/panels.py, set_property)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import inspect, sys
sys.path.insert(0, sys.argv[1])
if sys.argv[2] == "app":
    from desktop_app.ui.pyside_imports import skip_feature_scan
    skip_feature_scan()
else:
    import PySide6.QtCore
feature = sys.modules["shibokensupport.feature"]
read = []
real_getsource = inspect.getsource
inspect.getsource = lambda module: read.append(module.__name__) or real_getsource(module)
import uses_qt, plain
mine = [name for name in read if name in ("uses_qt", "plain")]
print(feature.pyside_feature_dict["uses_qt"], feature.pyside_feature_dict["plain"], ",".join(mine) or "-")
"""


def _run(folder: Path, mode: str) -> list[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1"}
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(folder), mode], capture_output=True, text=True, env=env, timeout=60
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.split()


def test_modules_get_pysides_own_answer_without_their_sources_being_tokenized(tmp_path):
    (tmp_path / "uses_qt.py").write_text("from PySide6.QtCore import QObject\n")
    (tmp_path / "plain.py").write_text("VALUE = 1\n")

    # PySide alone: 0 ("uses PySide: no feature") and -1 ("ignore"), found by reading each source.
    assert _run(tmp_path, "pyside") == ["0", "-1", "uses_qt,plain"]
    # The app's way: the same answers, and no source went through inspect.
    assert _run(tmp_path, "app") == ["0", "-1", "-"]


def test_the_role_ints_and_set_property_do_what_qts_own_api_does(qtbot):
    """The first screen avoids `PySide6.QtCore.Qt` (its first touch builds 93 enums, 17 ms): item
    roles are plain ints, and widget settings go through Qt's property system by name. Both must
    be exactly what the typed API would have set."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QLabel, QPushButton

    from desktop_app.ui.models import table
    from desktop_app.ui.widgets import set_property

    for constant, role in (
        ("DISPLAY_ROLE", "DisplayRole"),
        ("TOOLTIP_ROLE", "ToolTipRole"),
        ("FOREGROUND_ROLE", "ForegroundRole"),
        ("ACCESSIBLE_TEXT_ROLE", "AccessibleTextRole"),
        ("USER_ROLE", "UserRole"),
    ):
        assert getattr(table, constant) == getattr(Qt.ItemDataRole, role).value, constant
    label = QLabel()
    qtbot.addWidget(label)
    set_property(label, "textFormat", "PlainText")
    set_property(label, "alignment", "AlignCenter")
    set_property(label, "textInteractionFlags", "TextSelectableByMouse")
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.alignment() == Qt.AlignmentFlag.AlignCenter
    assert label.textInteractionFlags() == Qt.TextInteractionFlag.TextSelectableByMouse
    button = QPushButton()
    qtbot.addWidget(button)
    set_property(button, "shortcut", "Ctrl+Return")
    assert button.shortcut() == QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Return)
    for name, value in (("textFormat", "Plain"), ("textFormatt", "PlainText")):  # a typo must not pass
        try:
            set_property(label, name, value)
        except ValueError as error:
            assert name in str(error)
        else:
            raise AssertionError(f"set_property took {name}={value!r}")
    assert label.textFormat() == Qt.TextFormat.PlainText
