"""The pages of the main window. Each is imported and built only when it is first needed, so the
first paint costs one page, not five.

A page's constructor takes the `AppController` (and an optional parent): never the window.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ..controller import AppController


class PageSpec(NamedTuple):
    key: str
    title: str  # with the &-mnemonic of its tab (F and H are the File and Help menus')
    module: str
    class_name: str


PAGES = (
    PageSpec("cancel", "&Cancel calls", "cancel", "CancelPage"),
    PageSpec("lookup", "F&ind calls", "lookup", "LookupPage"),
    PageSpec("watch", "Calls from this &desk", "watch", "WatchPage"),
    PageSpec("bulk", "&Bulk cancel", "bulk", "BulkPage"),
    PageSpec("schedule", "&Schedule a test call", "schedule", "SchedulePage"),
    PageSpec("history", "His&tory", "history", "HistoryPage"),
)


def build_page(spec: PageSpec, controller: AppController) -> QWidget:
    module = importlib.import_module(f"{__name__}.{spec.module}")
    return getattr(module, spec.class_name)(controller)
