"""MG016 prefer-text: a column of type varchar(n).

PostgreSQL stores text and varchar(n) the same way, so the limit buys nothing but a
migration later: lowering n rewrites the table under an ACCESS EXCLUSIVE lock. text with a
CHECK constraint can change its limit with NOT VALID and VALIDATE, without a rewrite. A
type rule (category `types`, severity info).

Anti-pattern:

    CREATE TABLE users (email varchar(255));

Fix:

    CREATE TABLE users (email text CHECK (char_length(email) <= 255));
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Statement
from ..state import State
from ._types import rule, typed_columns


def check(statement: Statement, state: State) -> Iterator[Hit]:
    for table, column, definition, kind in typed_columns(statement):
        if kind == "varchar" and definition.get("typeName", {}).get("typmods"):
            yield Hit(
                f"{table}.{column} is varchar(n): changing n later takes a migration that can "
                "rewrite the table",
                "use text, with a CHECK (char_length(...) <= n) constraint if a limit is needed",
            )


RULE = rule(
    __doc__, id="MG016", name="prefer-text", summary="column of type varchar(n)", check=check
)
