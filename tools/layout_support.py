"""The pages filled as staff see them, and the clipping and contrast checks of tools/layout_check.py."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

from PySide6.QtCore import QDateTime, QModelIndex, QRect, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QImage, QPalette
from PySide6.QtWidgets import QLabel, QStyle, QTableView, QWidget

from desktop_app.sandbox import DEMO_KEY, Sandbox
from desktop_app.ui.main_window import MainWindow
from tools.screenshots_support import book_direct, book_from_desk, settle, wait_for_box

MAIN_KEY = "5a1e5d3c-0b7f-4c2e-9d8a-7e6f5a4b3c2d"  # made up, as in tools/screenshots.py
CLINIC_KEY = "9c8b7a6f-5e4d-4c3b-8a29-1f0e9d8c7b6a"
ACCOUNTS = {"Main office": MAIN_KEY, "Clinic reminders": CLINIC_KEY, "Esendex trial": DEMO_KEY}
TEXT = "Reminder: your appointment at the Riverside clinic is tomorrow at 10."
READ_COLUMNS = ("Status", "Result")  # the columns whose text must always be readable in full
MIN_TEXT_CONTRAST = 4.5  # WCAG 2.1 AA for normal text


def fill_pages(window: MainWindow, sandbox: Sandbox) -> Iterator[tuple[str, str]]:
    """Fill each page as a user would, yielding (the page's key, the scene's name) once it shows
    its result."""
    for key, scene, fill in SCENES:
        fill(window, sandbox)
        yield key, scene


def booked(window: MainWindow, sandbox: Sandbox) -> None:
    schedule = window.show_page("schedule")
    schedule.phone.setText("(757) 555-0123")
    schedule.text.setPlainText(TEXT)
    schedule.when.setDateTime(QDateTime.currentDateTime().addDays(1))
    schedule.schedule_button.click()
    settle(until=lambda: not schedule.in_flight and schedule.result.kind is not None)


def schedule_problems(window: MainWindow, sandbox: Sandbox) -> None:
    schedule = window.page("schedule")
    settle(until=schedule.another.isEnabled)  # greyed out for a moment after an answer
    schedule.another.click()
    schedule.phone.setText("757-555-01")  # too short: the field's error and the problem summary
    schedule.schedule_button.click()
    settle()


def cancelled(window: MainWindow, sandbox: Sandbox) -> None:
    for number in ("757-555-0101", "757-555-0102"):
        book_direct(window.controller.desk.client, MAIN_KEY, sandbox, number, "reminder-1128", 86400, TEXT)
    cancel = window.show_page("cancel")
    cancel.reference.setText("reminder-1128")
    cancel.cancel_button.click()
    box = wait_for_box(cancel)
    next(b for b in box.buttons() if b.text() == "Cancel the calls").click()
    settle(until=lambda: not cancel.in_flight and cancel.result.kind is not None)


def cancel_failed(window: MainWindow, sandbox: Sandbox) -> None:
    """A "Problem:" panel, and a failed record in the history (a red row there)."""
    sandbox.faults.inject("html500", operation="CancelNotifyByReferenceID")
    cancel = window.show_page("cancel")
    cancel.start_cancel_reference("Main office", "reminder-1128")
    settle(until=lambda: not cancel.in_flight and cancel.result.kind is not None)
    sandbox.faults.clear()


def nothing_found(window: MainWindow, sandbox: Sandbox) -> None:
    """A "Note:" panel: a look-up that finds no calls."""
    lookup = window.show_page("lookup")
    lookup.query.setText("(757) 555-0199")
    lookup.look_up()
    settle(until=lambda: not lookup.in_flight and lookup.result.isVisible())


def calls_found(window: MainWindow, sandbox: Sandbox) -> None:
    for seconds in (1, 50, 7200):  # after 55 s: one call is over, one is ringing, one is waiting
        book_direct(window.controller.desk.client, MAIN_KEY, sandbox, "757-555-0177", "pharmacy", seconds, TEXT)
    sandbox.state.clock.advance(55)
    lookup = window.show_page("lookup")
    lookup.query.setText("(757) 555-0177")
    lookup.look_up()
    settle(until=lambda: not lookup.in_flight and lookup.model.rowCount() == 3)


def watched(window: MainWindow, sandbox: Sandbox) -> None:
    book_from_desk(window, "Main office", "757-555-0127", "flu-clinic", 60, TEXT)
    book_from_desk(window, "Clinic reminders", "757-555-0133", "flu-clinic", 3 * 3600, TEXT)
    watcher = window.controller.watcher
    watcher.reload()
    settle(until=lambda: watcher.loaded)
    sandbox.state.clock.advance(125)  # the first call has rung and ended
    watcher.poll_now()
    settle(until=lambda: not watcher.running)
    window.show_page("watch").model.refresh_times()


def bulk_run(window: MainWindow, sandbox: Sandbox) -> None:
    for index in range(4):
        number, reference = f"757-555-02{index:02d}", f"class-{index % 2}"
        book_direct(window.controller.desk.client, MAIN_KEY, sandbox, number, reference, 3 * 3600, TEXT)
    bulk = window.show_page("bulk")
    bulk.paste.setPlainText("class-0\nclass-1\nclass 9\nclass-7")
    bulk.check()
    sandbox.faults.inject("html500", operation="CancelNotifyByReferenceID")  # one row fails: a red row
    bulk.start("Main office", list(bulk.items))
    settle(until=lambda: not bulk.is_running() and bulk.result.kind is not None)
    sandbox.faults.clear()


def history_shown(window: MainWindow, sandbox: Sandbox) -> None:
    history = window.show_page("history")
    history.reload()
    settle(until=lambda: not history.loading and history.model.rowCount() >= 5)


SCENES: list[tuple[str, str, Callable[[MainWindow, Sandbox], None]]] = [
    ("schedule", "schedule", booked),
    ("schedule", "schedule-problems", schedule_problems),
    ("cancel", "cancel", cancelled),
    ("cancel", "cancel-problem", cancel_failed),
    ("lookup", "lookup-nothing", nothing_found),
    ("lookup", "lookup", calls_found),
    ("watch", "watch", watched),
    ("bulk", "bulk", bulk_run),
    ("history", "history", history_shown),
]


def problems_on(page: QWidget | None) -> list[str]:
    if page is None:
        return ["the page was not built"]
    problems = []
    need, have = page.minimumSizeHint(), page.size()
    if need.width() > have.width() or need.height() > have.height():
        problems.append(f"needs {need.width()}x{need.height()}, has {have.width()}x{have.height()}")
    picture = page.window().grab().toImage()
    for table in page.findChildren(QTableView):
        if table.isVisible():
            problems += clipped_cells(table) + faint_cells(table)
    for label in page.findChildren(QLabel):
        if label.isVisible() and label.text().strip():
            problems += clipped_label(label) + faint_label(label, picture)
    return problems


def clipped_cells(table: QTableView) -> list[str]:
    model, problems = table.model(), []
    titles = {model.headerData(c, Qt.Orientation.Horizontal): c for c in range(model.columnCount())}
    metrics = QFontMetrics(table.font())
    # The style's room either side of a cell's text (QCommonStyle: the focus frame's margin, plus one).
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    for title in READ_COLUMNS:
        column = titles.get(title)
        if column is None or table.isColumnHidden(column):
            continue
        left, width = table.columnViewportPosition(column), table.columnWidth(column)
        if left < 0 or left + width > table.viewport().width():
            problems.append(f"{table.accessibleName()}: the {title} column is outside the view")
            continue
        for row in range(model.rowCount()):
            text = str(model.data(model.index(row, column)) or "")
            if text and not fits_cell(table, metrics, text, width - 2 * margin, table.rowHeight(row)):
                problems.append(f"{table.accessibleName()}: {title} {text!r} is cut ({width} px wide)")
    return problems


def fits_cell(table: QTableView, metrics: QFontMetrics, text: str, width: int, row_height: int) -> bool:
    if not table.wordWrap():
        return metrics.horizontalAdvance(text) <= width
    flags = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft
    needed = metrics.boundingRect(QRect(0, 0, width, 10_000), flags, text)
    return needed.width() <= width and needed.height() <= row_height


def clipped_label(label: QLabel) -> list[str]:
    """A label smaller than its own text is cut wherever it is, in a scroll area too."""
    text = label.text()[:60]
    if label.wordWrap():
        if label.heightForWidth(label.width()) > label.height():
            return [f"the text {text!r} is cut ({label.width()}x{label.height()} px)"]
    elif label.sizeHint().width() > label.width():
        return [f"the text {text!r} is cut ({label.width()} px wide, needs {label.sizeHint().width()})"]
    return []


# -- contrast ------------------------------------------------------------------------------------------


def luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(one: QColor, other: QColor) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def background_under(widget: QWidget, picture: QImage) -> QColor:
    """The colour most of `widget`'s area shows in the window's picture: what its text sits on."""
    ratio = picture.devicePixelRatio()
    shown = widget.visibleRegion().boundingRect()  # in a scroll area, only the part in view
    area = QRect(widget.mapTo(widget.window(), shown.topLeft()), shown.size())
    counts: Counter[int] = Counter()
    for y in range(area.top(), area.bottom(), 2):
        for x in range(area.left(), area.right(), 2):
            counts[picture.pixel(int(x * ratio), int(y * ratio))] += 1
    return QColor.fromRgb(counts.most_common(1)[0][0]) if counts else widget.palette().color(QPalette.ColorRole.Window)


def faint_label(label: QLabel, picture: QImage) -> list[str]:
    if not label.isEnabled():
        return []  # disabled text is exempt (WCAG 1.4.3)
    text = label.palette().color(label.foregroundRole())
    ratio = contrast(text, background_under(label, picture))
    if ratio < MIN_TEXT_CONTRAST:
        return [f"the text {label.text()[:40]!r} has contrast {ratio:.1f}:1 ({text.name()} on its background)"]
    return []


def faint_cells(table: QTableView) -> list[str]:
    model, base = table.model(), table.palette().color(QPalette.ColorRole.Base)
    problems = []
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index: QModelIndex = model.index(row, column)
            colour = model.data(index, Qt.ItemDataRole.ForegroundRole)
            if isinstance(colour, QBrush):
                colour = colour.color()
            if isinstance(colour, QColor) and contrast(colour, base) < MIN_TEXT_CONTRAST:
                problems.append(
                    f"{table.accessibleName()}: {model.data(index)!r} has contrast {contrast(colour, base):.1f}:1"
                )
    return problems


def palette_of(colours: dict[QPalette.ColorRole, str]) -> QPalette:
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    return palette


def dark_palette() -> QPalette:
    """A dark palette like Windows' dark mode with the Fusion style."""
    role = QPalette.ColorRole
    return palette_of(
        {
            role.Window: "#202020",
            role.WindowText: "#ffffff",
            role.Base: "#2b2b2b",
            role.AlternateBase: "#353535",
            role.Text: "#ffffff",
            role.Button: "#2d2d2d",
            role.ButtonText: "#ffffff",
            role.Highlight: "#0078d4",
            role.HighlightedText: "#ffffff",
            role.ToolTipBase: "#2b2b2b",
            role.ToolTipText: "#ffffff",
            role.PlaceholderText: "#a0a0a0",
            role.Link: "#4cc2ff",
        }
    )


def high_contrast_palette() -> QPalette:
    """Windows' "High Contrast Black" theme, as Qt takes it from the system: white text and frames
    on black (the frames of fields, buttons and check boxes are drawn white in that theme)."""
    role = QPalette.ColorRole
    return palette_of(
        {
            role.Window: "#000000",
            role.WindowText: "#ffffff",
            role.Base: "#000000",
            role.AlternateBase: "#000000",
            role.Text: "#ffffff",
            role.Button: "#000000",
            role.ButtonText: "#ffffff",
            role.Highlight: "#1aebff",
            role.HighlightedText: "#000000",
            role.ToolTipBase: "#000000",
            role.ToolTipText: "#ffffff",
            role.PlaceholderText: "#c0c0c0",
            role.Link: "#ffff00",
            role.Light: "#ffffff",
            role.Midlight: "#ffffff",
            role.Mid: "#c0c0c0",
            role.Dark: "#ffffff",
            role.Shadow: "#ffffff",
        }
    )
