"""Logging for the app and the self-test: a rotating, redacted log file, Qt's own messages routed
into it, and an exception hook that tells the user instead of exiting silently.

Kept apart from app.py so that app.py and selftest.py do not import each other.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
from pathlib import Path
from types import TracebackType

from .service.redaction import RedactingFormatter, install_log_redaction

log = logging.getLogger("desktop_app")

# Qt messages that say nothing to a user or a developer: logged at DEBUG only.
QUIET_QT_MESSAGES = ("This plugin does not support propagateSizeHints()",)


def setup_logging(log_file: Path) -> logging.Handler:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    install_log_redaction(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return handler


def route_qt_messages() -> None:
    """Send Qt's own warnings to the log file instead of the terminal."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        level = logging.DEBUG if message in QUIET_QT_MESSAGES else levels.get(kind, logging.WARNING)
        qt_log.log(level, "%s", message)

    qInstallMessageHandler(handler)


def install_exception_hook() -> None:
    """Log every uncaught exception (redacted) and tell the user; never exit silently."""

    def show(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        log.error("unexpected error", exc_info=(kind, value, tb))
        from PySide6.QtWidgets import QApplication, QMessageBox

        app = QApplication.instance()
        if app is None or threading.current_thread() is not threading.main_thread():
            return
        QMessageBox.critical(
            app.activeWindow(),
            "Something went wrong",
            "An unexpected problem occurred. Your history and settings are safe, and you can keep working.\n\n"
            "Details were written to the log file (Help → Open log folder).",
        )

    sys.excepthook = show
    threading.excepthook = lambda args: show(args.exc_type, args.exc_value, args.exc_traceback)
