"""Helpers for tools/screenshots.py: waiting for the UI, saving a shot, a window on a throwaway
profile, booking calls on the sandbox's manual clock, answering a question box, a locked key, and
doing what a user does (a mouse click, typing, a paste with Ctrl+V, an open menu in the shot)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import keyring.errors
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QWidget

from desktop_app.sandbox import Sandbox
from desktop_app.service import new_call_request
from desktop_app.storage.history import History
from desktop_app.storage.profile import Profile
from desktop_app.storage.secrets import KeyStore
from desktop_app.storage.settings import Settings
from desktop_app.ui.controller import AppContext, AppController
from desktop_app.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
WRITTEN: list[str] = []


def settle(seconds: float = 0.3, until: Callable[[], bool] | None = None) -> None:
    """Run the event loop for at least `seconds`, then until `until()` holds (15 s at most)."""
    app = QApplication.instance()
    end = time.monotonic() + 15
    quiet_until = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        if time.monotonic() >= quiet_until and (until is None or until()):
            return
        time.sleep(0.01)
    raise SystemExit("timed out waiting for the UI")


def shot(widget: QWidget, name: str) -> None:
    settle(0.2)  # the last layout pass and repaint
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    WRITTEN.append(path.name)
    print(f"wrote {path.relative_to(ROOT)}")


def window_for(root: Path, sandbox: Sandbox, backend, accounts: dict[str, str]) -> MainWindow:
    """The main window on a fresh profile at its default size (no saved geometry: 860 x 680)."""
    profile = Profile.isolated(root).ensure()
    keys = KeyStore(backend)
    settings = Settings(accounts=list(accounts), default_account=next(iter(accounts), ""))
    for name, key in accounts.items():
        keys.set(name, key)
    window = MainWindow(AppController(AppContext(profile, settings, keys, History(profile.history_file), sandbox)))
    window.show()
    settle(until=lambda: window.controller.store is not None and window.controller.executor.pending == 0)
    return window


def close_all(*windows: MainWindow) -> None:
    for window in windows:
        window.close()
        window.controller.executor.wait(5)
        window.controller.desk.close()
        window.controller.context.history.close()


def book_direct(client, key: str, sandbox: Sandbox, number: str, reference: str, in_seconds: float, text: str) -> None:
    """A call booked straight on the service (not from this desk: no history, not watched)."""
    now = sandbox.state.clock.now()
    client.schedule_call(
        key,
        new_call_request(
            phone_number=number,
            text_to_say=text,
            scheduled=now + timedelta(seconds=in_seconds),
            reference_id=reference,
            now=now,
        ),
    )


def book_from_desk(window: MainWindow, account: str, number: str, reference: str, in_seconds: float, text: str):
    """A call booked through the desk (written to the history, so the watch list follows it)."""
    now = window.controller.connection.sandbox.state.clock.now()
    call = new_call_request(
        phone_number=number,
        text_to_say=text,
        scheduled=now + timedelta(seconds=in_seconds),
        reference_id=reference,
        now=now,
    )
    return window.controller.desk.schedule(account, call)


def visible_box(parent: QWidget) -> QMessageBox | None:
    boxes = [b for b in parent.findChildren(QMessageBox) if b.isVisible()]
    return boxes[-1] if boxes else None


def wait_for_box(parent: QWidget) -> QMessageBox:
    settle(until=lambda: visible_box(parent) is not None)
    return visible_box(parent)


def click(box: QMessageBox, text: str) -> None:
    press(next(b for b in box.buttons() if b.text() == text))


def press(widget: QWidget) -> None:
    """A left click in the middle of `widget`, as the mouse does it."""
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, widget.rect().center())
    settle(0.05)


def type_into(field: QWidget, text: str) -> None:
    """Click into `field`, select what is there, and type `text` key by key (replacing it)."""
    press(field)
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        QTest.keyClicks(field, text)
    else:
        QTest.keyClick(field, Qt.Key.Key_Backspace)
    settle(0.05)


def paste_into(field: QWidget, text: str) -> None:
    """Copy `text`, click into `field`, select all and press Ctrl+V (as from a spreadsheet)."""
    QGuiApplication.clipboard().setText(text)
    press(field)
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    settle(0.05)


def shot_with_menu(window: QWidget, menu: QMenu, name: str) -> None:
    """The window with an open menu drawn where it pops up (offscreen, a popup is its own window,
    which the window's own grab does not include)."""
    settle(0.2)
    picture = window.grab()
    painter = QPainter(picture)
    painter.drawPixmap(window.mapFromGlobal(menu.mapToGlobal(QPoint(0, 0))), menu.grab())
    painter.end()
    path = OUT / f"{name}.png"
    picture.save(str(path))
    WRITTEN.append(path.name)
    print(f"wrote {path.relative_to(ROOT)}")


@contextmanager
def locked_key(keys: KeyStore, account: str) -> Iterator[None]:
    """While inside: reading `account`'s key fails as a locked keyring does (the user declined to
    unlock it); the other accounts' keys read as usual. Works on any backend, the real one too."""
    backend = keys.backend
    real = backend.get_password

    def get_password(service: str, username: str) -> str | None:
        if username == account:
            raise keyring.errors.KeyringLocked("Failed to unlock the collection!")
        return real(service, username)

    backend.get_password = get_password
    try:
        yield
    finally:
        del backend.get_password
