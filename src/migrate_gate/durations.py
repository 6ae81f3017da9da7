"""How long each migration a run applied or reverted took (report field `durations`).

From the tool's own printed timings where it prints them (goose, Rails), else from when its
per-migration progress lines arrived (Alembic, Django), else from the tool's bookkeeping table
(Knex's migration_time, Prisma's started_at/finished_at), else from a tool run that handled
exactly that one migration (Knex `migrate:down`, Prisma's down.sql).
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import db
from .ecosystems.base import Context
from .errors import MigrationFailed
from .runner import END

Timeline = Sequence[tuple[float, str]]  # (wall-clock time, line) of every tool run

_GOOSE = re.compile(r"\bOK\s+0*(\d+)_\S*\s+\(([^)]*)\)")
_GO_PART = re.compile(r"([\d.]+)(h|ms|m|s|us|µs|ns)")
_GO_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_RAILS = re.compile(r"^== (\d+) \w+: (?:migrated|reverted) \(([\d.]+)s\)")
_DJANGO = re.compile(r"\b(?:Applying|Unapplying) (\S+?)\.\.\.")
_ALEMBIC = re.compile(r"Running (upgrade|downgrade) (.*?) -> ([^,\s]+)")


def measure(
    ecosystem: str, ctx: Context, timeline: Timeline, ids: Sequence[str]
) -> list[dict[str, Any]]:
    """[{id, seconds}] for each of `ids` whose duration can be told, in the order of `ids`."""
    if not ids:
        return []
    found = _LINES.get(ecosystem, _nothing)(timeline)
    found = {i: s for i, s in found.items() if i in ids}
    missing = [i for i in ids if i not in found]
    if missing:
        found.update(_single_runs(timeline, missing))
        missing = [i for i in ids if i not in found]
    database = ctx.database
    if missing and ecosystem in _TABLES and database is not None and database.kind == "postgresql":
        with contextlib.suppress(MigrationFailed):  # a measurement never fails the run
            found.update(_TABLES[ecosystem](ctx, timeline, missing))
    return [{"id": i, "seconds": round(max(0.0, found[i]), 3)} for i in ids if i in found]


def flag_slow(durations: list[dict[str, Any]], threshold: float | None) -> list[str]:
    """Mark the entries slower than `threshold` (`"slow": true`); a warning line for each."""
    if threshold is None:
        return []
    warnings = []
    for entry in durations:
        entry["slow"] = entry["seconds"] > threshold
        if entry["slow"]:
            warnings.append(
                f"migrate-gate: warning: {entry['id']} took {entry['seconds']:g} s "
                f"(more than --warn-slower-than {threshold:g})"
            )
    return warnings


def _nothing(timeline: Timeline) -> dict[str, float]:
    return {}


def _goose(timeline: Timeline) -> dict[str, float]:
    found = {}
    for _, line in timeline:
        match = _GOOSE.search(line)
        if match:
            found[match[1]] = _go_duration(match[2])
    return found


def _go_duration(text: str) -> float:
    return sum(float(n) * _GO_UNITS[unit] for n, unit in _GO_PART.findall(text))


def _rails(timeline: Timeline) -> dict[str, float]:
    return {m[1]: float(m[2]) for _, line in timeline if (m := _RAILS.match(line.strip()))}


def _django(timeline: Timeline) -> dict[str, float]:
    """ "Applying x... OK" arrives once x is done: x took the time since the line before."""
    found = {}
    for (before, _), (at, line) in itertools.pairwise(timeline):
        match = _DJANGO.search(line)
        if match and " OK" in line:
            found[match[1]] = at - before
    return found


def _alembic(timeline: Timeline) -> dict[str, float]:
    """ "Running upgrade a -> b" starts b; the next such line, or the tool's exit, ends it."""
    found: dict[str, float] = {}
    running: tuple[str, float] | None = None
    for at, line in timeline:
        match = _ALEMBIC.search(line)
        if running is not None and (match or line == END):
            found[running[0]] = at - running[1]
            running = None
        if match:
            revision = match[3] if match[1] == "upgrade" else match[2].split()[-1]
            running = (revision, at)
    return found


def _single_runs(timeline: Timeline, ids: Iterable[str]) -> dict[str, float]:
    """A tool run whose command names exactly one migration took as long as that migration."""
    found = {}
    for index, (at, line) in enumerate(timeline):
        if not line.startswith("$ "):
            continue
        named = [i for i in ids if i in line]
        if len(named) == 1:
            end = next((t for t, later in timeline[index + 1 :] if later == END), None)
            if end is not None:
                found[named[0]] = end - at
    return found


def _literals(ids: Iterable[str]) -> str:
    return ", ".join("'" + i.replace("'", "''") + "'" for i in ids)


def _knex(ctx: Context, timeline: Timeline, ids: Sequence[str]) -> dict[str, float]:
    """knex_migrations.migration_time is Knex's clock (this machine's) after each migration;
    the first counts from the tool's start, so it includes Knex's start-up."""
    sql = f"SELECT name, migration_time FROM knex_migrations WHERE name IN ({_literals(ids)})"
    rows = sorted(_rows(ctx, sql), key=lambda row: row[1])
    found = {}
    for index, (name, finished) in enumerate(rows):
        done = finished.timestamp()
        start = rows[index - 1][1].timestamp() if index else _started_before(timeline, done)
        if start is not None:
            found[name] = done - start
    return found


def _prisma(ctx: Context, timeline: Timeline, ids: Sequence[str]) -> dict[str, float]:
    from .ecosystems import prisma

    table = prisma._table(ctx.require_database())  # the URL's ?schema= decides where it is
    sql = (
        f"SELECT migration_name, extract(epoch FROM finished_at - started_at)::float8 "
        f"FROM {table} WHERE finished_at IS NOT NULL AND migration_name IN ({_literals(ids)})"
    )
    return {name: seconds for name, seconds in _rows(ctx, sql)}


def _rows(ctx: Context, sql: str) -> list[tuple[Any, ...]]:
    return db.query(ctx.require_database(), ctx.project_dir, sql) or []


def _started_before(timeline: Timeline, moment: float) -> float | None:
    starts = [at for at, line in timeline if line.startswith("$ ") and at <= moment]
    return starts[-1] if starts else None


_LINES: dict[str, Callable[[Timeline], dict[str, float]]] = {
    "goose": _goose,
    "rails": _rails,
    "django": _django,
    "alembic": _alembic,
}
_TABLES: dict[str, Callable[[Context, Timeline, Sequence[str]], dict[str, float]]] = {
    "knex": _knex,
    "prisma": _prisma,
}
