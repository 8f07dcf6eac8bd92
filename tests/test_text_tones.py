"""Coloured words stay readable on light and dark windows, and follow a palette change."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QVBoxLayout, QWidget
from shiboken6 import isValid

from desktop_app.ui.widgets.focus import FocusRings, install_focus_ring, ring_colour
from desktop_app.ui.widgets.panels import COLOURS
from desktop_app.ui.widgets.text_tones import TextTone, set_text_tone, tone_colour
from tools.layout_support import contrast, dark_palette

LIGHT_WINDOWS = ("#ffffff", "#f0f0f0", "#efefef")  # Fusion's, Windows' and GNOME's light windows
DARK_WINDOWS = ("#000000", "#202020", "#2b2b2b", "#353535")


@pytest.mark.parametrize("tone", list(TextTone))
@pytest.mark.parametrize("window", LIGHT_WINDOWS + DARK_WINDOWS)
def test_every_tone_reads_at_4_5_to_1_on_light_and_dark_windows(tone, window):
    background = QColor(window)
    assert contrast(tone_colour(tone, background), background) >= 4.5


def text_colour(label: QLabel) -> str:
    return label.palette().color(QPalette.ColorRole.WindowText).name()


def test_a_toned_label_follows_its_window_from_light_to_dark_and_back(qtbot):
    holder = QWidget()
    holder.setPalette(QPalette(QColor("#f0f0f0")))
    label = QLabel("Enter the text the call should say.")
    QVBoxLayout(holder).addWidget(label)
    qtbot.addWidget(holder)
    set_text_tone(label, TextTone.ERROR)
    assert text_colour(label) == "#b3261e"
    holder.setPalette(dark_palette())  # dark mode switched on while the app runs
    assert text_colour(label) == "#ff8a80"
    set_text_tone(label, None)  # the error is gone: the palette's own text colour
    assert text_colour(label) == "#ffffff"
    holder.setPalette(QPalette(QColor("#f0f0f0")))
    set_text_tone(label, TextTone.WARNING)
    assert text_colour(label) == "#8a5a00"


def test_a_label_toned_before_it_has_a_parent_takes_its_windows_colours(qtbot):
    label = QLabel("2 things to fix.")
    set_text_tone(label, TextTone.ERROR)
    holder = QWidget()
    holder.setPalette(dark_palette())
    QVBoxLayout(holder).addWidget(label)
    qtbot.addWidget(holder)
    assert text_colour(label) == "#ff8a80"


@pytest.mark.parametrize("window", LIGHT_WINDOWS + DARK_WINDOWS)
def test_the_focus_ring_stands_out_at_3_to_1_on_light_and_dark_windows(window):
    assert contrast(ring_colour(QColor(window)), QColor(window)) >= 3


@pytest.mark.parametrize("tone", list(COLOURS))
def test_each_result_panels_words_read_at_4_5_to_1_on_its_own_background(tone):
    background, text = COLOURS[tone]
    assert contrast(QColor(text), QColor(background)) >= 4.5


@pytest.mark.parametrize("palette", [QPalette(QColor("#f0f0f0")), dark_palette()], ids=["light", "dark"])
def test_the_ring_painted_around_the_focused_field_stands_out_at_3_to_1(qtbot, palette):
    holder = QWidget()
    holder.setPalette(palette)
    holder.setAutoFillBackground(True)
    field = QLineEdit()
    QVBoxLayout(holder).addWidget(field)
    qtbot.addWidget(holder)
    install_focus_ring()
    holder.show()
    qtbot.waitExposed(holder)
    holder.activateWindow()
    field.setFocus()
    rings = QApplication.instance().findChild(FocusRings)
    qtbot.waitUntil(lambda: isValid(rings.ring) and rings.ring.widget() is field)  # (an earlier window's ring is gone)
    picture = rings.ring.grab().toImage()
    edge = QColor(picture.pixel(picture.width() // 2, 1))  # the middle of the ring's top side
    assert contrast(edge, palette.color(QPalette.ColorRole.Window)) >= 3
