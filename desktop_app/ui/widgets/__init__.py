"""Widgets shared by the pages and dialogs."""

from .panels import BusyRow, FieldError, ResultPanel, Tone, buddy_label, confirm, plain_label

__all__ = ["BusyRow", "FieldError", "ResultPanel", "Tone", "buddy_label", "confirm", "plain_label"]
