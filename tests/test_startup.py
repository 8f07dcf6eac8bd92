"""Start-up through the real entry point: only the visible page before the first paint, the rest
right after it, and the window says when that is done (what bench/startup.py times)."""

from __future__ import annotations

import os
import subprocess
import sys

ALL_PAGES = "pages=cancel,lookup,watch,bulk,schedule,history"


def test_only_the_visible_page_is_imported_before_the_first_paint_and_the_rest_follow(tmp_path):
    env = {
        **os.environ,
        "VBD_STARTUP_PROBE": "1",
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",  # never the tester's own keyring
    }
    run = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--sandbox", "--profile", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    ready, settled = run.stdout.splitlines()
    # The first paint costs the visible page only, and waits for neither the icon nor the history,
    # the desk, sqlite3 or the thread pool (desktop_app/ui/startup_probe.py).
    assert ready == "ready pages=cancel icon=none early=-"
    word, _stall_ms, address, pages, icon = settled.split()
    assert word == "settled"
    assert pages == ALL_PAGES  # every hidden page was built after it, without being asked for
    assert icon == "icon=set"  # the window icon followed (loading it is not worth delaying the paint)
    assert address.startswith("http://127.0.0.1:")  # and the start-up chores ran: the sandbox answered
    assert (tmp_path / "logs" / "sandbox.log").exists()
    log = (tmp_path / "logs" / "voice-broadcast-desk.log").read_text()
    assert "started Voice Broadcast Desk" in log and "Traceback" not in log
