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


def object_names(node: Node) -> list[str]:
    """The names a DropStmt drops: tables and views are Lists, schemas Strings, types TypeNames."""
    names = []
    for obj in node.get("objects", ()):
        if "List" in obj:
            names.append(".".join(strings(obj["List"].get("items"))))
        elif "String" in obj:
            names.append(obj["String"]["sval"])
        elif "TypeName" in obj:
            names.append(".".join(strings(obj["TypeName"].get("names"))))
        elif "ObjectWithArgs" in obj:
            names.append(".".join(strings(obj["ObjectWithArgs"].get("objname"))))
    return names


def column_defs(kind: str, node: Node) -> list[tuple[str, Node]]:
    """(column name, ColumnDef) of every column a CREATE TABLE, ADD COLUMN or ALTER TYPE types."""
    if kind == "CreateStmt":
        return [
            (e["ColumnDef"].get("colname", ""), e["ColumnDef"])
            for e in node.get("tableElts", ())
            if "ColumnDef" in e
        ]
    found = []
    for cmd in alter_commands(node):
        _, column = unwrap(cmd.get("def", {}))
        if cmd.get("subtype") == "AT_AddColumn":
            found.append((column.get("colname", ""), column))
        elif cmd.get("subtype") == "AT_AlterColumnType":
            found.append((cmd.get("name", ""), column))
    return found
