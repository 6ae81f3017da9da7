"""Which migrations a plan covers, and each one's source: pending on the database, or added
since a git ref."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..lint.model import Source
from ..since import migrations_added


def pending(
    sources: Iterable[Source], ids: list[str], known: dict[Path, str]
) -> list[tuple[str, Source]]:
    """(id, source) of each pending id whose file a source is, in source order; `known`: the
    ids of files not named after them (Alembic scripts)."""
    chosen = []
    for source in sources:
        path = Path(source.path).resolve()
        found = [known[path]] if path in known else migrations_added(ids, [path])
        if found and found[0] in ids:
            chosen.append((found[0], source))
    return chosen


def changed(
    sources: Iterable[Source], files: set[Path], ids: dict[Path, str]
) -> list[tuple[str, Source]]:
    """(id, source) of each source whose file the branch added or changed."""
    chosen = []
    for source in sources:
        path = Path(source.path).resolve()
        if path in files:
            chosen.append((ids.get(path) or migration_id(path), source))
    return chosen


def migration_id(path: Path) -> str:
    """The id a tool gives the migration in `path` (see since.migrations_added)."""
    if path.name == "migration.sql":
        return path.parent.name  # Prisma: the folder
    if path.parent.name == "migrations" and path.suffix == ".py":
        return f"{path.parent.parent.name}.{path.stem}"  # Django: app.name
    if path.suffix in (".js", ".ts", ".cjs", ".mjs"):
        return path.name  # Knex: the file name
    prefix, _, rest = path.name.partition("_")
    if prefix.isdigit() and rest:
        return (prefix.lstrip("0") or "0") if path.suffix == ".sql" else prefix  # goose, Rails
    return path.stem
