"""`check --drift`: does the database's schema match what its applied migrations build?

The migrations the database records are applied to an empty scratch database; both schemas
are snapshotted as verify does (the tool's bookkeeping tables left out) and compared.
"""

from __future__ import annotations

import dataclasses

from ..dburl import DatabaseUrl
from ..ecosystems.base import Context, Ecosystem, MigrationState
from ..history import Problem
from ..verify import snapshot

_MEANING = {
    "-": "missing from the database, though its applied migrations create it",
    "+": "in the database, but made by none of its migrations",
    "~": "changed outside the migrations",
}


def drift(
    ecosystem: Ecosystem, ctx: Context, scratch: DatabaseUrl, state: MigrationState
) -> list[Problem]:
    """One `drift` problem per differing table, column, index or constraint."""
    on_scratch = dataclasses.replace(ctx, database=scratch)
    for target in _targets(ecosystem.NAME, state):
        ecosystem.migrate(on_scratch, target=target)
    bookkeeping = ecosystem.bookkeeping_tables()
    built = snapshot.take(scratch, ctx.project_dir, bookkeeping)
    live = snapshot.take(ctx.require_database(), ctx.project_dir, bookkeeping)
    return [
        Problem("drift", None, f"{line[2:]}: {_MEANING[line[0]]}")
        for line in snapshot.diff(built, live)
    ]


def _targets(tool: str, state: MigrationState) -> list[str | None]:
    """What to migrate the scratch database to: everything when nothing is pending, else the
    newest applied migration (per app for Django, whose apps migrate separately)."""
    if not state.applied:
        return []
    if not state.pending:
        return [None]
    if tool == "django":
        return list({name.partition(".")[0]: name for name in state.applied}.values())
    return [state.applied[-1]]
