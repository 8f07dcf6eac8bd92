"""The app under the AT-SPI tests: the real main window and controller, built as app.main builds
them (application names, logging, the Qt message route, the exception hook), with two changes a
test needs: the license keys come from an in-memory keyring filled here (the Secret Service is not
this test's subject), and the sandbox runs in this process on the real clock.

    python tests/atspi/desk_app.py PROFILE_DIR

Qt warnings and Python warnings are errors: every Qt message at warning level or above is written
to stderr as "QT-WARNING <category>: <message>" for the test to fail on; Python warnings raise
(-W error on the command line).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

ACCOUNTS = {"Main office": "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d", "Branch": "7c6d5e4f-3a2b-4c1d-8e9f-0a1b2c3d4e5f"}


def main(profile_dir: Path) -> int:
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from desktop_app import APP_ID, APP_NAME, __version__
    from desktop_app.app import finish
    from desktop_app.logging_setup import install_exception_hook, route_qt_messages, setup_logging
    from desktop_app.sandbox import Sandbox
    from desktop_app.storage.profile import Profile
    from desktop_app.storage.secrets import KeyStore
    from desktop_app.storage.settings import Settings
    from desktop_app.ui.controller import AppContext, AppController
    from desktop_app.ui.gc_guard import collect_garbage_on_the_gui_thread
    from desktop_app.ui.main_window import MainWindow
    from tests.support import MemoryKeyring

    profile = Profile.isolated(profile_dir).ensure()
    setup_logging(profile.log_file)
    route_qt_messages()
    install_exception_hook()
    qt_log = logging.getLogger("qt")

    def on_message(kind: QtMsgType, context, message: str) -> None:  # the app's route, and stderr
        if kind in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg):
            qt_log.debug("%s", message)
            return
        qt_log.warning("%s", message)
        print(f"QT-WARNING {context.category}: {message}", file=sys.stderr, flush=True)

    qInstallMessageHandler(on_message)
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    collect_garbage_on_the_gui_thread()
    keyring = MemoryKeyring()
    keys = KeyStore(keyring)
    settings = Settings(timeout_seconds=10)
    for name, key in ACCOUNTS.items():
        keys.set(name, key)
        settings.accounts.append(name)
    settings.default_account = next(iter(ACCOUNTS))
    sandbox = Sandbox(namespace=os.environ.get("VBD_SANDBOX_NAMESPACE", "esendex")).start()
    from desktop_app.storage.history import History

    context = AppContext(profile, settings, keys, History(profile.history_file), sandbox)
    controller = AppController(context)
    window = MainWindow(controller)
    window.show()
    print("window shown", flush=True)
    code = app.exec()
    code = finish(controller, code)
    sandbox.stop()
    print("closed", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
