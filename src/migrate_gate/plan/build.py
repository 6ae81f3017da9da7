"""From the sources lint reads (one per migration) to the plan: each statement parsed with
lint's parser, its effect read by lint.effects, lint's findings placed next to it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..lint import statements
from ..lint.effects import effect
from ..lint.model import Finding, Node, Source
from ..lint.nodes import table_name
from .model import Plan, PlannedMigration, PlannedStatement

_REWRITE_RULE = "MG006"
# the session's own business, not the schema's: not listed (lint still checks them)
_HIDDEN = {"TransactionStmt", "VariableSetStmt", "VariableShowStmt", "SelectStmt"}


def build(
    chosen: Sequence[tuple[str, Source]],
    findings: Iterable[Finding],
    bookkeeping: frozenset[str],
    selected_by: str,
) -> Plan:
    """The plan of `chosen` ((migration id, its source), oldest first)."""
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        by_file.setdefault(finding.file, []).append(finding)
    plan = Plan(selected_by)
    for migration_id, source in chosen:
        migration = PlannedMigration(migration_id, source.path)
        left = list(by_file.get(source.path, ()))
        migration.statements = [
            planned
            for kind, node, sql in _statements(source.text)
            if (planned := _planned(kind, node, sql, left, bookkeeping)) is not None
        ]
        migration.findings = [f.to_dict() for f in left]
        plan.migrations.append(migration)
    return plan


def _statements(text: str) -> Iterable[tuple[str, Node, str]]:
    parsed = statements.parse(text)
    for wrapped, start, end in statements.each(parsed.batches):
        kind, node = next(iter(wrapped.items()))
        yield kind, node, parsed.data[start:end].decode("utf-8", "replace")


def _planned(
    kind: str, node: Node, sql: str, left: list[Finding], bookkeeping: frozenset[str]
) -> PlannedStatement | None:
    if kind in _HIDDEN or _bookkeeping(node, bookkeeping):
        return None
    mine = [f for f in left if f.statement == sql]
    for finding in mine:
        left.remove(finding)
    read = effect(kind, node)
    return PlannedStatement(
        sql=sql.strip(),
        kind=kind,
        locks=read.locks,
        rewrite=any(f.rule == _REWRITE_RULE for f in mine),
        scan=read.scan,
        change=read.change,
        why=read.why,
        findings=[f.to_dict() for f in mine],
    )


def _bookkeeping(node: Node, tables: frozenset[str]) -> bool:
    """A statement on the tool's own table (alembic_version, knex_migrations, ...)."""
    relation = node.get("relation") or node.get("into", {}).get("rel")
    return bool(relation) and table_name(relation).rsplit(".", 1)[-1] in tables
