"""MG022 statement-timeout: a lock-taking statement with no statement_timeout set before it.

lock_timeout (MG009) bounds the wait for a lock; statement_timeout bounds how long the
statement then holds it. Without it, a rewrite or a scan that takes longer than expected
keeps the table locked until it ends. Reported once per file, severity info: a long
CREATE INDEX CONCURRENTLY needs a generous value, not the application's.

Anti-pattern:

    SET lock_timeout = '5s';
    ALTER TABLE users ADD CONSTRAINT users_plan_check CHECK (plan <> '');

Fix:

    SET lock_timeout = '5s';
    SET statement_timeout = '15min';
    ALTER TABLE users ADD CONSTRAINT users_plan_check CHECK (plan <> '');
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Rule, Statement
from ..state import State
from .mg009_lock_timeout import RULE as LOCK_TIMEOUT
from .mg009_lock_timeout import takes_lock


def check(statement: Statement, state: State) -> Iterator[Hit]:
    if state.session.statement_timeout or state.statement_timeout_reported:
        return
    if takes_lock(statement.kind, statement.node, state):
        yield Hit(
            "no statement_timeout is set: a slow statement holds its lock for as long as it runs",
            "SET statement_timeout = '...' (generous: long enough for the migration, short "
            "enough to bound the outage) before it",
        )


RULE = Rule(
    id="MG022",
    name="statement-timeout",
    summary="lock-taking statement without statement_timeout set before it",
    severity="info",
    kinds=LOCK_TIMEOUT.kinds,
    check=check,
    doc=__doc__ or "",
)
