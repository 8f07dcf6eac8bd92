"""A table model over a list of immutable rows, described by columns.

Every table in the app is a `QTableView` over one of these. Rows are frozen values (records,
statuses, bulk snapshots): a change replaces a row, and only that row is repainted. Sorting is a
Python sort of the row list with each column's key, instead of a proxy model calling back into
Python for every comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from ..widgets.text_tones import TextTone, tone_colour

Row = TypeVar("Row")
Index = QModelIndex | QPersistentModelIndex
Role = Qt.ItemDataRole
_TEXT_ROLES = frozenset({Role.DisplayRole, Role.AccessibleTextRole})


def failed_colour() -> QColor:
    """The red of a failed row's text, readable on the table's background, light or dark."""
    return tone_colour(TextTone.ERROR, QGuiApplication.palette().color(QPalette.ColorRole.Base))


def plain_tip(text: str) -> str:
    """A tooltip that shows `text` literally. Qt renders a tooltip as HTML when it looks like HTML,
    so text with a `<` (server or user text such as `<a href=...>`) is escaped inside an explicit
    rich-text paragraph; anything else is already shown as plain text."""
    if "<" not in text:
        return text
    import html  # on first use: no tooltip is needed for the first paint

    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"


class Column(NamedTuple, Generic[Row]):
    title: str
    text: Callable[[Row], str]
    sort_key: Callable[[Row], Any] | None = None  # default: the text
    tooltip: Callable[[Row], str] | None = None
    failed: Callable[[Row], bool] | None = None  # shown in red
    header_tip: str = ""


class RowsModel(QAbstractTableModel, Generic[Row]):
    def __init__(self, columns: Sequence[Column[Row]], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._rows: list[Row] = []
        self._sorted_by: tuple[int, Qt.SortOrder] | None = None

    # -- rows --------------------------------------------------------------------------------------

    @property
    def rows(self) -> tuple[Row, ...]:
        return tuple(self._rows)

    def row(self, position: int) -> Row:
        return self._rows[position]

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        if self._sorted_by is not None:
            self._sort_rows(*self._sorted_by)
        self.endResetModel()

    def replace_row(self, position: int, row: Row) -> None:
        self._rows[position] = row
        self.dataChanged.emit(self.index(position, 0), self.index(position, len(self.columns) - 1))

    def replace_rows(self, changes: Iterable[tuple[int, Row]]) -> None:
        """Several rows at once, with one repaint signal for the span they cover."""
        positions = []
        for position, row in changes:
            self._rows[position] = row
            positions.append(position)
        if positions:
            last = len(self.columns) - 1
            self.dataChanged.emit(self.index(min(positions), 0), self.index(max(positions), last))

    def column_of(self, title: str) -> int:
        return next(i for i, column in enumerate(self.columns) if column.title == title)

    # -- Qt's model interface --------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Role.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column, row = self.columns[index.column()], self._rows[index.row()]
        if role in _TEXT_ROLES:
            return column.text(row)
        if role == Role.ToolTipRole:
            return (plain_tip(column.tooltip(row)) or None) if column.tooltip is not None else None
        if role == Role.ForegroundRole and column.failed is not None and column.failed(row):
            return failed_colour()
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Role.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Role.DisplayRole:
            return self.columns[section].title
        if role == Role.ToolTipRole:
            return self.columns[section].header_tip or None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows; selections (persistent indexes) move with their rows."""
        if not 0 <= column < len(self.columns):
            return
        self.layoutAboutToBeChanged.emit()
        self._sorted_by = (column, order)
        order_of = self._sort_rows(column, order)
        old = self.persistentIndexList()
        if old:
            moved_to = {before: after for after, before in enumerate(order_of)}
            self.changePersistentIndexList(old, [self.index(moved_to[i.row()], i.column()) for i in old])
        self.layoutChanged.emit()

    def _sort_rows(self, column: int, order: Qt.SortOrder) -> list[int]:
        """Sort in place (stable); returns the old position of each new row."""
        spec = self.columns[column]
        key: Callable[[Any], Any] = spec.sort_key or spec.text
        keys = [key(row) for row in self._rows]
        order_of = sorted(range(len(keys)), key=keys.__getitem__, reverse=order == Qt.SortOrder.DescendingOrder)
        self._rows = [self._rows[i] for i in order_of]
        return order_of
