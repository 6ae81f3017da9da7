"""The data lint works with: sources, statements, hits, findings and rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from .state import State

Severity = Literal["error", "warning"]
SEVERITIES: tuple[str, ...] = ("warning", "error")  # ascending
Node = dict[str, Any]  # one parse-tree node's fields, as pglast's JSON gives them

# How the migration tool runs a file: in autocommit ("none"), always inside one transaction
# ("always", goose), or inside the implicit transaction PostgreSQL gives a multi-statement
# simple query ("multi", Prisma).
Transaction = Literal["none", "always", "multi"]


def rank(severity: str) -> int:
    """Order severities: a warning ranks below an error."""
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "fix": self.fix,
        }
