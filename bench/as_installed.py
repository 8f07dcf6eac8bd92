"""Time the app as an installed copy runs: from compiled bytecode.

pip compiles a package's bytecode when it installs it, and a frozen build carries it. A source
checkout on a machine with PYTHONDONTWRITEBYTECODE set (this one) would instead compile every
module on every start, about 50 ms that no user ever pays; so the benchmarks compile first and
let the child processes read the bytecode.
"""

from __future__ import annotations

import compileall
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def environment(**extra: str) -> dict[str, str]:
    compileall.compile_dir(ROOT / "desktop_app", quiet=1)
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT), **extra}
