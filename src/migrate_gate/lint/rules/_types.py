"""Shared by the type rules (MG012-MG016): which statements type columns, and the Rule shape."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..model import Hit, Node, Rule, Statement
from ..nodes import column_defs, table_name, type_names
from ..state import State

KINDS = ("CreateStmt", "AlterTableStmt")
SUBTYPES = frozenset({"AT_AddColumn", "AT_AlterColumnType"})


def typed_columns(statement: Statement) -> Iterator[tuple[str, str, Node, str]]:
    """(table, column, ColumnDef, type name) of each column the statement types."""
    relation = statement.node.get("relation")
    table = table_name(relation)
    for name, column in column_defs(statement.kind, statement.node):
        names = type_names(column)
        if names:
            yield table, name, column, names[-1]


def rule(
    module_doc: str | None,
    *,
    id: str,
    name: str,
    summary: str,
    check: Callable[[Statement, State], Iterator[Hit]],
) -> Rule:
    return Rule(
        id=id,
        name=name,
        summary=summary,
        severity="info",
        kinds=KINDS,
        check=check,
        doc=module_doc or "",
        subtypes=SUBTYPES,
        category="types",
    )
