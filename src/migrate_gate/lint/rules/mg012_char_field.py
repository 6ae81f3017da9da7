"""MG012 char-field: a column of type char(n) / character(n).

char(n) pads every value with spaces to n characters, compares ignoring them, and is no
faster than text or varchar in PostgreSQL; the padding surprises application code and
changing n later rewrites the table. A type rule (category `types`, severity info).

Anti-pattern:

    CREATE TABLE countries (code char(2));

Fix:

    CREATE TABLE countries (code text CHECK (char_length(code) = 2));
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Statement
from ..state import State
from ._types import rule, typed_columns


def check(statement: Statement, state: State) -> Iterator[Hit]:
    for table, column, _, kind in typed_columns(statement):
        if kind == "bpchar":
            yield Hit(
                f"{table}.{column} is char(n): values are blank-padded to n characters",
                "use text (or varchar) with a CHECK on the length if one is needed",
            )


RULE = rule(__doc__, id="MG012", name="char-field", summary="column of type char(n)", check=check)
