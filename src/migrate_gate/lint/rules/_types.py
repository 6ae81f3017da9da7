"""Shared by the type rules (MG012-MG016): which statements type columns, and the Rule shape."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..model import Hit, Node, Rule, Statement
from ..nodes import column_defs, table_name, type_names
from ..state import State

KINDS = ("CreateStmt", "AlterTableStmt")
# the migration tools' own tables: their column types are the tool's choice, not the project's
BOOKKEEPING = frozenset({"alembic_version", "schema_migrations", "ar_internal_metadata",
                         "django_migrations", "knex_migrations", "knex_migrations_lock",
                         "goose_db_version", "_prisma_migrations"})  # fmt: skip
SUBTYPES = frozenset({"AT_AddColumn", "AT_AlterColumnType"})


Typed = list[tuple[str, str, Node, str]]
_last: list[tuple[Node, Typed]] = []  # the five type rules ask about the same statement in turn


def typed_columns(statement: Statement) -> Typed:
    """(table, column, ColumnDef, type name) of each column the statement types."""
    node = statement.node
    if _last and _last[0][0] is node:
        return _last[0][1]
    table = table_name(node.get("relation"))
    found: Typed = []
    if table.rsplit(".", 1)[-1] in BOOKKEEPING:
        _last[:] = [(node, found)]
        return found
    for name, column in column_defs(statement.kind, node):
        names = type_names(column)
        if names:
            found.append((table, name, column, names[-1]))
    _last[:] = [(node, found)]
    return found


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
