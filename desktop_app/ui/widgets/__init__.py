"""Widgets shared by the pages and dialogs."""

from .panels import BusyRow, FieldError, ResultPanel, buddy_label, confirm, plain_label, set_property

__all__ = ["BusyRow", "FieldError", "ResultPanel", "buddy_label", "confirm", "plain_label", "set_property"]
