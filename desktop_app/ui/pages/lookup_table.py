"""The Find calls table: every column fits the default window (short columns take what their text
needs, the status takes the rest and wraps), the user hides or shows columns from the header's
menu or the Columns button, and several rows can be selected."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from ..models.calls import CallsModel

STATUS_TITLE = "Status"


class CompactHeader(QHeaderView):
    """A header that keeps room for the sort arrow only in the sorted column. Qt reserves it in
    every column, which alone would push the last columns out of the default window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setSectionsClickable(True)
        self.setHighlightSections(True)
        self.sortIndicatorChanged.connect(lambda _c, _o: self.resizeSections())

    def sectionSizeFromContents(self, logicalIndex: int) -> QSize:
        size = super().sectionSizeFromContents(logicalIndex)
        if self.isSortIndicatorShown() and logicalIndex != self.sortIndicatorSection():
            size.setWidth(size.width() - size.height())  # what Qt adds for the arrow (its margin stays)
        return size


class CallsTable(QTableView):
    def __init__(self, model: CallsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.calls = model
        self.user_hidden: set[int] = set()  # columns the user hid
        self.setModel(model)
        self.setAccessibleName("Calls found")
        self.setToolTip("Select several rows (Ctrl+click or Shift+click) to cancel them together")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setWordWrap(True)  # a long status takes two lines rather than being cut
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = CompactHeader(self)
        self.setHorizontalHeader(header)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(model.column_of(STATUS_TITLE), QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(36)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_column_menu)
        header.setToolTip("Click to sort; right-click to choose the columns shown")
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the service's order until a click
        self.setSortingEnabled(True)
        self.update_account_column()

    # -- columns -------------------------------------------------------------------------------------

    def column_menu(self, parent: QWidget | None = None) -> QMenu:
        """One checkable action per column: unchecking hides it. The last visible one stays."""
        menu = QMenu(parent or self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        visible = [c for c in range(self.calls.columnCount()) if not self.isColumnHidden(c)]
        for column, spec in enumerate(self.calls.columns):
            action = QAction(spec.title, menu)
            action.setCheckable(True)
            action.setChecked(not self.isColumnHidden(column))
            action.setEnabled(visible != [column])
            if spec.header_tip:
                action.setToolTip(spec.header_tip)
            action.toggled.connect(lambda shown, c=column: self.set_column_shown(c, shown))
            menu.addAction(action)
        menu.setToolTipsVisible(True)
        return menu

    def _show_column_menu(self, position: QPoint) -> None:
        self.column_menu().popup(self.horizontalHeader().mapToGlobal(position))

    def set_column_shown(self, column: int, shown: bool) -> None:
        if shown:
            self.user_hidden.discard(column)
        else:
            self.user_hidden.add(column)
        self.setColumnHidden(column, not shown)

    def update_account_column(self) -> None:
        """The Account column only says something when the rows come from several accounts."""
        column = self.calls.column_of("Account")
        several = len(self.calls.accounts() - {""}) > 1
        self.setColumnHidden(column, not several or column in self.user_hidden)

    def selected_positions(self) -> list[int]:
        return sorted({index.row() for index in self.selectionModel().selectedRows()})
