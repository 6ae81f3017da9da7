"""Read the pending migrations' SQL the way lint does, lint it, and build the plan."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..ecosystems import ECOSYSTEMS
from ..ecosystems.base import Context, MigrationState
from ..errors import MigrationFailed
from ..lint import sources as lint_sources
from ..lint.config import load
from ..lint.engine import Options, lint
from ..lint.model import Source
from ..lint.state import DEFAULT_PG_VERSION
from ..operations import fill_report
from ..runner import Runner, install_signal_handlers
from . import select
from .build import build
from .model import Plan
from .options import READ_ONLY
from .sizes import Target

if TYPE_CHECKING:
    from ..dburl import DatabaseUrl
    from ..masking import Masker
    from ..report import Report
    from .command import Invocation


def compute(invocation: Invocation, masker: Masker, report: Report) -> Plan:
    """The plan of `invocation`; the target database is only read."""
    ecosystem = ECOSYSTEMS[invocation.name]
    config = load(invocation.project_dir)
    target = Target(invocation.target) if invocation.target else None
    try:
        state = _state(invocation, masker, target) if target else None
        sources = _sources(invocation, masker)
        if state is _UNMIGRATED:
            ids = _alembic_ids(invocation)
            state = MigrationState([], [_id(Path(s.path).resolve(), ids) for s in sources])
        if state is not None:
            fill_report(report, state, state)
        version = config.pg_version or (target.major() if target else None)
        options = Options(
            ignore=config.ignore,
            allow_destructive=config.allow_destructive,
            pg_version=version or DEFAULT_PG_VERSION,
        )
        chosen = _chosen(invocation, sources, state)
        plan = build(chosen, lint(sources, options), ecosystem.bookkeeping_tables(), _by(state))
        if state is not None:
            found = {migration for migration, _ in chosen}
            plan.unread = [m for m in state.pending if m not in found]
        if target is not None:
            plan.sizes = target.sizes(plan.tables())
    finally:
        if target is not None:
            target.close()
    return plan


def _id(path: Path, known: dict[Path, str]) -> str:
    return known.get(path) or select.migration_id(path)


def _by(state: MigrationState | None) -> str:
    return "database" if state is not None else "since"


# A target the tool never migrated: everything is pending (Knex's migrate:list would first
# create its tables, which the read-only session refuses).
_UNMIGRATED = MigrationState([], [])


def _state(invocation: Invocation, masker: Masker, target: Target) -> MigrationState:
    """What the target records, on sessions that cannot write (the tool's too: PGOPTIONS)."""
    import os

    runner = Runner(masker=masker, timeout=invocation.timeout)
    install_signal_handlers(runner)
    options = os.environ.get("PGOPTIONS", "").strip()
    runner.session_env["PGOPTIONS"] = f"{options} {READ_ONLY}".strip()
    ctx = Context(invocation.project_dir, invocation.target, runner)
    ecosystem = ECOSYSTEMS[invocation.name]
    ecosystem.check(ctx)
    try:
        return ecosystem.read_state(ctx)
    except MigrationFailed:
        if target.has_any(ecosystem.bookkeeping_tables()):
            raise
        return _UNMIGRATED


def _sources(invocation: Invocation, masker: Masker) -> list[Source]:
    """Every migration's SQL (rendered offline, read from files, or run on the scratch)."""
    runner = Runner(masker=masker, timeout=invocation.timeout)
    install_signal_handlers(runner)
    ctx = Context(invocation.project_dir, _sql_database(invocation), runner)
    return lint_sources.for_project(invocation.name, ctx)


def _sql_database(invocation: Invocation) -> DatabaseUrl | None:
    """The database the SQL is read with: the scratch one for the tools that run; for Alembic,
    which renders offline and never connects, the URL that picks its dialect."""
    if invocation.name in lint_sources.NEEDS_DATABASE:
        return invocation.scratch
    if invocation.name == "alembic":
        from ..dburl import parse
        from ..lint.alembic_sql import PLACEHOLDER_URL

        return invocation.target or parse(PLACEHOLDER_URL)
    return None


def _chosen(
    invocation: Invocation, sources: list[Source], state: MigrationState | None
) -> list[tuple[str, Source]]:
    if state is not None:
        chosen = select.pending(sources, state.pending, _alembic_ids(invocation))
        if invocation.changed is not None:
            changed = invocation.changed
            chosen = [(m, s) for m, s in chosen if Path(s.path).resolve() in changed]
        return chosen
    assert invocation.changed is not None  # validated: a database or --since
    return select.changed(sources, invocation.changed, _alembic_ids(invocation))


def _alembic_ids(invocation: Invocation) -> dict[Path, str]:
    """Alembic script files are named freely: their revision comes from the script."""
    if invocation.name != "alembic":
        return {}
    from ..lint.alembic_sql import _scripts

    return {path.resolve(): revision for revision, path in _scripts(invocation.project_dir).items()}
