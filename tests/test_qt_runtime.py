"""Guards for the Qt runtime itself.

PySide6 6.12.0 over-releases None on every QRunnable.run() under Python 3.11, so an app that runs a
few thousand background tasks dies with "Fatal Python error: none_dealloc". pyproject.toml pins
6.11; this test fails if a version with that bug comes back.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import sys
    from PySide6.QtWidgets import QApplication
    from desktop_app.ui.tasks import TaskRunner

    app = QApplication([])
    runner = TaskRunner(max_threads=4)
    done = []
    before = sys.getrefcount(None)
    for i in range(6000):
        runner.submit(lambda i=i: None if i % 2 else str(i), done.append, done.append)
    while len(done) < 6000:
        app.processEvents()
    runner.wait(10)
    print("delta", sys.getrefcount(None) - before)
    """
)


def test_thousands_of_background_tasks_do_not_corrupt_the_interpreter():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    delta = int(result.stdout.split()[-1])
    assert delta > -1000, f"None lost {-delta} references: this PySide6 build over-releases None"
