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
from ..masking import Masker
from ..operations import fill_report
from ..report import CANCELLED, Report
from ..runner import install_signal_handlers
from ..since import changed_files, migrations_added
from . import junit, snapshot
from .walk import Walk


def run(args: argparse.Namespace, masker: Masker) -> Report:
    name, ctx = build_context(args, masker)
    ecosystem = ECOSYSTEMS[name]
    database = ctx.require_database()
    report = Report(command="verify", ecosystem=name, project_dir=str(ctx.project_dir))
    started = time.monotonic()
    if not args.allow_nonempty:
        snapshot.require_scratch(
            database,
            ctx.project_dir,
            ecosystem.bookkeeping_tables(),
            "verify migrates up and down, so give it a scratch database, or pass --allow-nonempty",
        )
    before = ecosystem.read_state(ctx)
    walk = Walk(ecosystem, ctx, _to_walk(before.pending, ctx.project_dir, args.since))
    print(
        f"migrate-gate: verify {name}: {len(walk.migrations)} migration(s) up, down, up",
        file=sys.stderr,
    )
    install_signal_handlers(ctx.runner)
    try:
        _prepare(ecosystem, ctx, before.pending, walk.migrations)
        if not walk.run():
            report.fail(walk.failure() or "verify failed")
    except MigrationFailed as error:
        report.fail(str(error))
    except Cancelled as error:
        report.status, report.error = CANCELLED, str(error)
    ctx.runner.cancelled = False
    fill_report(report, before, ecosystem.read_state(ctx))
    report.duration_seconds = round(time.monotonic() - started, 3)
    report.extra["checks"] = [check.to_dict() for check in walk.checks]
    if args.junit:
        junit.write(Path(args.junit), walk.checks, ecosystem=name, seconds=report.duration_seconds)
    return report


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
