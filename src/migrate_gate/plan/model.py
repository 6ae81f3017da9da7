"""The plan's data: per migration, its statements with their locks, and its classification."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..lint.effects import Change, Lock


@dataclass
class Size:
    """A table's size as the database estimates it."""

    bytes: int
    rows: int  # pg_class.reltuples (-1: never analysed)

    def to_dict(self) -> dict[str, int]:
        return {"bytes": self.bytes, "rows": self.rows}


@dataclass
class PlannedStatement:
    sql: str
    kind: str  # the parse-tree node type, e.g. AlterTableStmt
    locks: tuple[Lock, ...]
    rewrite: bool
    scan: bool
    change: Change
    why: str
    findings: list[dict[str, Any]] = field(default_factory=list)  # lint's Finding.to_dict()

    def to_dict(self, sizes: dict[str, Size]) -> dict[str, Any]:
        return {
            "sql": self.sql,
            "kind": self.kind,
            "locks": [_lock(lock, sizes) for lock in self.locks],
            "rewrite": self.rewrite,
            "scan": self.scan,
            "change": self.change or None,
            "why": self.why,
            "findings": self.findings,
        }


def _lock(lock: Lock, sizes: dict[str, Size]) -> dict[str, Any]:
    size = sizes.get(lock.table)
    return {"mode": lock.mode, "table": lock.table, "size": size.to_dict() if size else None}


@dataclass
class PlannedMigration:
    id: str
    file: str
    statements: list[PlannedStatement] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)  # not tied to one statement

    @property
    def deciding(self) -> PlannedStatement | None:
        """The statement that classifies the migration: its first contract, data, expand one."""
        for change in ("contract", "data", "expand"):
            for statement in self.statements:
                if statement.change == change:
                    return statement
        return None

    @property
    def classification(self) -> str:
        deciding = self.deciding
        return deciding.change if deciding else "expand"

    def to_dict(self, sizes: dict[str, Size]) -> dict[str, Any]:
        deciding = self.deciding
        return {
            "id": self.id,
            "file": self.file,
            "classification": self.classification,
            "decided_by": {"sql": deciding.sql, "why": deciding.why} if deciding else None,
            "statements": [s.to_dict(sizes) for s in self.statements],
            "findings": self.findings,
        }


@dataclass
class Plan:
    """The migrations a deploy would run, oldest first, and how they were chosen."""

    selected_by: str  # "database" (pending there) or "since" (added since a git ref)
    migrations: list[PlannedMigration] = field(default_factory=list)
    sizes: dict[str, Size] = field(default_factory=dict)  # table -> size (with a database)
    unread: list[str] = field(default_factory=list)  # pending, but no SQL file to read (goose .go)

    def tables(self) -> list[str]:
        """Every table a statement locks, once each, in order."""
        names = (
            lock.table
            for migration in self.migrations
            for statement in migration.statements
            for lock in statement.locks
        )
        return [name for name in dict.fromkeys(names) if not name.endswith(")") and name != "?"]

    def counts(self) -> dict[str, int]:
        counts = {"expand": 0, "contract": 0, "data": 0}
        for migration in self.migrations:
            counts[migration.classification] += 1
        return counts

    def summary(self) -> str:
        """One line: how many of each kind, and the order to deploy in."""
        if not self.migrations:
            return "nothing to migrate"
        counts = ", ".join(f"{n} {kind}" for kind, n in self.counts().items() if n)
        contract = [m.id for m in self.migrations if m.classification == "contract"]
        data = [m.id for m in self.migrations if m.classification == "data"]
        advice = []
        if contract:
            steps = ", ".join(contract)
            advice.append(f"deploy the code before migrating contract step {steps}")
        if data:
            advice.append(f"data step {', '.join(data)} changes rows (check how it batches)")
        if not advice:
            advice.append("safe to migrate before the code deploys")
        return f"{counts}: {'; '.join(advice)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "selected_by": self.selected_by,
            "summary": self.summary(),
            "counts": self.counts(),
            "migrations": [m.to_dict(self.sizes) for m in self.migrations],
            "unread": self.unread,
        }
