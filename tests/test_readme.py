"""The README stays true: its Scripting example runs, and CI runs the README's test command."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_scripting_example_runs(tmp_path, capsys):
    section = README.split("## Scripting", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    script = tmp_path / "example.py"
    script.write_text(code)
    runpy.run_path(str(script))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(" Queued")
    assert lines[1] == "Scheduled - waiting for its time"
    assert lines[2] == "1 Your account is credited for the 1 cancelled call."


def test_ci_runs_the_readme_test_command():
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^(\./dev \w+)", quick_start, re.MULTILINE)
    assert commands == ["./dev run", "./dev test"]
    assert (ROOT / ".ci" / "run").read_text().rstrip().endswith("\n./dev test")
