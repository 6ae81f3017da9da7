"""`migrate-gate check`: validate the invocation, then report the history's problems.

Nothing here writes to the database given with --database-url: it is read (what it
records, its schema for --drift). Only the scratch database is migrated, and only for the
model and drift checks that need one.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

from .. import history
from ..dburl import DatabaseUrl, from_option, scratch_from_option
from ..detect import choose_ecosystem
from ..ecosystems import ECOSYSTEMS
from ..ecosystems.base import Context, Ecosystem, MigrationState
from ..errors import Cancelled, MigrationFailed, UsageError
from ..folders import project_folder
from ..history import ALLOWABLE, Problem
from ..masking import Masker
from ..operations import UNKNOWN, fill_report
from ..report import CANCELLED, Report
from ..runner import Runner, install_signal_handlers
from ..since import changed_files, migrations_added

CHECKED, NO_DATABASE = "checked", "not checked: give --database-url"


@dataclass
class Plan:
    """A validated `check` invocation."""

    name: str
    ctx: Context
    scratch: DatabaseUrl | None
    changed: set[Path] | None  # --since: the files the branch changed
    allowed: list[str]
    drift: bool
    models: bool


def run(args: argparse.Namespace, masker: Masker) -> Report:
    plan = _validate(args, masker)
    report = Report(command="check", ecosystem=plan.name, project_dir=str(plan.ctx.project_dir))
    started = time.monotonic()
    install_signal_handlers(plan.ctx.runner)
    try:
        _check(plan, ECOSYSTEMS[plan.name], report)
    except MigrationFailed as error:
        report.fail(str(error))
    except Cancelled as error:
        report.status, report.error = CANCELLED, str(error)
    report.duration_seconds = round(time.monotonic() - started, 3)
    return report


def _validate(args: argparse.Namespace, masker: Masker) -> Plan:
    project_dir = project_folder(args.project_dir)
    name = choose_ecosystem(project_dir, args.ecosystem)
    database = masker.hide(from_option(args.database_url))
    scratch = masker.hide(scratch_from_option(args.scratch_url))
    if args.drift and (database is None or scratch is None):
        raise UsageError(
            "--drift compares a database with what its migrations build: "
            "give --database-url and --scratch-url (an empty database)"
        )
    if scratch is not None and scratch == database:
        raise UsageError("--scratch-url names the database being checked: give an empty one")
    ctx = Context(project_dir, database, Runner(masker=masker, timeout=args.timeout))
    if database is not None:
        ECOSYSTEMS[name].check(ctx)
    if scratch is not None and (args.drift or not args.skip_models):
        _require_empty(scratch, project_dir, ECOSYSTEMS[name])
    changed = changed_files(args.since, project_dir) if args.since else None
    masker.warn_short()
    allowed = [k for k in ALLOWABLE if getattr(args, f"allow_{k.replace('-', '_')}", False)]
    return Plan(name, ctx, scratch, changed, allowed, args.drift, not args.skip_models)


def _require_empty(scratch: DatabaseUrl, project_dir: Path, ecosystem: Ecosystem) -> None:
    """The model and drift checks migrate (Prisma: reset) the scratch database."""
    from ..verify.snapshot import require_scratch

    try:
        require_scratch(
            scratch,
            project_dir,
            ecosystem.bookkeeping_tables(),
            "check migrates the --scratch-url database: give an empty one",
        )
    except MigrationFailed as error:
        raise UsageError(f"cannot read --scratch-url: {error}") from None


def _check(plan: Plan, ecosystem: Ecosystem, report: Report) -> None:
    """The files' problems always; the database's when it could be read (when it could not,
    the report fails saying so: its state is unknown, not clean)."""
    ctx = plan.ctx
    state, unread = _read_state(ecosystem, ctx)
    problems = ecosystem.problems(ctx, state)
    database = CHECKED if state is not None else f"not read: {unread}" if unread else NO_DATABASE
    checked = {"history": CHECKED, "database": database}
    if unread:
        report.fail(f"cannot read what {ctx.require_database().redacted()} records: {unread}")
    if plan.drift and plan.scratch and state is not None:
        from .drift import drift

        problems += drift(ecosystem, ctx, plan.scratch, state)
        checked["drift"] = CHECKED
    checked["models"] = _models(plan, ecosystem, problems)
    report.extra["checked"] = checked
    _judge(plan, report, problems, state)


def _read_state(ecosystem: Ecosystem, ctx: Context) -> tuple[MigrationState | None, str]:
    if ctx.database is None:
        return None, ""
    try:
        return ecosystem.read_state(ctx), ""
    except MigrationFailed as error:
        return None, str(error)


def _models(plan: Plan, ecosystem: Ecosystem, problems: list[Problem]) -> str:
    if not plan.models:
        return "not checked: --skip-models"
    forks = sorted({p.kind for p in problems if p.kind in history.FORKS})
    if forks:
        return f"not checked: the history has {' and '.join(forks)}; merge it first"
    found = ecosystem.unmigrated_models(plan.ctx, plan.scratch)
    problems += history.model_problems(found)
    return found.skipped or CHECKED


def _judge(
    plan: Plan, report: Report, problems: list[Problem], state: MigrationState | None
) -> None:
    if plan.changed is not None:
        changed = plan.changed
        problems = history.touched_since(problems, lambda m: bool(migrations_added([m], changed)))
    report.problems = [problem.to_dict() for problem in problems]
    if state is not None:
        fill_report(report, state, state)  # nothing ran: current and pending as they are
    else:
        report.extra["state"] = UNKNOWN  # no database read: pending is not "none"
    blocking = history.errors(problems, allowed=plan.allowed)
    if blocking:
        report.fail(history.summary(blocking))
