"""Start-up: the command line, then the controller and the main window; and a clean exit.

Closing the window hides it at once. Work still in flight then has up to the request timeout to
end and record itself; whatever has not answered by then is recorded as "outcome unknown" and the
process exits anyway, so the app never lingers and nothing is lost silently.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import APP_ID, APP_NAME, __version__

if TYPE_CHECKING:
    from .ui.controller import AppController

log = logging.getLogger("desktop_app")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="voice-broadcast-desk", description=f"{APP_NAME} {__version__}")
    parser.add_argument("--sandbox", action="store_true", help="use the built-in simulator: no real calls are placed")
    parser.add_argument("--self-test", action="store_true", help="run the end-to-end self-test and exit")
    parser.add_argument("--endpoint", help="with --self-test: test against this service address")
    parser.add_argument(
        "--sandbox-namespace",
        choices=("esendex", "cdyne"),
        default="esendex",
        help="the namespace the built-in sandbox speaks, like a real service (for testing the app against both)",
    )
    parser.add_argument("--profile", type=Path, help="keep settings, history and logs in this folder")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    return parser.parse_args(argv)


STARTUP_PROBE = "VBD_STARTUP_PROBE"  # bench/startup.py: say when the window is up, then when start-up is done


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.endpoint and not args.self_test:
        print("--endpoint is only used with --self-test; use Settings to change the address.", file=sys.stderr)
        return 2
    if args.self_test:
        from .selftest import run_self_test

        return run_self_test(args.endpoint, args.profile, args.sandbox_namespace)

    from PySide6.QtWidgets import QApplication

    from .logging_setup import install_exception_hook, route_qt_messages, setup_logging
    from .storage.profile import Profile
    from .storage.secrets import KeyStore
    from .storage.settings import Settings
    from .storage.site_config import site_config_path
    from .ui.controller import AppContext, AppController
    from .ui.gc_guard import collect_garbage_on_the_gui_thread
    from .ui.main_window import MainWindow

    profile = (Profile.isolated(args.profile) if args.profile else Profile.default()).ensure()
    setup_logging(profile.log_file)
    route_qt_messages()
    install_exception_hook()
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    collect_garbage_on_the_gui_thread()  # process-wide, before any worker runs: see ui/gc_guard.py
    context = AppContext(
        profile=profile,
        settings=Settings.load(profile.settings_file, site_file=site_config_path()),
        keys=KeyStore(),
        start_sandbox=args.sandbox,
        sandbox_namespace=args.sandbox_namespace,
    )
    controller = AppController(context)
    window = MainWindow(controller)
    if os.environ.get(STARTUP_PROBE):
        from .ui.startup_probe import StartupProbe

        StartupProbe(app, window)
    window.show()
    log.info("started %s %s (sandbox: %s)", APP_NAME, __version__, args.sandbox)
    code = app.exec()
    return finish(controller, code)


def finish(controller: AppController, code: int) -> int:
    """After the window has gone: give requests in flight their timeout to end and record
    themselves, record the rest as "outcome unknown", then exit without waiting any longer."""
    controller.shutdown()
    settled = controller.executor.wait(controller.settings.timeout_seconds + 1)
    desk = controller.desk
    abandoned = 0 if settled else desk.abandon_in_flight()
    desk.close()
    desk.history.close()
    if controller.context.sandbox is not None:
        controller.context.sandbox.stop()
    log.info("closed (%d requests abandoned)", abandoned)
    if not settled:
        logging.shutdown()
        sys.stdout.flush()
        os._exit(code)  # worker threads still blocked in a socket must not hold the process
    return code
