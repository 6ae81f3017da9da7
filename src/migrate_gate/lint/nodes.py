"""Small readers over pglast's JSON parse tree (each node is {"Type": {fields}})."""

from __future__ import annotations

from typing import Any

from .model import Node


def unwrap(wrapped: Node) -> tuple[str, Node]:
    """{"Type": {fields}} -> ("Type", fields)."""
    for kind, fields in wrapped.items():
        return kind, fields
    return "", {}


def table_name(rangevar: Node | None) -> str:
    """A RangeVar as written: schema.table or table."""
    if not rangevar:
        return ""
    name = str(rangevar.get("relname", ""))
    schema = rangevar.get("schemaname")
    return f"{schema}.{name}" if schema else name


def strings(items: list[Node] | None) -> list[str]:
    """A list of String nodes -> their values (qualified names, column lists)."""
    return [item["String"]["sval"] for item in items or () if "String" in item]


def alter_commands(node: Node) -> list[Node]:
    """The AlterTableCmd fields of an ALTER TABLE, in order."""
    # lists, not generators, here and below: cheaper to build for the one or two items they hold
    return [cmd["AlterTableCmd"] for cmd in node.get("cmds", ())]


def column_constraints(column: Node) -> list[Node]:
    """The Constraint fields attached to a ColumnDef."""
    return [item["Constraint"] for item in column.get("constraints", ()) if "Constraint" in item]


def has_contype(column: Node, *contypes: str) -> bool:
    for item in column.get("constraints", ()):
        if item.get("Constraint", {}).get("contype") in contypes:
            return True
    return False


def type_names(column: Node) -> list[str]:
    """A ColumnDef's type name parts, e.g. ["pg_catalog", "int4"] or ["bigserial"]."""
    return strings(column.get("typeName", {}).get("names"))


def not_null_column(expr: Any) -> str | None:
    """The column of a `col IS NOT NULL` check expression, else None."""
    if not isinstance(expr, dict) or "NullTest" not in expr:
        return None
    test = expr["NullTest"]
    if test.get("nulltesttype") != "IS_NOT_NULL" or "ColumnRef" not in test.get("arg", {}):
        return None
    fields = strings(test["arg"]["ColumnRef"].get("fields"))
    return fields[-1] if fields else None
