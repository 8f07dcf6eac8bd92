"""`--self-test` end to end, in a fresh process, against a built-in sandbox speaking each namespace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("namespace", ["esendex", "cdyne"])
def test_the_self_test_passes_whichever_namespace_the_service_speaks(tmp_path, namespace):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--self-test", "--sandbox-namespace", namespace],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("self-test passed: scheduled QueueID")
    assert f"against the built-in sandbox ({namespace} namespace)" in result.stdout
    assert result.stderr == ""
