"""The data lint works with: sources, statements, hits, findings and rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from .state import State

Severity = Literal["error", "warning", "info"]
# "safety": locks, rewrites, failures, data loss; "types": column type and style advice that a
# project can turn off in one line (lint: {types: false})
Category = Literal["safety", "types"]
DOCS_URL = "https://github.com/migrate-gate/migrate-gate/blob/main/docs/rules/{id}.md"
# ascending; info never fails a run unless --fail-on info
SEVERITIES: tuple[str, ...] = ("info", "warning", "error")
Node = dict[str, Any]  # one parse-tree node's fields, as pglast's JSON gives them

# How the migration tool runs a file: in autocommit ("none"), always inside one transaction
# ("always", goose), or inside the implicit transaction PostgreSQL gives a multi-statement
# simple query ("multi", Prisma).
Transaction = Literal["none", "always", "multi"]


def rank(severity: str) -> int:
    """Order severities: info below warning below error."""
    return SEVERITIES.index(severity)


class Source(NamedTuple):
    """SQL that one migration runs, and where it comes from."""

    path: str  # shown in findings: relative to the working folder when inside it
    text: str
    transaction: Transaction = "none"
    sql_lines: bool = True  # False: the SQL was generated (Alembic), lines do not point into `path`
    chained: bool = False  # runs in the same session as the previous source (transaction, SETs)


class Statement(NamedTuple):
    """One parsed statement: its node type and fields (the engine knows where it is)."""

    kind: str  # e.g. "IndexStmt"
    node: Node


class Hit(NamedTuple):
    """What a rule reports about one statement; the engine turns it into a Finding."""

    message: str
    fix: str
    severity: Severity | None = None  # None: the rule's own severity
    # an object key, e.g. "function:touch": the finding is dropped if the same file creates that
    # object again later (DROP FUNCTION then CREATE FUNCTION with a new signature)
    unless_recreated: str = ""


class Rule(NamedTuple):
    """A lint rule: stable id, short name, the statement kinds it inspects, its check."""

    id: str
    name: str
    summary: str
    severity: Severity
    kinds: tuple[str, ...]
    check: Callable[[Statement, State], Iterable[Hit]]
    doc: str = ""  # the rule module's docstring: why, anti-pattern and fix as SQL
    # ALTER TABLE subcommands (AT_AddColumn, ...) it inspects; empty: every ALTER TABLE
    subtypes: frozenset[str] = frozenset()
    category: Category = "safety"

    @property
    def help_uri(self) -> str:
        """The rule's page: what it catches, why, the safe way, bad and good SQL."""
        return DOCS_URL.format(id=self.id)


class Finding(NamedTuple):
    """One problem found: the public shape of `findings` in reports and outputs."""

    rule: str
    name: str
    severity: Severity
    file: str
    line: int
    message: str
    fix: str
    statement: str = ""  # the statement's SQL, for fingerprints (not printed)
    column: int = 1  # 1-based, in characters, of the statement's first character
    end_line: int = 0  # the statement's last line and the column just past it (0: unknown)
    end_column: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "fix": self.fix,
            "column": self.column,
            "end_line": self.end_line or self.line,
            "end_column": self.end_column or self.column,
            "help_uri": DOCS_URL.format(id=self.rule),
        }
