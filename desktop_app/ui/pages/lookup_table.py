"""The Find calls table: every column fits the default window (short columns take what their text
needs, the status takes the rest and wraps), the user hides or shows columns from the header's
menu or the Columns button, and several rows can be selected.

Each row's action ("Cancel…" on a call that can still be cancelled) is a cell of the model's
action column, painted as a button by RowActionDelegate: no widget per row, so sorting and
resetting need no bookkeeping, and assistive technology reads the cell (its accessible name says
which call it cancels). A click on it, Enter on the row, or Space on the action cell asks for the
row's action (`actionRequested`, with the row's call); Delete asks for the selected rows'
(`deleteRequested`)."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeyEvent, QMouseEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionButton,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from ..models.calls import ACTION_ROLE, CallsModel, FoundCall
from ..models.table import Index

STATUS_TITLE = "Status"
BUTTON_MARGIN = 2  # between the painted button and its cell's edges
ACTIVATE_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter})  # anywhere on the row
PRESS_KEYS = frozenset({Qt.Key.Key_Space})  # on the action cell, as on a focused button


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


class RowActionDelegate(QStyledItemDelegate):
    """Paints a cell whose ACTION_ROLE is true as a push button labelled with the cell's text, and
    emits `clicked(index)` when the left button is pressed and released on it. Other cells are
    painted as usual. While disabled (`set_enabled(False)`), the buttons look and act disabled."""

    clicked = Signal(QModelIndex)

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view
        self.enabled = True
        self.pressed = QPersistentModelIndex()  # the button held down, drawn sunken

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        self.pressed = QPersistentModelIndex()
        self.view.viewport().update()

    @staticmethod
    def button_rect(cell: QRect) -> QRect:
        return cell.adjusted(BUTTON_MARGIN, BUTTON_MARGIN, -BUTTON_MARGIN, -BUTTON_MARGIN)

    def _button_option(self, option: QStyleOptionViewItem, index: Index) -> QStyleOptionButton:
        """A push button's style option for the cell: raised, sunken while held down, disabled
        (greyed) while the page is busy; focus and mouse-over as the view gives them to the cell."""
        button = QStyleOptionButton()
        button.initFrom(self.view)  # palette, font metrics, direction, window activity
        button.rect = self.button_rect(option.rect)
        button.text = str(index.data(Qt.ItemDataRole.DisplayRole))
        state = button.state & ~(QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_HasFocus)
        state |= option.state & (QStyle.StateFlag.State_HasFocus | QStyle.StateFlag.State_MouseOver)
        if not self.enabled:
            button.palette.setCurrentColorGroup(QPalette.ColorGroup.Disabled)
        elif self.pressed.isValid() and self.pressed == index:
            state |= QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Sunken
        else:
            state |= QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Raised
        button.state = state
        return button

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        if not index.data(ACTION_ROLE):
            super().paint(painter, option, index)
            return
        style = self.view.style() or QApplication.style()
        cell = QStyleOptionViewItem(option)
        self.initStyleOption(cell, index)
        cell.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, cell, painter, self.view)  # the selection
        style.drawControl(QStyle.ControlElement.CE_PushButton, self._button_option(option, index), painter, self.view)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        if not index.data(ACTION_ROLE):
            return super().sizeHint(option, index)
        button = self._button_option(option, index)
        text = self.view.fontMetrics().size(Qt.TextFlag.TextShowMnemonic, button.text)
        size = (self.view.style() or QApplication.style()).sizeFromContents(
            QStyle.ContentsType.CT_PushButton, button, text, self.view
        )
        return size + QSize(2 * BUTTON_MARGIN, 2 * BUTTON_MARGIN)

    def editorEvent(self, event: QEvent, model: QAbstractItemModel, option: QStyleOptionViewItem, index: Index) -> bool:
        if not (isinstance(event, QMouseEvent) and model.data(index, ACTION_ROLE)):
            return super().editorEvent(event, model, option, index)
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        on_button = self.button_rect(option.rect).contains(event.position().toPoint())
        cell = model.index(index.row(), index.column())  # a plain QModelIndex, whichever kind came in
        if event.type() == QEvent.Type.MouseButtonPress:
            self.pressed = QPersistentModelIndex(cell) if on_button and self.enabled else QPersistentModelIndex()
            self.view.update(cell)
            return False  # the view still makes the row current and selects it
        if event.type() == QEvent.Type.MouseButtonRelease:
            was_pressed = self.pressed.isValid() and self.pressed == cell
            self.pressed = QPersistentModelIndex()
            self.view.update(cell)
            if was_pressed and on_button and self.enabled:
                self.clicked.emit(cell)
                return True
        return event.type() == QEvent.Type.MouseButtonDblClick and on_button  # not a second click


class CallsTable(QTableView):
    actionRequested = Signal(object)  # the FoundCall whose row's action was chosen
    deleteRequested = Signal()  # Delete: the selected rows' action

    def __init__(self, model: CallsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.calls = model
        self.user_hidden: set[int] = set()  # columns the user hid
        self.setModel(model)
        self.setAccessibleName("Calls found")
        self.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.setToolTip(
            "Select several rows (Ctrl+click or Shift+click) to cancel them together; "
            "Enter cancels the current row's call, Delete the selected calls (after a confirmation)"
        )
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setWordWrap(True)  # a long status takes two lines rather than being cut
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.row_actions = RowActionDelegate(self)
        self.setItemDelegateForColumn(model.action_column, self.row_actions)
        self.row_actions.clicked.connect(self._action_clicked)
        self._set_up_header(model)
        self.setSortingEnabled(True)
        self.update_account_column()

    def _set_up_header(self, model: CallsModel) -> None:
        header = CompactHeader(self)
        self.setHorizontalHeader(header)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(model.column_of(STATUS_TITLE), QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(36)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_column_menu)
        header.setToolTip("Click to sort; right-click to choose the columns shown")
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the service's order until a click

    # -- row actions -----------------------------------------------------------------------------------

    def set_actions_enabled(self, enabled: bool) -> None:
        self.row_actions.set_enabled(enabled)

    def _action_clicked(self, index: QModelIndex) -> None:
        if index.isValid() and self.row_actions.enabled:
            self.actionRequested.emit(self.calls.row(index.row()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, current = Qt.Key(event.key()), self.currentIndex()
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        on_action = current.isValid() and current.column() == self.calls.action_column
        if plain and current.isValid() and (key in ACTIVATE_KEYS or (key in PRESS_KEYS and on_action)):
            action = self.calls.index(current.row(), self.calls.action_column)
            if action.data(ACTION_ROLE):
                if self.row_actions.enabled:
                    self.actionRequested.emit(self.calls.row(current.row()))
                event.accept()
                return
        if plain and key == Qt.Key.Key_Delete and self.selected_positions():
            self.deleteRequested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

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

    def update_account_column(self, everywhere: bool = False) -> None:
        """The Account column says something when the rows come from several accounts, or from a
        look-up in all accounts (where the call was found), unless the user hid it."""
        column = self.calls.column_of("Account")
        accounts = self.calls.accounts() - {""}
        useful = len(accounts) > 1 or (everywhere and bool(accounts))
        self.setColumnHidden(column, not useful or column in self.user_hidden)

    # -- selection -----------------------------------------------------------------------------------

    def selected_positions(self) -> list[int]:
        return sorted({index.row() for index in self.selectionModel().selectedRows()})

    def selected_calls(self) -> list[FoundCall]:
        return [self.calls.row(position) for position in self.selected_positions()]
