"""`migrate-gate verify`: flags, the scratch-database guard, the report."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..command_run import build_context
from ..ecosystems import ECOSYSTEMS
from ..ecosystems.base import Context, Ecosystem
from ..errors import Cancelled, MigrationFailed
from ..locking import LockBusy
from ..masking import Masker
from ..operations import fill_report, hold_lock
from ..report import CANCELLED, Report
from ..runner import install_signal_handlers
from ..since import changed_files, migrations_added
from . import junit, snapshot
from .walk import Check, Walk


def run(args: argparse.Namespace, masker: Masker) -> Report:
    name, ctx = build_context(args, masker)
    report = Report(command="verify", ecosystem=name, project_dir=str(ctx.project_dir))
    started = time.monotonic()
    install_signal_handlers(ctx.runner)
    checks: list[Check] = []
    try:
        with hold_lock(ctx, "verify", report, args.lock_wait):
            _verify(args, ECOSYSTEMS[name], ctx, report, checks)
    except (MigrationFailed, Cancelled) as error:  # the lock was not taken: nothing ran
        if isinstance(error, LockBusy):
            report.extra["lock"] = error.info
        if isinstance(error, Cancelled):
            _cancel(report, error)
        else:
            report.fail(str(error))
    report.duration_seconds = round(time.monotonic() - started, 3)
    report.extra["checks"] = [check.to_dict() for check in checks]
    report.extra["sessions_ended"] = list(ctx.runner.ended_sessions)  # after a stop
    if args.junit:
        junit.write(Path(args.junit), checks, ecosystem=name, seconds=report.duration_seconds)
    return report


def _cancel(report: Report, error: Cancelled) -> None:
    report.status, report.error = CANCELLED, str(error)


def _verify(
    args: argparse.Namespace,
    ecosystem: Ecosystem,
    ctx: Context,
    report: Report,
    checks: list[Check],
) -> None:
    """Walk the pending migrations up, down, up; each check is appended to `checks`."""
    database = ctx.require_database()
    if not args.allow_nonempty:
        snapshot.require_scratch(
            database,
            ctx.project_dir,
            ecosystem.bookkeeping_tables(),
            "verify migrates up and down, so give it a scratch database, or pass --allow-nonempty",
        )
    before = ecosystem.read_state(ctx)
    walk = Walk(ecosystem, ctx, _to_walk(before.pending, ctx.project_dir, args.since), checks)
    print(
        f"migrate-gate: verify {ecosystem.NAME}: {len(walk.migrations)} migration(s) up, down, up",
        file=sys.stderr,
    )
    try:
        _prepare(ecosystem, ctx, before.pending, walk.migrations)
        if not walk.run():
            report.fail(walk.failure() or "verify failed")
    except MigrationFailed as error:
        report.fail(str(error))
    except Cancelled as error:
        _cancel(report, error)
    ctx.runner.cancelled = False
    fill_report(report, before, ecosystem.read_state(ctx))


def _to_walk(pending: list[str], project_dir: Path, since: str | None) -> list[str]:
    if since is None:
        return list(pending)
    added = set(migrations_added(pending, changed_files(since, project_dir)))
    first = next((i for i, m in enumerate(pending) if m in added), len(pending))
    return pending[first:]


def _prepare(ecosystem: Ecosystem, ctx: Context, pending: list[str], walked: list[str]) -> None:
    """Apply, without checking, the pending migrations older than the first one walked."""
    older = pending[: len(pending) - len(walked)]
    if older:
        ecosystem.migrate(ctx, target=older[-1])
