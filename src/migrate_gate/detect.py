"""Find migration projects: one folder (for a command) or a whole tree (for `detect`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from .ecosystems import ECOSYSTEMS, prisma
from .errors import UsageError

# Never descended into: dependencies, VCS data, virtualenvs, caches, build output.
SKIP_DIRS = frozenset(
    {
        "node_modules",
        ".git",
        ".hg",
        ".svn",
        "vendor",
        ".venv",
        "venv",
        "env",
        ".env",
        ".gitlab-ci-local",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "build",
        "dist",
        "target",
        "tmp",
        "log",
        ".bundle",
        ".next",
        ".terraform",
        "site-packages",
    }
)


class Project(NamedTuple):
    ecosystem: str
    path: str  # relative to the root searched, "." for the root itself
    evidence: list[str]

    def to_dict(self) -> dict[str, object]:
        return {"ecosystem": self.ecosystem, "path": self.path, "evidence": self.evidence}


def detect_folder(directory: Path) -> list[Project]:
    """Every ecosystem whose project lives in exactly this folder."""
    found = []
    for name, ecosystem in ECOSYSTEMS.items():
        evidence = ecosystem.detect(directory)
        if evidence:
            found.append(Project(name, ".", evidence))
    return found


def detect_tree(root: Path) -> list[Project]:
    """Every project below root (monorepos included), parents before children; a Prisma
    schema reachable from two folders is listed once."""
    projects = []
    for directory in _walk(root):
        relative = directory.relative_to(root).as_posix()
        for project in detect_folder(directory):
            projects.append(project._replace(path=relative))
    return _one_per_prisma_schema(projects, root)


def _one_per_prisma_schema(projects: list[Project], root: Path) -> list[Project]:
    """`app/prisma/schema.prisma` is found from `app` (prisma/schema.prisma) and from
    `app/prisma` (schema.prisma): keep the folder that is a package (package.json or
    prisma.config), else the outer one. Schemas inside one schema folder are the same."""
    folders = {p.path: root / p.path for p in projects if p.ecosystem == prisma.NAME}
    schemas = {path: prisma.schema_of(folder) for path, folder in folders.items()}
    ranked = sorted(folders, key=lambda p: (not prisma.is_package(folders[p]), p.count("/")))
    kept: list[tuple[str, Path | None]] = []
    for path in ranked:
        schema = schemas[path]
        if schema is None or not any(_same(schema, other) for _, other in kept):
            kept.append((path, schema))
    keep = {path for path, _ in kept}
    return [p for p in projects if p.ecosystem != prisma.NAME or p.path in keep]


def _same(schema: Path, other: Path | None) -> bool:
    return other is not None and (
        schema == other or schema.is_relative_to(other) or other.is_relative_to(schema)
    )


def choose_ecosystem(directory: Path, requested: str | None) -> str:
    """The ecosystem a command acts on: the one asked for, or the one detected."""
    if requested and requested != "auto":
        if requested not in ECOSYSTEMS:
            known = ", ".join(ECOSYSTEMS)
            raise UsageError(f"unknown ecosystem {requested!r}: choose one of {known}")
        return requested
    found = detect_folder(directory)
    if not found:
        raise UsageError(
            f"no migration project found in {directory}: point --project-dir at the folder "
            f"that holds it, or run `migrate-gate detect` to list the projects below it "
            f"(goose migrations in another folder: --migrations-dir)"
        )
    if len(found) > 1:
        listed = "; ".join(f"{p.ecosystem} ({', '.join(p.evidence)})" for p in found)
        raise UsageError(f"more than one ecosystem in {directory}: {listed}; pass --ecosystem")
    return found[0].ecosystem


def _walk(root: Path) -> Iterator[Path]:
    for current, dirs, _files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not _skipped(Path(current) / d))
        yield Path(current)


def _skipped(path: Path) -> bool:
    return path.name in SKIP_DIRS or (path / "pyvenv.cfg").exists() or path.is_symlink()
