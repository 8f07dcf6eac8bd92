"""The accounts list: names from the settings, never keys."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from .table import Column, Index, Role, RowsModel

_NUMBER = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[str | int, ...], str]:
    """How people sort names: without regard to capitals, and numbers by their value ("Clinic 9"
    before "Clinic 10", "Clinic North" before "Clinic North 2"). The name itself breaks ties."""
    parts = _NUMBER.split(name.casefold())  # text, number, text, …: the same kind at each position
    return tuple(int(part) if i % 2 else part for i, part in enumerate(parts)), name


class AccountRow(NamedTuple):
    name: str
    is_default: bool = False
    session_only: bool = False  # its key is kept in memory for this session only

    @property
    def kept(self) -> str:
        return "This session only" if self.session_only else "System keyring"


COLUMNS = [
    Column[AccountRow]("Account", lambda a: a.name, sort_key=lambda a: natural_key(a.name)),
    Column[AccountRow]("Default", lambda a: "Default" if a.is_default else "", header_tip="Chosen when the app starts"),
    Column[AccountRow]("License key kept in", lambda a: a.kept),
]


class AccountsModel(RowsModel[AccountRow]):
    def __init__(self, parent: object = None) -> None:
        super().__init__(COLUMNS, parent)

    def data(self, index: Index, role: int = Role.DisplayRole) -> Any:
        if role == Role.UserRole and index.isValid():
            return self.row(index.row()).name  # QComboBox.findData / currentData give the name
        return super().data(index, role)

    def names(self) -> list[str]:
        return [row.name for row in self.rows]

    def position_of(self, name: str) -> int:
        return next((i for i, row in enumerate(self.rows) if row.name == name), -1)
