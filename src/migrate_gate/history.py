"""Is the history sound? Problems found in the project's migrations and the database's record.

Each ecosystem's `problems(ctx, state)` returns what it finds (see the helpers below);
`migrate` and `rollback` refuse to run on an error, `status` and `check` report them all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

ERROR, WARNING, INFO = "error", "warning", "info"
OUT_OF_ORDER, UNKNOWN_APPLIED = "out-of-order", "unknown-applied"
ALLOWABLE = (OUT_OF_ORDER, UNKNOWN_APPLIED)  # the kinds --allow-<kind> accepts deliberately
# Kinds about the history as a whole: --since keeps them whichever files the branch touched.
FORKS = frozenset({"multiple-heads", "conflicting-leaves"})  # the tool cannot plan
HISTORY_WIDE = FORKS | {"failed-record"}


class Problem(NamedTuple):
    """One thing wrong with the history: `kind` (docs/commands.md), the migration it is about."""

    kind: str
    migration: str | None
    detail: str
    severity: str = ERROR

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()


def errors(problems: Iterable[Problem], *, allowed: Iterable[str] = ()) -> list[Problem]:
    """The problems that stop migrate/rollback: errors whose kind the user did not allow."""
    accepted = set(allowed)
    return [p for p in problems if p.severity == ERROR and p.kind not in accepted]


def summary(problems: list[Problem]) -> str:
    """One line for the report's error: the first problem, and how many more."""
    first = problems[0]
    where = f" ({first.migration})" if first.migration else ""
    more = f"; and {len(problems) - 1} more problem(s)" if len(problems) > 1 else ""
    return f"the migration history has a problem: {first.kind}{where}: {first.detail}{more}"


def duplicate_versions(
    versions: Iterable[tuple[str, str]], *, severity: str = ERROR
) -> list[Problem]:
    """Two migration files with one version (`(version, file)` pairs). An error where the
    tool keys migrations by version (goose, Rails), a warning where only the order is
    ambiguous (Knex, Prisma sort by the whole name)."""
    pairs = list(versions)
    counts = Counter(version for version, _ in pairs)
    problems = []
    for version in sorted(v for v, n in counts.items() if n > 1):
        files = sorted(name for v, name in pairs if v == version)
        problems.append(
            Problem(
                "duplicate-version",
                version,
                f"{len(files)} migrations share version {version}: {', '.join(files)}; "
                "renumber all but one",
                severity,
            )
        )
    return problems


def out_of_order(
    applied: list[str], pending: list[str], key: Callable[[str], Any]
) -> list[Problem]:
    """Pending migrations that sort before the newest applied one (the tool would apply them
    after newer ones, or refuse)."""
    if not applied:
        return []
    newest = max(applied, key=key)
    return [
        Problem(
            OUT_OF_ORDER,
            migration,
            f"pending, but older than the applied {newest}: it would run after newer "
            "migrations (pass --allow-out-of-order if that is intended)",
        )
        for migration in pending
        if key(migration) < key(newest)
    ]


def unknown_applied(applied: Iterable[str], known: Iterable[str]) -> list[Problem]:
    """Migrations the database records that this checkout does not have."""
    files = set(known)
    return [
        Problem(
            UNKNOWN_APPLIED,
            migration,
            "applied in the database, but not in this checkout: older code is about to deploy "
            "over a newer schema (pass --allow-unknown-applied for a deliberate rollback deploy)",
        )
        for migration in applied
        if migration not in files
    ]


class ModelCheck(NamedTuple):
    """models-without-migration: what the models change that no migration does, or why
    that was not checked (`skipped`)."""

    changes: list[str]
    skipped: str | None = None


def model_problems(check: ModelCheck) -> list[Problem]:
    return [
        Problem(
            "models-without-migration",
            None,
            f"{change}: the models change this and no migration does; write the migration",
        )
        for change in check.changes
    ]


def missing_down(migrations: Iterable[str], how: str) -> list[Problem]:
    """Migrations that cannot be reverted (informational: rollback and verify stop there)."""
    return [Problem("missing-down", migration, how, INFO) for migration in migrations]


def touched_since(problems: list[Problem], changed: Callable[[str], bool]) -> list[Problem]:
    """--since: the problems about migrations the branch changed, and the history-wide ones."""
    return [
        p for p in problems if p.kind in HISTORY_WIDE or p.migration is None or changed(p.migration)
    ]
