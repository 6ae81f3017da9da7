"""`--since REF`: which migrations a change added, from git."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .errors import UsageError


def added_files(project_dir: Path, ref: str) -> list[Path]:
    """Files added or changed since `ref` (merge base with HEAD), plus untracked ones."""
    changed = _git(
        project_dir, "diff", "--name-only", "--diff-filter=AMR", f"{ref}...HEAD", "--", "."
    )
    untracked = _git(project_dir, "ls-files", "--others", "--exclude-standard", "--full-name", ".")
    top = Path(_git(project_dir, "rev-parse", "--show-toplevel")[0])
    return [top / name for name in changed + untracked]


def migrations_added(ids: list[str], files: list[Path]) -> list[str]:
    """The ids among `ids` whose file or folder is in `files`.

    A migration's file (or Prisma's folder) is named after its id in every supported tool:
    Alembic `<rev>_slug.py`, Django `<app>/migrations/<name>.py`, Knex `<name>`, Prisma
    `<folder>/migration.sql`, goose `<version>_slug.sql`, Rails `<version>_slug.rb`.
    """
    names = [(path.name, path.parent.name, path.parent.parent.name) for path in files]
    return [i for i in ids if any(_named(i, *n) for n in names)]


def _named(migration: str, filename: str, folder: str, grandparent: str) -> bool:
    prefix = filename.split("_", 1)[0]
    if migration in (filename, folder, prefix) or prefix.lstrip("0") == migration:
        return True  # Knex file, Prisma folder, Alembic / goose / Rails "<id>_slug"
    app, _, name = migration.partition(".")
    return filename == f"{name}.py" and grandparent == app  # Django


def _git(project_dir: Path, *args: str) -> list[str]:
    try:
        done = subprocess.run(
            ["git", *args], cwd=project_dir, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise UsageError("--since needs git, which is not installed") from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["git failed"])[-1]
        raise UsageError(
            f"--since: {reason} (is the ref fetched? in CI, check out with fetch-depth: 0)"
        )
    return [line for line in done.stdout.splitlines() if line]
