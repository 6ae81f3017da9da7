"""Alembic: `alembic upgrade head`, `downgrade -N`; state from alembic_version and the scripts.

The tool runs through a few lines of Python in the project's own interpreter
that set `sqlalchemy.url` before Alembic's CLI runs, so the URL given to
migrate-gate wins over alembic.ini (a stock `driver://user:pass@...` included)
without writing a file or putting the password on argv.
"""

from __future__ import annotations

import ast
import configparser
import dataclasses
import functools
import os
import re
from pathlib import Path

from .. import db, folders, history
from ..dburl import DatabaseUrl
from ..errors import MigrationFailed, UsageError
from ..history import ModelCheck, Problem
from ..runner import ToolResult
from . import reversible
from .base import (
    Context,
    MigrationState,
    downs_found_by_running,
    newest_first,
    own_interpreter_hint,
    python_for,
    require_readable,
)

NAME = "alembic"
INSTALL_HINT = "pip install alembic (in the project's virtualenv or on PATH)"
INI = "alembic.ini"

_SHIM = """
import os, sys
from alembic.config import CommandLine
url = os.environ["MIGRATE_GATE_SQLALCHEMY_URL"]
if url.startswith("postgresql://"):
    try:
        import psycopg2  # noqa: F401  SQLAlchemy's default PostgreSQL driver
    except ImportError:
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
run_cmd = CommandLine.run_cmd
def run_with_url(self, config, options):
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return run_cmd(self, config, options)
CommandLine.run_cmd = run_with_url
if os.environ.get("MIGRATE_GATE_HANDSHAKE") and sys.stdin.readline() != "go\\n":
    sys.exit("migrate-gate did not give the go-ahead; nothing was run")
CommandLine(prog="alembic").main(sys.argv[1:])
"""


def detect(directory: Path) -> list[str]:
    """alembic.ini naming a script location that holds env.py."""
    ini = directory / INI
    if not ini.is_file():
        return []
    script_dir = _script_location(directory)
    if script_dir is None or not (script_dir / "env.py").is_file():
        return []
    return [INI, (script_dir / "env.py").relative_to(directory).as_posix()]


def check(ctx: Context) -> None:
    if not detect(ctx.project_dir):
        raise UsageError(f"no {INI} with a script location holding env.py in {ctx.project_dir}")
    _parents(ctx.project_dir)  # every version file reads, before anything runs
    require_readable(ctx.database, NAME)
    _interpreter(ctx)


def read_state(ctx: Context) -> MigrationState:
    parents = _parents(ctx.project_dir)
    order = _revision_order(parents, ctx.project_dir)
    rows = db.query(
        ctx.require_database(), ctx.project_dir, "SELECT version_num FROM alembic_version"
    )
    heads = {row[0] for row in rows or []}
    unknown = heads - set(order)
    if unknown:
        raise MigrationFailed(
            f"the database is at revision {', '.join(sorted(unknown))}, which no script defines"
        )
    applied = _ancestors(heads, parents)
    return MigrationState(
        applied=[r for r in order if r in applied], pending=[r for r in order if r not in applied]
    )


def migrate(ctx: Context, *, target: str | None = None) -> None:
    # several heads here are deliberate branches (_multiple_heads refused any other kind)
    everything = "heads" if len(_heads(_parents(ctx.project_dir))) > 1 else "head"
    _alembic(ctx, "upgrade", target or everything)


def rollback(ctx: Context, state: MigrationState, steps: int) -> None:
    newest_first(state, steps)  # refuses more steps than applied
    _alembic(ctx, "downgrade", f"-{steps}")


def problems(ctx: Context, state: MigrationState | None) -> list[Problem]:
    """More than one unmerged head (`upgrade head` cannot choose: merge them); revisions
    whose downgrade() does nothing."""
    no_down = [
        revision
        for revision, path in _revision_files(ctx.project_dir).items()
        if not reversible.alembic_has_down(path)
    ]
    return _multiple_heads(ctx) + history.missing_down(no_down, "downgrade() does nothing")


def _multiple_heads(ctx: Context) -> list[Problem]:
    """Heads of one branch: branches given their own `branch_labels` have a head each by
    design (`upgrade heads` applies them all); two heads of one branch are an unmerged fork."""
    parents = _parents(ctx.project_dir)
    labels = _branch_labels(ctx.project_dir)
    by_branch: dict[str | None, list[str]] = {}
    for head in _heads(parents):
        by_branch.setdefault(_branch_of(head, parents, labels), []).append(head)
    return [
        Problem(
            "multiple-heads",
            head,
            f"one of {len(heads)} heads{f' of branch {branch}' if branch else ''} "
            f"({', '.join(heads)}); merge them: alembic merge -m merge {' '.join(heads)}",
        )
        for branch, heads in by_branch.items()
        if len(heads) > 1
        for head in heads
    ]


def _heads(parents: dict[str, tuple[str, ...]]) -> list[str]:
    has_child = {p for ps in parents.values() for p in ps}
    return [revision for revision in parents if revision not in has_child]


def _branch_of(
    head: str, parents: dict[str, tuple[str, ...]], labels: dict[str, tuple[str, ...]]
) -> str | None:
    """The first branch label on the way from `head` down to its base, if any."""
    queue, seen = [head], set()
    while queue:
        revision = queue.pop(0)
        if revision in seen or revision not in parents:
            continue
        seen.add(revision)
        if labels.get(revision):
            return labels[revision][0]
        queue.extend(parents[revision])
    return None


@functools.lru_cache(maxsize=8)
def _branch_labels(directory: Path) -> dict[str, tuple[str, ...]]:
    """revision -> its `branch_labels` (a string or a list of them), read statically."""
    found = {}
    for path, (revision, _) in _scripts(directory).items():
        for node in folders.parse_python(path).body:
            target, value = _assignment(node)
            if target == "branch_labels" and value is not None:
                try:
                    raw = ast.literal_eval(value)
                except ValueError:
                    continue
                names = (raw,) if isinstance(raw, str) else tuple(raw or ())
                found[revision] = tuple(str(name) for name in names)
    return found


def bookkeeping_tables() -> frozenset[str]:
    return frozenset({"alembic_version"})


def unmigrated_models(ctx: Context, scratch: DatabaseUrl | None) -> ModelCheck:
    """`alembic check` (Alembic 1.9+) on the scratch database upgraded to head."""
    if _without_metadata(ctx.project_dir):
        return ModelCheck([], NOT_APPLICABLE)
    if scratch is None:
        return ModelCheck([], NEEDS_SCRATCH)
    on_scratch = dataclasses.replace(ctx, database=scratch)
    migrate(on_scratch)
    result = _run(on_scratch, "check")
    if result.ok:
        return ModelCheck([])
    if _NO_METADATA in result.output:
        return ModelCheck([], NOT_APPLICABLE)
    changes = _detected(result.output)
    if not changes:
        raise MigrationFailed(f"alembic check failed: {result.last_line()}")
    return ModelCheck(changes)


NEEDS_SCRATCH = "not checked: give --scratch-url (an empty database to migrate) to compare"
NOT_APPLICABLE = "not applicable: env.py gives autogenerate no target_metadata"
_NO_METADATA = "does not provide a MetaData object"
_TARGET_METADATA = re.compile(r"^target_metadata\s*=\s*(.+?)\s*$", re.MULTILINE)
_OPERATION = re.compile(r"\('((?:add|remove|modify)_\w+)'")
_QUOTED = re.compile(r"'([^']+)'")


def _without_metadata(directory: Path) -> bool:
    """env.py says `target_metadata = None` and nothing else (Alembic's template)."""
    script_dir = _script_location(directory)
    text = reversible.read(script_dir / "env.py") if script_dir else ""
    values = set(_TARGET_METADATA.findall(text))
    return values == {"None"}


def _detected(output: str) -> list[str]:
    """ "add_column books.isbn" for each operation of `alembic check`'s FAILED line, e.g.
    [('add_column', None, 'books', Column('isbn', ...)), ('add_table', Table('authors', ...]."""
    failed = next((line for line in output.splitlines() if line.startswith("FAILED:")), "")
    starts = list(_OPERATION.finditer(failed))
    changes = []
    for match, following in zip(starts, [*starts[1:], None], strict=True):
        names = _QUOTED.findall(
            failed, match.end(), following.start() if following else len(failed)
        )
        operation = match[1]
        columnar = operation.endswith("_column") or operation.startswith("modify_")
        changes.append(f"{operation} {'.'.join(names[:2] if columnar else names[:1])}".strip())
    return changes


def _alembic(ctx: Context, *args: str) -> None:
    result = _run(ctx, *args)
    if not result.ok:
        revision = _last_running(result.output)
        where = f" in revision {revision}" if revision else ""
        hint = own_interpreter_hint(_interpreter(ctx), result.output)
        raise MigrationFailed(f"alembic {args[0]} failed{where}: {result.last_line()}{hint}")


def _run(ctx: Context, *args: str) -> ToolResult:
    database = ctx.require_database()
    url = database.url(project_dir=ctx.project_dir)
    return ctx.run(
        [_interpreter(ctx), "-c", _SHIM, *args],
        env={
            "MIGRATE_GATE_SQLALCHEMY_URL": url,
            "DATABASE_URL": url,
            "MIGRATE_GATE_HANDSHAKE": "1",
        },
        label=f"alembic {' '.join(args)}",
        handshake=True,
    )


def _last_running(output: str) -> str | None:
    """The revision Alembic was running when it stopped ("Running upgrade a -> b, msg")."""
    for line in reversed(output.splitlines()):
        _, marker, rest = line.partition("Running ")
        if marker and " -> " in rest:
            step = rest.split(",", 1)[0]  # "upgrade a -> b"
            source, _, destination = step.partition(" -> ")
            return destination.strip() if step.startswith("upgrade") else source.split()[-1]
    return None


def _interpreter(ctx: Context) -> str:
    python = python_for(ctx.project_dir, "alembic", "alembic")
    if python is None:
        raise UsageError(f"alembic is not installed for {ctx.project_dir}: {INSTALL_HINT}")
    return python


@functools.lru_cache(maxsize=8)
def _config(directory: Path) -> configparser.ConfigParser:
    """alembic.ini, read as Alembic reads it; unreadable, not UTF-8, no section header or a
    duplicate key is a usage error naming the file."""
    parser = configparser.ConfigParser(defaults={"here": str(directory)})
    text = folders.read_text(directory / INI)
    try:
        parser.read_string(text, str(directory / INI))
    except configparser.Error as error:
        summary = " ".join(str(error).split())[:200]
        raise UsageError(f"{directory / INI} is not a valid INI file: {summary}") from None
    return parser


def _option(directory: Path, name: str) -> str | None:
    parser = _config(directory)
    try:
        return parser.get("alembic", name)
    except (configparser.Error, KeyError):
        return None


def _script_location(directory: Path) -> Path | None:
    location = _option(directory, "script_location")
    if not location or (":" in location and not Path(location).is_absolute()):
        return None  # package resources ("pkg:path") are not looked into
    return (directory / location).resolve()


def _version_dirs(directory: Path) -> list[Path]:
    script_dir = _script_location(directory)
    assert script_dir is not None
    configured = _option(directory, "version_locations")
    if not configured:
        return [script_dir / "versions"]
    separator = _option(directory, "path_separator") or _option(directory, "version_path_separator")
    parts = configured.split(_SEPARATORS.get(separator or "space", separator))
    return [(directory / part.strip()).resolve() for part in parts if part.strip()]


_SEPARATORS: dict[str, str | None] = {"space": None, "newline": "\n", "os": os.pathsep}


Revision = tuple[str, tuple[str, ...]]


def _revisions(directory: Path) -> list[Revision]:
    """(revision, down_revisions) of every script, read without importing it."""
    return list(_scripts(directory).values())


@functools.lru_cache(maxsize=8)
def _scripts(directory: Path) -> dict[Path, Revision]:
    found = {}
    for version_dir in _version_dirs(directory):
        for path in sorted(version_dir.rglob("*.py")):
            revision = _read_revision(path)
            if revision:
                found[path] = revision
    return found


def _revision_files(directory: Path) -> dict[str, Path]:
    return {revision: path for path, (revision, _) in _scripts(directory).items()}


def _read_revision(path: Path) -> Revision | None:
    values: dict[str, object] = {}
    for node in folders.parse_python(path).body:
        target, value = _assignment(node)
        if target in ("revision", "down_revision") and value is not None:
            try:
                values[target] = ast.literal_eval(value)
            except ValueError:
                raise UsageError(
                    f"{path}: {target} is not a literal; migrate-gate reads it statically"
                ) from None
    revision = values.get("revision")
    if not isinstance(revision, str):
        return None
    down = values.get("down_revision")
    downs = (down,) if isinstance(down, str) else tuple(down or ())  # type: ignore[arg-type]
    return revision, tuple(str(d) for d in downs)


def _assignment(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
    ):
        return node.targets[0].id, node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id, node.value
    return None, None


@functools.lru_cache(maxsize=8)  # scripts do not change during one run; read them once
def _parents(directory: Path) -> dict[str, tuple[str, ...]]:
    return dict(_revisions(directory))


def _revision_order(parents: dict[str, tuple[str, ...]], directory: Path) -> list[str]:
    """Every revision, parents before children: in rounds of those whose parents are all
    placed, each round in file order (linear time: 200 revisions are read on every run)."""
    position = {revision: index for index, revision in enumerate(parents)}
    children: dict[str, list[str]] = {revision: [] for revision in parents}
    waiting: dict[str, int] = {}
    for revision, ps in parents.items():
        known = {p for p in ps if p in parents}
        waiting[revision] = len(known)
        for parent in known:
            children[parent].append(revision)
    order: list[str] = []
    ready = [revision for revision in parents if waiting[revision] == 0]
    while ready:
        order.extend(ready)
        unblocked = []
        for revision in ready:
            for child in children[revision]:
                waiting[child] -= 1
                if waiting[child] == 0:
                    unblocked.append(child)
        ready = sorted(unblocked, key=position.__getitem__)
    if len(order) < len(parents):
        raise UsageError(f"alembic revisions in {directory} form a cycle")
    return order


def _ancestors(heads: set[str], parents: dict[str, tuple[str, ...]]) -> set[str]:
    seen: set[str] = set()
    stack = list(heads)
    while stack:
        revision = stack.pop()
        if revision not in seen:
            seen.add(revision)
            stack.extend(parents.get(revision, ()))
    return seen


without_down = downs_found_by_running
