"""Layouts that hold on a 1024 x 600 laptop, at 150 % and 200 % scale, and in dark and
high-contrast palettes:
the window opens at a size that fits the screen, and no table's Status or Result column, and no
result or error text, is cut or too faint to read (tools/layout_check.py, one process per size)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QLabel, QScrollArea, QTableView, QVBoxLayout, QWidget

from tools.layout_support import clipped_cells, clipped_label, dark_palette, faint_cells, faint_label

ROOT = Path(__file__).resolve().parent.parent
SIZES = [
    ("1024x600", "1", "light"),  # a small laptop
    ("1366x768", "1.5", "light"),  # a common laptop at 150 % (911 x 512 to lay out in)
    ("1920x1080", "2", "light"),  # a desktop screen at 200 % (960 x 540)
    ("1024x600", "1", "dark"),  # Windows' dark mode
    ("1366x768", "1", "high-contrast"),  # Windows' High Contrast Black
]


def check_layout(screen: str, scale: str, palette: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("QT_QPA_PLATFORM", None)  # the tool sets its own offscreen screen
    result = subprocess.run(
        [sys.executable, "tools/layout_check.py", "--screen", screen, "--scale", scale, "--palette", palette],
        capture_output=True,
        text=True,
        timeout=150,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.timeout(180)
@pytest.mark.parametrize(("screen", "scale", "palette"), SIZES)
def test_every_page_fits_and_reads_at_this_size(screen, scale, palette):
    report = check_layout(screen, scale, palette)
    room_width, room_height = report["screen"]
    width, height = report["window"]
    assert width <= room_width and height <= room_height, report
    assert width >= min(860, room_width - 16) and height >= min(680, room_height - 40), report  # not needlessly small
    assert report["problems"] == []


# -- each check, on a widget made wrong on purpose ---------------------------------------------------


def status_table(qtbot, status_width: int) -> QTableView:
    model = QStandardItemModel(1, 2)
    model.setHorizontalHeaderLabels(["QueueID", "Status"])
    model.setItem(0, 0, QStandardItem("4093255"))
    model.setItem(0, 1, QStandardItem("Scheduled - waiting for its time"))
    table = QTableView()
    table.setModel(model)
    table.setWordWrap(False)
    table.resize(600, 200)
    table.setColumnWidth(0, 80)
    table.setColumnWidth(1, status_width)
    qtbot.addWidget(table)
    table.show()
    qtbot.waitExposed(table)
    return table


def test_a_status_column_too_narrow_for_its_text_is_found(qtbot):
    assert clipped_cells(status_table(qtbot, 400)) == []
    (problem,) = clipped_cells(status_table(qtbot, 90))
    assert "Status 'Scheduled - waiting for its time' is cut" in problem


def test_a_status_column_pushed_out_of_view_is_found(qtbot):
    (problem,) = clipped_cells(status_table(qtbot, 900))
    assert "the Status column is outside the view" in problem


def squeezed_label(qtbot, height: int) -> QLabel:
    label = QLabel("4 calls cancelled across 2 reference IDs. Your account is credited for the 4 cancelled calls.")
    label.setWordWrap(True)
    label.setFixedSize(160, height)
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    return label


def test_a_wrapped_label_too_short_for_its_text_is_found(qtbot):
    assert clipped_label(squeezed_label(qtbot, 300)) == []
    (problem,) = clipped_label(squeezed_label(qtbot, 20))
    assert problem.startswith("the text '4 calls cancelled") and "is cut" in problem


def test_a_label_too_short_for_its_text_is_found_in_a_scroll_area_too(qtbot):
    label = squeezed_label(qtbot, 20)
    scroll = QScrollArea()
    scroll.setWidget(label)  # scrolling shows the label, never the half of its text it has no room for
    qtbot.addWidget(scroll)
    scroll.show()
    qtbot.waitExposed(scroll)
    (problem,) = clipped_label(label)
    assert "is cut" in problem


def red_row_table(qtbot, palette: QPalette) -> QTableView:
    model = QStandardItemModel(1, 1)
    failed = QStandardItem("Failed")
    failed.setForeground(QColor("#b3261e"))  # a QBrush in the model, as QStandardItem keeps it
    model.setItem(0, 0, failed)
    table = QTableView()
    table.setPalette(palette)
    table.setModel(model)
    table.setAccessibleName("Results")
    qtbot.addWidget(table)
    return table


def test_a_red_row_too_faint_for_its_table_is_found(qtbot):
    assert faint_cells(red_row_table(qtbot, QPalette(QColor("#f0f0f0")))) == []
    (problem,) = faint_cells(red_row_table(qtbot, dark_palette()))
    assert problem == "Results: 'Failed' has contrast 2.2:1"


def text_on(qtbot, text_colour: str, palette: QPalette) -> tuple[QWidget, QLabel]:
    holder = QWidget()
    holder.setPalette(palette)
    holder.setAutoFillBackground(True)
    label = QLabel("Enter the text the call should say.")
    label.setStyleSheet(f"color: {text_colour};")
    QVBoxLayout(holder).addWidget(label)
    qtbot.addWidget(holder)
    holder.show()
    qtbot.waitExposed(holder)
    return holder, label


def test_red_text_on_a_dark_window_is_found_too_faint(qtbot):
    light = QPalette(QColor("#f0f0f0"))
    holder, readable = text_on(qtbot, "#b3261e", light)
    assert faint_label(readable, holder.grab().toImage()) == []
    holder, faint = text_on(qtbot, "#b3261e", dark_palette())
    (problem,) = faint_label(faint, holder.grab().toImage())
    assert "has contrast 2.5:1 (#b3261e on its background)" in problem
