"""The SQL each migration of a project will run, per ecosystem, as lint Sources.

File-based tools are read directly (Prisma's migration.sql, goose's Up sections);
Alembic renders its SQL offline (`alembic upgrade head --sql`) through the project's
own interpreter, with no database. Django's comes from its own schema editor collecting
the SQL `sqlmigrate` prints, on a scratch PostgreSQL database (django_sql.py). Knex and
Rails migrations are code: their SQL is captured as they run on a scratch PostgreSQL
database (captured.py).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..folders import read_text, reason, shown
from .model import Source, Transaction

if TYPE_CHECKING:  # importing the ecosystems costs start-up time that PATH mode never needs
    from ..ecosystems.base import Context

_GOOSE = "+goose"


def display(path: Path) -> str:
    """The path as findings show it: relative to the working folder when inside it."""
    # strings, not Path.resolve() and relative_to(): those were a third of the time of a
    # folder of small files (the working folder resolved again for each)
    resolved = os.path.realpath(path)
    here = _real(os.getcwd())
    if resolved == here:
        return "."
    inside = here if here.endswith("/") else here + "/"
    return resolved[len(inside) :] if resolved.startswith(inside) else resolved


@functools.lru_cache(maxsize=4)
def _real(folder: str) -> str:
    return os.path.realpath(folder)


def for_paths(paths: list[str]) -> list[Source]:
    """Sources for SQL files (folders: every *.sql below, sorted) given on the command line."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        try:
            kind = "folder" if path.is_dir() else "file" if path.is_file() else None
        except OSError as error:
            raise UsageError(f"{shown(raw)} cannot be used ({reason(error)})") from None
        if kind == "folder":
            files.extend(sorted(path.rglob("*.sql")))
        elif kind == "file":
            files.append(path)
        else:
            raise UsageError(f"no such file or folder: {shown(raw)}")
    return [file_source(path) for path in files]


def file_source(path: Path) -> Source:
    """One SQL file, read the way its tool runs it (goose Up section, Prisma transaction)."""
    text = _read(path)
    if _GOOSE in text and any(_goose_directive(line) == "UP" for line in text.splitlines()):
        up, transaction = goose_up(text)
        return Source(display(path), up, transaction)
    if path.name == "migration.sql" and path.parent.parent.name == "migrations":
        return Source(display(path), text, "multi")
    return Source(display(path), text)


def for_project(ecosystem: str, ctx: Context) -> list[Source]:
    """Sources for every migration of the project, oldest first."""
    return EXTRACTORS[ecosystem](ctx)  # one per ecosystem (a test holds them in step)


def prisma(ctx: Context) -> list[Source]:
    """<migrations>/<name>/migration.sql, in folder-name order (Prisma's order)."""
    from ..ecosystems import prisma as tool

    folder = tool._migrations_dir(ctx.project_dir)  # prisma.config's migrations.path, or default
    files = sorted(folder.glob("*/migration.sql"))
    if not files:
        raise UsageError(f"no Prisma migrations in {folder}: expected <name>/migration.sql files")
    return [Source(display(path), _read(path), "multi") for path in files]


def goose(ctx: Context) -> list[Source]:
    """The Up section of each goose .sql migration, in version order (Go migrations skipped)."""
    from ..ecosystems import goose as tool

    folder = tool._migrations_dir(ctx.project_dir)
    if folder is None:
        raise UsageError(
            f"no goose migrations in {ctx.project_dir}: pass --migrations-dir or set {tool.DIR_ENV}"
        )
    files = [p for p in tool._migrations(folder) if p.suffix == ".sql"]
    files.sort(key=lambda p: int(p.name.split("_", 1)[0]))
    return [file_source(path) for path in files]


def goose_up(text: str) -> tuple[str, Transaction]:
    """The Up section (other lines blanked, so lines keep their numbers) and the transaction."""
    kept: list[str] = []
    section = None
    transaction: Transaction = "always"
    for line in text.splitlines():
        directive = _goose_directive(line)
        if directive in ("UP", "DOWN"):
            section = directive
        elif directive == "NO TRANSACTION":
            transaction = "none"
        kept.append(line if section == "UP" else "")
    return "\n".join(kept) + "\n", transaction


def _goose_directive(line: str) -> str | None:
    """`-- +goose Up` -> "UP"; None for any other line (goose reads annotations by line)."""
    stripped = line.strip()
    if not stripped.startswith("--"):
        return None
    rest = stripped[2:].strip()
    return rest[len(_GOOSE) :].strip().upper() if rest.startswith(_GOOSE) else None


def alembic(ctx: Context) -> list[Source]:
    """`alembic upgrade head --sql`, cut at Alembic's `-- Running upgrade A -> B` markers."""
    from . import alembic_sql

    scripts, sql = alembic_sql.render(ctx)
    return list(_alembic_sources(ctx.project_dir, scripts, sql))


def _alembic_sources(project_dir: Path, scripts: dict[str, Path], sql: str) -> Iterator[Source]:
    name = display(project_dir / "alembic.ini")  # the prelude: BEGIN, alembic_version
    chunk: list[str] = []
    for line in sql.splitlines():
        marker, _, step = line.partition("-- Running upgrade ")
        if not marker and " -> " in step:
            yield Source(name, "\n".join(chunk) + "\n", sql_lines=False, chained=True)
            revision = step.split(" -> ", 1)[1].split(",")[0].strip()
            name = display(scripts[revision]) if revision in scripts else f"revision {revision}"
            chunk = []
        chunk.append(line)
    yield Source(name, "\n".join(chunk) + "\n", sql_lines=False, chained=True)


def django(ctx: Context) -> list[Source]:
    """`manage.py sqlmigrate` of each of the project's migrations, in one Django process."""
    from . import django_sql

    return django_sql.sources(ctx)


def knex(ctx: Context) -> list[Source]:
    """What each Knex migration sends to a scratch PostgreSQL database (see captured.py)."""
    from . import captured

    return captured.knex(ctx)


def rails(ctx: Context) -> list[Source]:
    """What each Rails migration sends to a scratch PostgreSQL database (see captured.py)."""
    from . import captured

    return captured.rails(ctx)


def _read(path: Path) -> str:
    return read_text(path)  # a device, an oversized or a non-UTF-8 file: a usage error


# Whose SQL lint reads from a live scratch PostgreSQL database (the rest read files, or render
# offline); generated pipelines give their lint job a database service for these.
NEEDS_DATABASE = frozenset({"django", "knex", "rails"})

EXTRACTORS: dict[str, Callable[[Context], list[Source]]] = {
    "alembic": alembic,
    "django": django,
    "goose": goose,
    "knex": knex,
    "prisma": prisma,
    "rails": rails,
}
