"""`migrate-gate plan`: validate everything, read the SQL, then print or write the plan.

The database given with --database-url is only read, on sessions that set
default_transaction_read_only (migrate-gate's own connection and, through PGOPTIONS, the
tool's). Django, Knex and Rails SQL comes from running them on the --scratch-url database.
Exit 0 with a plan, 1 when the SQL cannot be read, 2 for bad input; findings never fail it.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from ..dburl import SCRATCH_ENV, DatabaseUrl, from_option, scratch_from_option
from ..errors import Cancelled, MigrationFailed, UsageError
from ..masking import Masker
from ..report import CANCELLED, Report
from .options import READ_ONLY

_NEEDS_SCRATCH = (
    "plan reads {name}'s SQL by running its migrations on a scratch database: give "
    f"--scratch-url (or ${SCRATCH_ENV}), an empty PostgreSQL database, never the target"
)


@dataclass
class Invocation:
    """A validated `plan` invocation."""

    name: str
    project_dir: Path
    target: DatabaseUrl | None  # read only (default_transaction_read_only)
    scratch: DatabaseUrl | None
    changed: set[Path] | None  # --since: the files the branch changed
    timeout: float | None


def run(args: argparse.Namespace, masker: Masker) -> int:
    """Plan, print or write it (secrets masked), return the exit code."""
    invocation = _validate(args, masker)
    started = time.monotonic()
    report = Report(
        command="plan", ecosystem=invocation.name, project_dir=str(invocation.project_dir)
    )
    from .render import markdown, text

    plan = None
    try:
        from .compute import compute

        plan = compute(invocation, masker, report)
        report.extra["plan"] = plan.to_dict()
    except MigrationFailed as error:
        report.fail(masker(str(error)))
    except Cancelled as error:
        report.status, report.error = CANCELLED, str(error)
    report.duration_seconds = round(time.monotonic() - started, 3)
    report.mask_text(masker)
    rendered = {"text": text, "markdown": markdown}[args.format](report)
    if args.output:
        Path(args.output).write_text(rendered, encoding="utf-8")
    if args.json:
        print(report.to_json())
    else:
        sys.stdout.write(text(report) if args.output else rendered)
    return report.exit_code


def _validate(args: argparse.Namespace, masker: Masker) -> Invocation:
    from ..detect import choose_ecosystem
    from ..folders import project_folder
    from ..lint.sources import NEEDS_DATABASE

    if args.json and args.format != "text" and not args.output:
        raise UsageError("--json and --format both print to stdout: add --output FILE")
    project_dir = project_folder(args.project_dir)
    name = choose_ecosystem(project_dir, args.ecosystem)
    target = masker.hide(from_option(args.database_url))
    scratch = masker.hide(scratch_from_option(args.scratch_url))
    if target is None and not args.since:
        raise UsageError(
            "plan needs the migrations to plan: --database-url (those pending there) "
            "or --since REF (those the branch added)"
        )
    if target is not None and target.kind != "postgresql":
        raise UsageError(f"plan reads PostgreSQL databases, not {target.kind}: {target.redacted()}")
    if name in NEEDS_DATABASE and scratch is None:
        raise UsageError(_NEEDS_SCRATCH.format(name=name))
    if scratch is not None and target is not None and _same(scratch, target):
        raise UsageError("--scratch-url names the --database-url database: give an empty one")
    changed = _changed(args.since, project_dir) if args.since else None
    masker.warn_short()
    read_only = _read_only(target) if target else None
    return Invocation(name, project_dir, read_only, scratch, changed, args.timeout)


def _same(one: DatabaseUrl, other: DatabaseUrl) -> bool:
    where = (one.host or "localhost", one.port or 5432, one.database)
    return where == (other.host or "localhost", other.port or 5432, other.database)


def _read_only(database: DatabaseUrl) -> DatabaseUrl:
    """The URL with libpq's `options` set so every transaction on it is read only."""
    query = [(k, v) for k, v in database.query if k != "options"]
    options = dict(database.query).get("options", "")
    return replace(database, query=(*query, ("options", f"{options} {READ_ONLY}".strip())))


def _changed(ref: str, project_dir: Path) -> set[Path]:
    from ..since import changed_files

    return changed_files(ref, project_dir)
