"""MG020 transaction-nesting: BEGIN inside a transaction that is already open.

PostgreSQL has no nested transactions: the inner BEGIN only warns, and its COMMIT commits
the outer transaction — the tool's (goose wraps each file in one) — so later statements run
outside any transaction and a failure leaves the migration half applied. In the example,
goose runs the file in its own transaction.

Anti-pattern:

    -- +goose Up
    BEGIN;
    ALTER TABLE users ADD COLUMN plan text;
    COMMIT;

Fix:

    -- +goose Up
    ALTER TABLE users ADD COLUMN plan text;
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Rule, Statement
from ..state import State

_BEGIN = ("TRANS_STMT_BEGIN", "TRANS_STMT_START")


def check(statement: Statement, state: State) -> Iterator[Hit]:
    if statement.node.get("kind") not in _BEGIN or not state.in_transaction:
        return
    if state.transaction == "multi" and not state.session.explicit_transaction:
        return  # a multi-statement query's implicit block: BEGIN makes it explicit, no nesting
    whose = "an explicit BEGIN" if state.session.explicit_transaction else "the tool's"
    yield Hit(
        f"BEGIN inside a transaction that is already open ({whose}): its COMMIT ends the "
        "outer transaction too",
        "remove the BEGIN/COMMIT and let the tool manage the transaction, or mark the "
        "migration as running without one",
    )


RULE = Rule(
    id="MG020",
    name="transaction-nesting",
    summary="BEGIN inside an open transaction",
    severity="warning",
    kinds=("TransactionStmt",),
    check=check,
    doc=__doc__ or "",
)
