"""Truth checks: a tool that exits 0 is held to what the command asked of the database.

The after-state comes from the database migrate-gate was given, read with its own
connection; when it contradicts the command, the run failed, whatever the tool said.
"""

from __future__ import annotations

from .ecosystems.base import Context, MigrationState
from .report import Report

# Where each tool takes its database from, when it is not the one migrate-gate gave it.
WRONG_DATABASE_HINTS = {
    "alembic": "the project's env.py probably connects to another database; "
    "make it read sqlalchemy.url (config.get_main_option) or DATABASE_URL",
    "django": "settings.DATABASES probably names another database for the migrations' "
    "router; make it read DATABASE_URL",
    "knex": "the knexfile probably builds its own connection; make it read DATABASE_URL",
    "prisma": "the schema's datasource or prisma.config probably reads another variable; "
    'use url = env("DATABASE_URL")',
    "goose": "a migration probably failed silently or the version table is another one; "
    "check GOOSE_TABLE",
    "rails": "config/database.yml probably overrides DATABASE_URL for this RAILS_ENV",
}


def hint(ecosystem_name: str) -> str:
    """Why a tool that exited 0 may have changed another database than the one given."""
    return WRONG_DATABASE_HINTS.get(ecosystem_name, "check which database the tool connects to")


def check_migrated(
    report: Report, *, ecosystem_name: str, ctx: Context, after: MigrationState
) -> None:
    """`migrate` exited 0: the database must have nothing pending."""
    if not after.pending:
        return
    where = ctx.database.redacted() if ctx.database else "the database"
    report.fail(
        f"{ecosystem_name} exited 0 but {where} still has {len(after.pending)} pending "
        f"migration(s) (first: {after.pending[0]}): {hint(ecosystem_name)}"
    )


def check_rolled_back(
    report: Report, *, before: MigrationState, after: MigrationState, steps: int
) -> None:
    """`rollback --steps N` exited 0: exactly the N most recently applied must be reverted."""
    asked = list(reversed(before.applied))[:steps]
    reverted = [m for m in reversed(before.applied) if m not in set(after.applied)]
    if reverted == asked and len(after.applied) == len(before.applied) - steps:
        return
    report.fail(
        f"rollback of {steps} exited 0 but the database shows "
        f"{', '.join(reverted) or 'nothing'} reverted (asked: {', '.join(asked)})"
    )
