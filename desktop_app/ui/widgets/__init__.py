"""Widgets shared by the pages and dialogs."""

from .announce import announce
from .busy import BusyRow
from .panels import FieldError, ResultPanel, Tone, buddy_label, confirm, plain_label

__all__ = ["BusyRow", "FieldError", "ResultPanel", "Tone", "announce", "buddy_label", "confirm", "plain_label"]
