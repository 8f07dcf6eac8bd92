"""Thread affinity, checked where it matters.

Qt objects belong to the thread that made them; the app's are all made on the GUI thread, and the
controller's state (the desk, the accounts, the pages' models) is only touched there. Workers get
immutable values and hand results back through the executor's queued signal.
"""

from __future__ import annotations

from PySide6.QtCore import QThread


class WrongThread(RuntimeError):
    """GUI-thread-only code was called from a worker."""


def on_gui_thread() -> bool:
    return QThread.isMainThread()  # Qt's main thread: the one that made the QApplication


def require_gui_thread() -> None:
    """Raise unless called on the GUI thread (a programming error, never a user's)."""
    if not on_gui_thread():
        raise WrongThread("this must run on the GUI thread, not on a background worker")
