"""`migrate-gate lint [PATH ...]`: its options, and the run from arguments to exit code.

The lead's cli.py adds the subcommand with add_arguments() and calls run(); exit 1
when a finding at or above --fail-on remains, 0 otherwise; UsageError (exit 2) for bad
input, raised before anything is linted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import MigrationFailed, UsageError
from ..folders import project_folder
from .model import SEVERITIES, Finding, Source, rank

if TYPE_CHECKING:
    from ..ecosystems.base import Context
    from ..masking import Masker
    from ..report import Report
    from .dialects import Skipped

FORMAT_NAMES = ("text", "json", "github", "gitlab", "sarif")
_DEFAULT_PG = 13  # state.DEFAULT_PG_VERSION, repeated so --help does not import the engine


def _pg_version(text: str) -> int:
    """`15`, `15.4` or `9.6` -> the major version (9.6 -> 9)."""
    try:
        major = int(text.strip().split(".")[0])
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a PostgreSQL version: {text!r}") from None
    if not 9 <= major <= 99:
        raise argparse.ArgumentTypeError(f"not a PostgreSQL version: {text!r}")
    return major


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `migrate-gate lint`."""
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="SQL files or folders to lint (default: the SQL the project's migrations run)",
    )
    parser.add_argument("--project-dir", default=".", help="the project's folder (default: .)")
    parser.add_argument(
        "--ecosystem", default="auto", help="alembic, goose, prisma, ... (default: detect)"
    )
    parser.add_argument(
        "--database-url",
        help="for tools that render SQL from a database URL (default: $DATABASE_URL)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as one JSON document")
    parser.add_argument(
        "--format", choices=FORMAT_NAMES, default="text", help="findings format (default: text)"
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="write the --format output to FILE; the findings still print as text unless --json",
    )
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        default="warning",
        help="exit 1 when a finding of this severity or above remains (default: warning; "
        "info findings, e.g. the type rules, never fail the run unless --fail-on info)",
    )
    parser.add_argument(
        "--pg-version",
        type=_pg_version,
        metavar="N",
        help=f"the PostgreSQL major version the migrations run on (default: {_DEFAULT_PG})",
    )
    parser.add_argument(
        "--assume-in-transaction",
        action="store_true",
        help="lint every file as if the tool ran it inside a transaction",
    )
    parser.add_argument(
        "--allow-destructive",
        action="store_true",
        help="report data-deleting statements (MG008) as warnings instead of errors",
    )
    parser.add_argument(
        "--since", metavar="REF", help="lint only migrations changed since this git ref"
    )


def run(args: argparse.Namespace, masker: Masker | None = None) -> int:
    """Lint, print or write the findings (secrets masked), return the exit code."""
    from ..masking import Masker
    from .config import load
    from .engine import Options, lint
    from .formats import FORMATS

    started = time.monotonic()
    # PATHs linted as they are: no tool starts, so a FIFO elsewhere in the folder is harmless
    project_dir = project_folder(args.project_dir, tools_read_it=not args.paths)
    if args.json and args.format != "text" and not args.output:
        raise UsageError("--json and --format both print to stdout: add --output FILE")
    config = load(project_dir)
    changed = _changed(args.since, project_dir)
    options = Options(
        ignore=config.ignore,
        allow_destructive=args.allow_destructive or config.allow_destructive,
        pg_version=_pg_version_for(args, config.pg_version, project_dir),
        assume_in_transaction=args.assume_in_transaction,
    )
    masker = masker or Masker()
    outcome = _Outcome(project_dir, started)
    outcome.pg_version = options.pg_version
    try:
        outcome.ecosystem = _ecosystem(args, project_dir)
        sources = _sources(args, project_dir, outcome.ecosystem, masker)
        # lint everything, so state carried across files stays right; report changed files only
        found = lint(sources, options, outcome.skipped)
        outcome.findings = [f for f in found if _kept(f, changed)]
    except MigrationFailed as error:
        outcome.error = outcome.unread = masker(str(error))
    outcome.judge(args.fail_on)
    rendered = FORMATS[args.format](outcome.findings)
    if args.output:
        Path(args.output).write_text(rendered, encoding="utf-8")
    if not args.json and not (args.output and args.format == "text"):
        # with --output FILE, the log still shows the findings as text
        sys.stdout.write(FORMATS["text"](outcome.findings) if args.output else rendered)
    for skipped in outcome.skipped:  # stderr: the findings formats on stdout stay as they are
        print(f"migrate-gate lint: skipped {skipped.file}: {skipped.reason}", file=sys.stderr)
    if args.json:
        report = outcome.report()
        report.mask_text(masker)
        print(report.to_json())
    # text output's total already says why findings fail the run; say why the SQL was not read
    if outcome.error and (outcome.unread or args.output or args.format != "text"):
        print(masker(f"migrate-gate lint: {outcome.error}"), file=sys.stderr)
    return 1 if outcome.error else 0


def _pg_version_for(args: argparse.Namespace, configured: int | None, project_dir: Path) -> int:
    """--pg-version, the config's, the server's when lint connects to one anyway (an explicit
    --database-url, or a tool whose SQL is read from a database), else the default."""
    chosen: int | None = args.pg_version or configured
    if chosen:
        return chosen
    raw = args.database_url
    if raw is None and not args.paths:
        from .sources import NEEDS_DATABASE

        ecosystem = _ecosystem(args, project_dir)
        raw = os.environ.get("DATABASE_URL") if ecosystem in NEEDS_DATABASE else None
    return (_server_major(raw) if raw else None) or _DEFAULT_PG


def _server_major(raw: str) -> int | None:
    """The server's major version (15 for 15.4), or None when it cannot be asked."""
    from ..db import connect_postgresql
    from ..dburl import parse

    try:
        database = parse(raw)
        if database.kind != "postgresql":
            return None
        connection = connect_postgresql(database)
        try:
            number = connection.execute("SHOW server_version_num").fetchone()[0]
        finally:
            connection.close()
        return int(number) // 10000
    except Exception:  # the version is a hint: reading the SQL reports a bad database itself
        return None


class _Outcome:
    """What the run found; the Report is only built for --json (its import costs start-up)."""

    def __init__(self, project_dir: Path, started: float) -> None:
        self.project_dir, self.started = project_dir, started
        self.ecosystem: str | None = None
        self.findings: list[Finding] = []
        self.error: str | None = None
        self.unread: str | None = None  # why the project's SQL could not be read
        self.skipped: list[Skipped] = []  # sources written for another database
        self.pg_version = _DEFAULT_PG  # the PostgreSQL major version the rules assumed

    def judge(self, fail_on: str) -> None:
        from .formats import summary

        at_or_above = set(SEVERITIES[rank(fail_on) :])  # a set: there may be 10,000 findings
        failing = [f for f in self.findings if f.severity in at_or_above]
        if failing and self.error is None:
            self.error = (
                f"{len(failing)} finding(s) at or above {fail_on}: {summary(self.findings)}"
            )

    def report(self) -> Report:
        from ..report import Report

        report = Report(command="lint", ecosystem=self.ecosystem, project_dir=str(self.project_dir))
        if self.error:
            report.fail(self.error)
        report.duration_seconds = round(time.monotonic() - self.started, 3)
        report.extra["findings"] = [f.to_dict() for f in self.findings]
        report.extra["skipped"] = [s.to_dict() for s in self.skipped]
        report.extra["pg_version"] = self.pg_version
        report.extra["notes"] = [EMPTY_DATABASE_NOTE] if self.ecosystem in RAN_ON_SCRATCH else []
        return report


# Tools whose SQL lint learns by running the migrations once on an empty scratch database.
RAN_ON_SCRATCH = frozenset({"knex", "rails"})
EMPTY_DATABASE_NOTE = (
    "the migrations ran once on an empty scratch database: code behind hasColumn / "
    "column_exists? guards (or any other look at the database) ran only the branch an empty "
    "database takes, and which files ran which branches is not known"
)


def _ecosystem(args: argparse.Namespace, project_dir: Path) -> str | None:
    """The project's tool; None when PATHs are linted as they are."""
    if args.paths:
        return None
    from ..detect import choose_ecosystem

    return choose_ecosystem(project_dir, args.ecosystem)


def _sources(
    args: argparse.Namespace, project_dir: Path, ecosystem: str | None, masker: Masker
) -> list[Source]:
    from . import sources

    if ecosystem is None:
        return sources.for_paths(args.paths)
    return sources.for_project(ecosystem, _context(args, project_dir, masker))


def _context(args: argparse.Namespace, project_dir: Path, masker: Masker) -> Context:
    """Like migrate's: the URL's password is masked in the tool's output and the report."""
    from ..dburl import from_option
    from ..ecosystems.base import Context
    from ..runner import Runner

    database = from_option(args.database_url)
    masker.add(database.secrets() if database else ())
    masker.warn_short()
    return Context(project_dir=project_dir, database=database, runner=Runner(masker=masker))


def _changed(ref: str | None, project_dir: Path) -> set[Path] | None:
    """Files changed since --since REF (None: no filter), checked before anything runs."""
    if not ref:
        return None
    from ..since import changed_files

    return changed_files(ref, project_dir)


def _kept(finding: Finding, changed: set[Path] | None) -> bool:
    return changed is None or Path(finding.file).resolve() in changed
