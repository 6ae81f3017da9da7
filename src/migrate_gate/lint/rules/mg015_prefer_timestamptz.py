"""MG015 prefer-timestamptz: a column of type timestamp (without time zone).

timestamp stores the wall-clock time without its offset: the same instant reads back
differently from servers or sessions in other time zones, and daylight-saving changes make
values ambiguous. timestamptz stores an instant and takes the same eight bytes. A type
rule (category `types`, severity info).

Anti-pattern:

    ALTER TABLE orders ADD COLUMN paid_at timestamp;

Fix:

    ALTER TABLE orders ADD COLUMN paid_at timestamptz;
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Statement
from ..state import State
from ._types import rule, typed_columns


def check(statement: Statement, state: State) -> Iterator[Hit]:
    for table, column, _, kind in typed_columns(statement):
        if kind == "timestamp":
            yield Hit(
                f"{table}.{column} is timestamp without time zone: it does not record which "
                "instant it means",
                "use timestamptz (timestamp with time zone)",
            )


RULE = rule(
    __doc__,
    id="MG015",
    name="prefer-timestamptz",
    summary="column of type timestamp without time zone",
    check=check,
)
