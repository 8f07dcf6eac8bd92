"""Logging for the app and the self-test: a rotating, redacted log file, Qt's own messages routed
into it, and an exception hook that tells the user instead of exiting silently.

Kept apart from app.py so that app.py and selftest.py do not import each other.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path
from types import TracebackType

from .service.redaction import RedactingFormatter, install_log_redaction

log = logging.getLogger("desktop_app")

LOG_MAX_BYTES = 1_000_000  # then the file is kept as .1 (and .1 as .2, …) and a new one begun
LOG_BACKUPS = 5


class RotatingLogFile(logging.FileHandler):
    """A size-limited log file kept with a few older copies, like the standard library's
    `RotatingFileHandler`, but each record is formatted (and redacted) once, a record larger than
    the limit goes into an empty file, and a logging problem never reaches the code that logged."""

    def __init__(self, path: Path, max_bytes: int = LOG_MAX_BYTES, backups: int = LOG_BACKUPS) -> None:
        super().__init__(path, encoding="utf-8")
        self.max_bytes, self.backups = max_bytes, backups

    def emit(self, record: logging.LogRecord) -> None:  # called with the handler's lock held
        try:
            line = self.format(record) + self.terminator  # formatted (and redacted) once
            if self.stream is None:
                self.stream = self._open()
            used = self.stream.tell()
            on_disk = len(line.replace("\n", os.linesep).encode())  # a text-mode file: \r\n on Windows
            if used and used + on_disk > self.max_bytes:  # a record larger than the
                self._rotate()  # limit on its own goes into an empty file, not round and round
                self.stream = self._open()
            self.stream.write(line)
            self.flush()
        except RecursionError:  # as the standard handler
            raise
        except Exception:  # a logging problem never reaches the code that logged
            self.handleError(record)

    def _rotate(self) -> None:
        stream, self.stream = self.stream, None  # emit opens the new one
        if stream is not None:
            stream.close()
        path = Path(self.baseFilename)
        for number in range(self.backups - 1, 0, -1):
            older = path.with_name(f"{path.name}.{number}")
            if older.exists():
                os.replace(older, path.with_name(f"{path.name}.{number + 1}"))
        os.replace(path, path.with_name(f"{path.name}.1"))


# Qt messages that say nothing to a user or a developer: logged at DEBUG only.
QUIET_QT_MESSAGES = ("This plugin does not support propagateSizeHints()",)


def setup_logging(log_file: Path) -> logging.Handler:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingLogFile(log_file)
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
            QApplication.activeWindow(),
            "Something went wrong",
            "An unexpected problem occurred. Your history and settings are safe, and you can keep working.\n\n"
            "Details were written to the log file (Help → Open log folder).",
        )

    def show_thread_exception(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:  # threading's hook allows it; nothing more to show
            log.error("unexpected error: %s", args.exc_type.__name__)
            return
        show(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = show
    threading.excepthook = show_thread_exception
