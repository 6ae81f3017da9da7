"""Column types as the parse tree writes them, and which type changes rewrite nothing."""

from __future__ import annotations

from typing import NamedTuple

from .model import Node
from .nodes import strings


class ColumnType(NamedTuple):
    name: str  # the last part of the type name: varchar, int4, bpchar, numeric, my_enum
    mods: tuple[int, ...]  # typmods: varchar(20) -> (20,), numeric(10, 2) -> (10, 2)
    array: bool = False


def of(column: Node) -> ColumnType | None:
    """The type of a ColumnDef (None when it has none, e.g. in a partition's column list)."""
    type_name = column.get("typeName")
    if not type_name:
        return None
    names = strings(type_name.get("names"))
    mods = tuple(
        m["A_Const"]["ival"].get("ival", 0)
        for m in type_name.get("typmods", ())
        if "ival" in m.get("A_Const", {})
    )
    return ColumnType(names[-1] if names else "", mods, bool(type_name.get("arrayBounds")))


def key(table: str, column: str) -> tuple[str, str]:
    """History key: `public.users` and `users` are the same table for almost every project."""
    return (table.removeprefix("public."), column)


def binary_coercible(old: ColumnType, new: ColumnType) -> bool:
    """True when ALTER COLUMN TYPE old -> new rewrites neither the table nor its indexes."""
    if old.array != new.array:
        return False
    if old.name == new.name:
        # a project's type of the same name may be another type by now (Prisma's enum swap
        # renames X to X_old and X_new to X): only built-in types are known to relabel
        return old.name in _BUILTIN and _wider(old, new)
    if old.name in _TEXTUAL and new.name == "text":
        return True
    if old.name == "text" and new.name == "varchar" and not new.mods:
        return True
    return (old.name, new.name) in _RELABELED


_TEXTUAL = {"varchar", "text"}
_BUILTIN = {"varchar", "text", "numeric", "varbit", "bpchar", "int2", "int4", "int8", "float4",
            "float8", "bool", "date", "timestamp", "timestamptz", "uuid", "jsonb", "json",
            "bytea", "inet", "cidr", "interval", "time", "timetz", "citext"}  # fmt: skip
_RELABELED = {("cidr", "inet"), ("varbit", "bit varying")}


def _wider(old: ColumnType, new: ColumnType) -> bool:
    """Same type, typmod kept or relaxed: varchar(10) -> varchar(20), numeric(5,2) -> (8,2)."""
    if not new.mods:
        return old.name in ("varchar", "numeric", "varbit", "bpchar") or not old.mods
    if not old.mods:
        return False
    if old.name == "numeric":
        old_scale = old.mods[1] if len(old.mods) > 1 else 0
        new_scale = new.mods[1] if len(new.mods) > 1 else 0
        return new_scale == old_scale and new.mods[0] >= old.mods[0]
    if old.name in ("varchar", "varbit"):
        return new.mods[0] >= old.mods[0]
    return new.mods == old.mods  # bpchar(n) pads: any change of n rewrites
