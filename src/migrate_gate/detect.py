"""Find migration projects: one folder (for a command) or a whole tree (for `detect`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from .ecosystems import ECOSYSTEMS
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
    """Every project below root (monorepos included), parents before children."""
    projects = []
    for directory in _walk(root):
        relative = directory.relative_to(root).as_posix()
        for project in detect_folder(directory):
            projects.append(project._replace(path=relative))
    return projects


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
            f"that holds it, or run `migrate-gate detect` to list the projects below it"
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
