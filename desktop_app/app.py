"""Start-up: command line, logging, the exception hook, the sandbox and the main window."""

from __future__ import annotations

import argparse
import contextlib
import logging
import logging.handlers
import os
import sys
import threading
from pathlib import Path
from types import TracebackType

from . import APP_ID, APP_NAME, __version__
from .service.redaction import RedactingFormatter, install_log_redaction

log = logging.getLogger("desktop_app")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="voice-broadcast-desk", description=f"{APP_NAME} {__version__}")
    parser.add_argument("--sandbox", action="store_true", help="use the built-in simulator: no real calls are placed")
    parser.add_argument("--self-test", action="store_true", help="run the end-to-end self-test and exit")
    parser.add_argument("--endpoint", help="with --self-test: test against this service address")
    parser.add_argument("--profile", type=Path, help="keep settings, history and logs in this folder")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    return parser.parse_args(argv)


def setup_logging(log_file: Path) -> logging.Handler:
    install_log_redaction()
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return handler


# Qt messages that say nothing to a user or a developer: logged at DEBUG only.
QUIET_QT_MESSAGES = ("This plugin does not support propagateSizeHints()",)


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


STARTUP_PROBE = "VBD_STARTUP_PROBE"  # bench/startup.py: print "ready" once the window is up and idle


def report_when_idle(app) -> None:
    """After the first paint and the queued start-up events, print "ready" and quit."""
    from PySide6.QtCore import QTimer

    def ready() -> None:
        print("ready", flush=True)
        app.quit()

    QTimer.singleShot(0, lambda: QTimer.singleShot(0, ready))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.endpoint and not args.self_test:
        print("--endpoint is only used with --self-test; use Settings to change the address.", file=sys.stderr)
        return 2
    if args.self_test:
        from .selftest import run_self_test

        return run_self_test(args.endpoint, args.profile)

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from .resources import resource_path
    from .storage.history import History
    from .storage.profile import Profile
    from .storage.secrets import KeyStore
    from .storage.settings import Settings
    from .ui.main_window import AppContext, MainWindow

    profile = (Profile.isolated(args.profile) if args.profile else Profile.default()).ensure()
    setup_logging(profile.log_file)
    route_qt_messages()
    install_exception_hook()
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    with contextlib.suppress(FileNotFoundError):
        app.setWindowIcon(QIcon(str(resource_path("icons/voice-broadcast-desk.png"))))
    context = AppContext(
        profile=profile,
        settings=Settings.load(profile.settings_file),
        keys=KeyStore(),
        history=History(profile.history_file),
        start_sandbox=args.sandbox,
    )
    window = MainWindow(context)
    window.show()
    if os.environ.get(STARTUP_PROBE):
        report_when_idle(app)
    log.info("started %s %s (sandbox: %s)", APP_NAME, __version__, args.sandbox)
    try:
        return app.exec()
    finally:
        context.history.close()
        if context.sandbox is not None:
            context.sandbox.stop()
