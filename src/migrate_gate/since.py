"""`--since REF`: what a branch added or changed since a git ref, and which migrations that is."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

from .errors import UsageError


def changed_files(ref: str, where: Path) -> set[Path]:
    """Files changed in REF...HEAD, plus uncommitted and untracked ones, resolved."""
    top = Path(_git(["rev-parse", "--show-toplevel"], where, "is this folder in a git repository?"))
    _git(
        ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        top,
        f"unknown git ref {ref!r}: fetch it first (e.g. git fetch origin {ref}) or fix --since",
    )
    names = [
        *_git(["diff", "--name-only", "-z", f"{ref}...HEAD"], top).split("\0"),
        *_git(["diff", "--name-only", "-z", "HEAD"], top).split("\0"),
        *_git(["ls-files", "--others", "--exclude-standard", "-z"], top).split("\0"),
    ]
    return {(top / name).resolve() for name in names if name}


def migrations_added(ids: list[str], files: Iterable[Path]) -> list[str]:
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


def _git(args: list[str], cwd: Path, hint: str = "") -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise UsageError("--since needs git, which is not installed") from None
    if done.returncode != 0:
        detail = hint or (done.stderr.strip().splitlines() or ["git failed"])[-1]
        raise UsageError(f"git {args[0]} failed for --since: {detail}")
    return done.stdout.strip() if args[0] == "rev-parse" else done.stdout
