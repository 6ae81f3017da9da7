"""MG000 syntax-error: SQL that PostgreSQL's parser rejects.

The engine reports it (no statement reaches a rule when the parser fails); a file that
does not parse would fail the deploy, and nothing else in it can be checked.

Anti-pattern:

    ALTER TABEL users ADD COLUMN email text;

Fix:

    ALTER TABLE users ADD COLUMN email text;
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Rule, Statement
from ..state import State


def check(statement: Statement, state: State) -> Iterator[Hit]:
    return iter(())  # reported by the engine when parsing fails


RULE = Rule(
    id="MG000",
    name="syntax-error",
    summary="SQL that PostgreSQL cannot parse",
    severity="error",
    kinds=(),
    check=check,
    doc=__doc__ or "",
)
