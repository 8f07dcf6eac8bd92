"""Alt-key letters (issue 24): one control per letter in each window.

Two controls with the same letter make Alt+letter do nothing useful (Qt cycles between them, or
the menu wins). The check walks the main window with each page shown, and every dialog, and reads
what a user sees at once: the menu bar's titles, the tabs, and the current page's buttons, check
boxes, group boxes and labels with a buddy. Hidden controls of the current page count too (a
result's buttons appear later, beside the rest). A positive control proves the check finds a
clash made on purpose."""

from __future__ import annotations

import re
from collections import defaultdict

from PySide6.QtWidgets import (
    QAbstractButton,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QMenuBar,
    QPushButton,
    QTabBar,
    QTabWidget,
    QWidget,
)

from desktop_app.storage.secrets import StoreInfo
from desktop_app.ui.dialogs.key_entry import KeyEntryDialog
from desktop_app.ui.dialogs.proxy_sign_in import ProxySignInDialog
from desktop_app.ui.pages import PAGES


def letter(text: str) -> str | None:
    """The letter after a single & ("&&" is a literal ampersand), in lower case."""
    found = re.search(r"&([^&])", text.replace("&&", ""))
    return found.group(1).lower() if found else None


def _standard_letter(button: QAbstractButton) -> str | None:
    """GNOME and KDE give a dialog's standard buttons a letter ("&Save", "&Cancel") that the
    offscreen platform does not: count their first letter as theirs."""
    box = button.parentWidget()
    standard = isinstance(box, QDialogButtonBox) and isinstance(button, QPushButton) and box.standardButton(button)
    if standard and standard != QDialogButtonBox.StandardButton.NoButton and "&" not in button.text():
        return button.text()[:1].lower() or None
    return letter(button.text())


def _in_other_page(widget: QWidget, others: set[QWidget]) -> bool:
    parent: QWidget | None = widget
    while parent is not None:
        if parent in others:
            return True
        parent = parent.parentWidget()
    return False


def _texts(widget: QWidget) -> list[tuple[str | None, str]]:
    if isinstance(widget, QTabBar):
        return [(letter(widget.tabText(i)), f"tab {widget.tabText(i)!r}") for i in range(widget.count())]
    if isinstance(widget, QMenuBar):
        return [(letter(action.text()), f"menu {action.text()!r}") for action in widget.actions()]
    if isinstance(widget, QAbstractButton):
        return [(_standard_letter(widget), f"{type(widget).__name__} {widget.text()!r}")]
    if isinstance(widget, QLabel) and widget.buddy() is not None:
        return [(letter(widget.text()), f"label {widget.text()!r}")]
    if isinstance(widget, QGroupBox):
        return [(letter(widget.title()), f"group {widget.title()!r}")]
    return []


def clashes(window: QWidget) -> dict[str, list[str]]:
    """{letter: the controls that share it} in `window` as shown now: of a tab widget, only the
    current page counts."""
    others = {
        tabs.widget(i)
        for tabs in window.findChildren(QTabWidget)
        for i in range(tabs.count())
        if tabs.widget(i) is not tabs.currentWidget()
    }
    used: dict[str, list[str]] = defaultdict(list)
    for widget in window.findChildren(QWidget):
        if widget.window() is not window or _in_other_page(widget, others):
            continue
        for key, what in _texts(widget):
            if key:
                used[key].append(what)
    return {key: whats for key, whats in used.items() if len(whats) > 1}


def test_the_check_finds_a_clash_made_on_purpose(qtbot, window):
    """Positive control: a button given the File menu's letter, on the Cancel page."""
    page = window.show_page("cancel")
    assert clashes(window) == {}
    wrong = QPushButton("&Frobnicate", page)
    assert {key: sorted(whats) for key, whats in clashes(window).items()} == {
        "f": ["QPushButton '&Frobnicate'", "menu '&File'"]
    }
    wrong.setText("Frobnicate")
    assert clashes(window) == {}
    # A hidden button of the page counts too: it shows later, beside the rest.
    wrong.setText("&Queue it")
    wrong.hide()
    assert set(clashes(window)) == {"q"}
    wrong.deleteLater()


def test_each_page_of_the_main_window_has_one_control_per_letter(qtbot, window):
    window.schedule_page.form.show_more(True)  # the collapsed options are part of the page
    for spec in PAGES:
        window.show_page(spec.key)
        assert clashes(window) == {}, spec.title


def test_the_menus_have_one_letter_per_entry(qtbot, window):
    for title in window.menuBar().actions():
        letters = [letter(entry.text()) for entry in title.menu().actions() if not entry.isSeparator()]
        used = [key for key in letters if key]
        assert len(used) == len(set(used)), title.text()


def test_every_dialog_has_one_control_per_letter(qtbot, window):
    accounts = window.open_accounts()
    settings = window.open_settings()
    made = (
        KeyEntryDialog(window, "Add account", StoreInfo("the test keyring", True), existing=[]),
        KeyEntryDialog(window, "Replace the key", StoreInfo("memory", False), name="Main office"),
        ProxySignInDialog("proxy.example.com:8080", "Company", parent=window),
    )
    for dialog in made:
        qtbot.addWidget(dialog)
    for dialog in (accounts, settings, *made):
        assert clashes(dialog) == {}, dialog.windowTitle()
    accounts.close()
    settings.close()
