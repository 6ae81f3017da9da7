"""The `migrate-gate` command line: parse, validate everything, then run one command."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence

from . import __version__
from .errors import UsageError
from .masking import Masker

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see masking.py)
if TYPE_CHECKING:  # the report module (dataclasses) is imported only by commands that report
    from typing import NoReturn

    from .report import Report

PROG = "migrate-gate"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse's own asks shutil for the width, on every add_argument too: importing shutil
        # (zlib, bz2, lzma) was ~2 ms of each start-up. The same width, without it.
        return argparse.HelpFormatter(prog=self.prog, width=_terminal_columns() - 2)


def _terminal_columns() -> int:
    """shutil.get_terminal_size().columns: $COLUMNS, else the terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):  # no stdout, or not a terminal
        return 80


_RUN_COMMANDS = (
    ("status", "show applied and pending migrations"),
    ("migrate", "apply every pending migration"),
    ("rollback", "revert the most recently applied migrations"),
    ("verify", "check every pending migration's down on a scratch database: up, down, up"),
)
COMMANDS = ("detect", *(name for name, _ in _RUN_COMMANDS), "check", "scaffold", "lint", "plan")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or only the top level and the `only` command's options: argparse
    takes ~2 ms a subcommand to build, and a run needs just the one it was given (`--version`
    first: none of them)."""
    parser = _Parser(
        prog=PROG, description="Run database migrations in CI/CD and report exactly what happened."
    )
    _add_version(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    wanted = {only} if only in COMMANDS else set() if only == "--version" else set(COMMANDS)
    if "detect" in wanted:
        detect = commands.add_parser("detect", help="list the migration projects below a folder")
        _add_version(detect)
        detect.add_argument("--project-dir", default=".", help="folder to search (default: .)")
        detect.add_argument("--json", action="store_true", help="print one JSON document")
    for name, summary in _RUN_COMMANDS:
        if name in wanted:
            _add_run_command(commands, name, summary)
    for name, add in _OWN_OPTIONS:
        if name in wanted:
            add(commands)
    return parser


def _add_run_command(
    commands: argparse._SubParsersAction[_Parser], name: str, summary: str
) -> None:
    """status, migrate, rollback, verify: the options of a command that runs the tool."""
    sub = commands.add_parser(name, help=summary, description=summary)
    _add_run_options(sub)
    if name == "verify":
        from .verify.options import add_arguments

        add_arguments(sub)
    if name in ("status", "migrate", "rollback"):
        _add_allow_options(sub)
    if name != "status":
        _add_lock_options(sub)
    if name == "rollback":
        sub.add_argument(
            "--steps",
            type=_positive_int,
            default=1,
            help="how many of the most recently applied migrations to revert (default: 1)",
        )


def _add_check(commands: argparse._SubParsersAction[_Parser]) -> None:
    """`check`: its options live in the check package."""
    from .check.options import add_arguments

    summary = "check that the migration history is sound, before anything runs"
    sub = commands.add_parser("check", help=summary, description=summary)
    _add_run_options(sub, database=False)
    add_arguments(sub)
    _add_allow_options(sub)


def _add_allow_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--allow-out-of-order",
        action="store_true",
        help="accept pending migrations older than the newest applied one",
    )
    sub.add_argument(
        "--allow-unknown-applied",
        action="store_true",
        help="accept applied migrations this checkout lacks (deploying older code deliberately)",
    )


def _add_lock_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--lock-wait",
        type=_positive_float,
        default=600.0,
        metavar="SECONDS",
        help="how long to wait for another migrate-gate run on the same database (default: 600)",
    )
    sub.add_argument(
        "--lock-timeout",
        type=_positive_float,
        default=None,
        metavar="SECONDS",
        help="PostgreSQL lock_timeout for the tool's sessions (default: the server's)",
    )
    sub.add_argument(
        "--lock-retries",
        type=_non_negative_int,
        default=3,
        metavar="N",
        help="re-run a migrate that failed on a lock timeout up to N times (default: 3)",
    )
    sub.add_argument(
        "--statement-timeout",
        type=_positive_float,
        default=None,
        metavar="SECONDS",
        help="PostgreSQL statement_timeout for the tool's sessions (default: the server's)",
    )
    sub.add_argument(
        "--warn-slower-than",
        type=_positive_float,
        default=None,
        metavar="SECONDS",
        help="warn about (and mark in `durations`) each migration that took longer",
    )


def _add_lint(commands: argparse._SubParsersAction[_Parser]) -> None:
    """`lint`: its options live in the lint package."""
    from .lint.command import add_arguments

    summary = "find lock-unsafe and destructive SQL in migrations"
    sub = commands.add_parser("lint", help=summary, description=summary)
    _add_version(sub)
    add_arguments(sub)
    add_migrations_dir(sub)


def _add_plan(commands: argparse._SubParsersAction[_Parser]) -> None:
    """`plan`: its options live in the plan package."""
    from .plan.options import add_arguments

    summary = "show what the pending migrations will do: SQL, locks, expand/contract/data"
    sub = commands.add_parser("plan", help=summary, description=summary)
    _add_run_options(sub, database=False)
    add_arguments(sub)


def _add_scaffold(commands: argparse._SubParsersAction[_Parser]) -> None:
    """`scaffold`: its options live in the scaffold package."""
    from .scaffold import add_arguments

    help_text = "write the CI pipeline that tests, migrates, then deploys"
    sub = commands.add_parser("scaffold", help=help_text, description=help_text)
    _add_version(sub)
    add_arguments(sub)


_OWN_OPTIONS = (("check", _add_check), ("scaffold", _add_scaffold), ("lint", _add_lint),
                ("plan", _add_plan))  # fmt: skip


def _add_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")


def _add_run_options(parser: argparse.ArgumentParser, *, database: bool = True) -> None:
    _add_version(parser)
    parser.add_argument("--project-dir", default=".", help="the project's folder (default: .)")
    parser.add_argument(
        "--ecosystem", default="auto", help="alembic, django, ... (default: detect)"
    )
    if database:
        parser.add_argument(
            "--database-url",
            help="database to act on (default: $DATABASE_URL), "
            "e.g. postgresql://user:pass@host:5432/db",
        )
    add_migrations_dir(parser)
    parser.add_argument("--json", action="store_true", help="print the report as one JSON document")
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        default=None,
        help="stop the tool after this many seconds",
    )


def add_migrations_dir(parser: argparse.ArgumentParser) -> None:
    """goose's -dir: the one migration folder setting not kept in a config file."""
    parser.add_argument(
        "--migrations-dir",
        metavar="DIR",
        help="goose: the migrations folder, relative to the project folder "
        "(default: $GOOSE_MIGRATION_DIR, then the project's .env, then migrations/, ...)",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return value


def _non_negative_int(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number of 0 or more, got {text!r}")
    return int(text)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    as_script = argv is None
    argv = sys.argv[1:] if argv is None else list(argv)
    masker = Masker(_secrets_in_environment())
    try:
        masker.add(_secrets_in_argv(argv))  # before argparse can echo a value in an error
        args = build_parser(argv[0] if argv else None).parse_args(argv)
        with _goose_dir(args):
            code = _dispatch(args, masker)
        if as_script and args.command == "lint" and args.paths:
            _exit_without_teardown(code)
        return code
    except UsageError as error:
        _say(masker(f"{PROG}: error: {' '.join(str(error).splitlines())}"))
        return 2
    except KeyboardInterrupt:
        _say(f"{PROG}: cancelled")
        return 130
    except Exception as error:  # a bug: say so in one masked line, the traceback only on request
        if os.environ.get("MIGRATE_GATE_DEBUG"):
            import traceback

            _say(masker(traceback.format_exc()))
        _say(
            masker(f"{PROG}: unexpected error ({type(error).__name__}: {error}); please report it")
        )
        return 1


def _exit_without_teardown(code: int) -> None:
    """End now, skipping the interpreter's teardown (a tenth of linting a small file): linting
    given files leaves nothing behind to clean up, no connection, child, thread or temporary
    file. Returns, for the usual exit, when the output cannot be flushed."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


@contextlib.contextmanager
def _goose_dir(args: argparse.Namespace) -> Iterator[None]:
    """--migrations-dir reaches goose as GOOSE_MIGRATION_DIR (its own variable), for this
    call only; any other ecosystem asked for is a usage error."""
    folder = getattr(args, "migrations_dir", None)
    if folder is None:
        yield
        return
    if not folder.strip():
        raise UsageError("--migrations-dir is empty: give the goose migrations folder")
    if getattr(args, "ecosystem", "auto") not in ("auto", "goose", None):
        raise UsageError(
            f"--migrations-dir is goose's setting; {args.ecosystem} reads its migrations "
            "folder from its own configuration"
        )
    from .ecosystems.goose import DIR_ENV

    before = os.environ.get(DIR_ENV)
    os.environ[DIR_ENV] = folder
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(DIR_ENV, None)
        else:
            os.environ[DIR_ENV] = before


def _dispatch(args: argparse.Namespace, masker: Masker) -> int:
    if args.command == "detect":
        return _detect(args)
    if args.command == "scaffold":
        from .scaffold import run

        return run(args)
    if args.command == "lint":
        from .lint.command import run as run_lint

        return run_lint(args, masker)
    if args.command == "plan":
        from .plan.command import run as run_plan

        return run_plan(args, masker)
    if args.command == "verify":
        from .verify.command import run as run_verify

        report = run_verify(args, masker)
    elif args.command == "check":
        from .check.command import run as run_check

        report = run_check(args, masker)
    else:
        from .command_run import run_command

        report = run_command(args, masker)
    _print_report(report, as_json=args.json, masker=masker)
    return report.exit_code


def _detect(args: argparse.Namespace) -> int:
    from .detect import detect_tree
    from .folders import project_folder

    root = project_folder(args.project_dir)
    projects = detect_tree(root)
    if args.json:
        import json

        print(json.dumps({"projects": [p.to_dict() for p in projects]}, indent=2))
    elif not projects:
        print(f"no migration project found below {root}")
    else:
        for project in projects:
            print(f"{project.ecosystem:8} {project.path:30} {', '.join(project.evidence)}")
    return 0


def _print_report(report: Report, *, as_json: bool, masker: Masker) -> None:
    report.mask_text(masker)  # ids come from the database and files: never masked
    print(report.to_json() if as_json else _text_report(report))


def _text_report(report: Report) -> str:
    def listed(ids: list[str]) -> str:
        return ", ".join(ids) if ids else "none"

    lines = [
        f"{PROG} {report.command}: {report.status} "
        f"({report.ecosystem}, {report.duration_seconds:.2f} s)",
    ]
    if report.command == "migrate" or report.applied:
        lines.append(f"  applied:     {listed(report.applied)}")
    if report.command == "rollback" or report.rolled_back:
        lines.append(f"  rolled back: {listed(report.rolled_back)}")
    if report.extra.get("state") == "unknown":
        lines.append("  state:       unknown (the database was not read)")
    else:
        lines.append(f"  current:     {report.current or 'none'}")
        lines.append(f"  pending:     {listed(report.pending)}")
    for check in report.extra.get("checks", []):  # verify: each down, newest first
        why = f": {check['message']}" if check["message"] else ""
        lines.append(f"  down of {check['migration']}: {check['result']}{why}")
        lines.extend(f"    {difference}" for difference in check["diff"])
    for entry in report.extra.get("durations") or []:
        slow = " (slow)" if entry.get("slow") else ""
        lines.append(f"  took:        {entry['id']} {entry['seconds']:.2f} s{slow}")
    for blocker in report.extra.get("blocked_by") or []:
        lines.append(
            f"  blocked by:  pid {blocker['pid']} ({blocker['application']}, "
            f"{blocker['state']}) on {blocker['relation']} for {blocker['seconds']:g} s: "
            f"{blocker['query']}"
        )
    for what, how in (report.extra.get("checked") or {}).items():  # check: what was looked at
        lines.append(f"  {what + ':':12} {how}")
    for problem in report.problems:
        where = f" {problem['migration']}" if problem.get("migration") else ""
        severity = problem.get("severity", "error")
        lines.append(f"  {severity}: {problem.get('kind')}{where}: {problem.get('detail')}")
    if report.error:
        lines.append(f"  error:       {report.error}")
    return "\n".join(lines)


def _secrets_in_environment() -> list[str]:
    """Passwords in DATABASE_URL are masked even in messages about bad arguments."""
    raw = os.environ.get("DATABASE_URL")
    if not raw:
        return []
    from .dburl import parse

    try:
        return parse(raw).secrets()
    except UsageError:
        return []


def _secrets_in_argv(argv: Sequence[str]) -> list[str]:
    """Passwords of every argument (or `--flag=value` value) that is a URL with one."""
    if not any("://" in arg for arg in argv):
        return []  # urllib.parse (with ipaddress) is ~4 ms of a start that needs none of it
    from urllib.parse import unquote, urlsplit

    secrets: list[str] = []
    for arg in argv:
        for value in {arg, arg.partition("=")[2]}:
            if "://" not in value:
                continue
            try:
                password = urlsplit(value).password
            except ValueError:  # a malformed host ("[::1"): the password is still there
                password = _raw_password(value)
            if password:
                secrets.extend({password, unquote(password)})
    return secrets


def _raw_password(url: str) -> str | None:
    """The password of user:password@ after the scheme, read without parsing the host."""
    authority = url.partition("://")[2].split("/", 1)[0]
    credentials, at, _host = authority.rpartition("@")
    return credentials.partition(":")[2] or None if at else None


def _say(line: str) -> None:
    print(line, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
