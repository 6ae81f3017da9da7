"""Which migration projects the generated pipeline covers, relative to the repository root."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import NamedTuple

from ..check.options import MODELS_NEED_SCRATCH
from ..detect import detect_tree
from ..ecosystems import ECOSYSTEMS
from ..errors import UsageError
from ..lint.sources import NEEDS_DATABASE
from .names import Name

# `$` would be expanded by GitLab inside variables; control characters and `${{` have
# no business in a folder name that lands in YAML and in GitHub expressions.
_UNSAFE_PATH = re.compile(r"[\x00-\x1f\x7f$]|\$\{\{")


class ScaffoldProject(NamedTuple):
    path: str  # relative to the repository root, "." for the root
    ecosystem: Name
    suffix: Name  # "" for a single project, else "-<slug>" appended to job names
    slug: Name  # "" for a single project
    label: str  # "" for a single project, else ": <path>" appended to job titles

    @property
    def lint_needs_database(self) -> bool:
        return self.ecosystem in NEEDS_DATABASE

    @property
    def check_needs_scratch(self) -> bool:
        """`check` compares the models on a scratch database (see check/options.py)."""
        return self.ecosystem in MODELS_NEED_SCRATCH


def find_projects(directory: Path, root: Path, ecosystem: str) -> list[ScaffoldProject]:
    """Every detected project below `directory` (or the one named by --ecosystem)."""
    if ecosystem != "auto" and ecosystem not in ECOSYSTEMS:
        raise UsageError(f"unknown ecosystem {ecosystem!r}: choose one of {', '.join(ECOSYSTEMS)}")
    found = [(p.path, p.ecosystem) for p in detect_tree(directory)]
    if ecosystem != "auto":
        found = [item for item in found if item[1] == ecosystem] or [(".", ecosystem)]
    if not found:
        raise UsageError(
            f"no migration project found below {directory}: point --project-dir at it "
            "or name the tool with --ecosystem"
        )
    paths = [_relative(directory / path, root) for path, _ in found]
    if len(set(paths)) != len(paths):
        listed = ", ".join(f"{path} ({eco})" for path, eco in found)
        raise UsageError(f"more than one ecosystem in one folder ({listed}): pass --ecosystem")
    slugs = _slugs(paths) if len(paths) > 1 else [""]
    return [
        ScaffoldProject(
            path,
            Name(eco),
            Name(f"-{slug}" if slug else ""),
            Name(slug),
            f": {path}" if slug else "",
        )
        for path, (_, eco), slug in zip(paths, found, slugs, strict=True)
    ]


def _relative(directory: Path, root: Path) -> str:
    path = directory.resolve().relative_to(root).as_posix()
    if _UNSAFE_PATH.search(path):
        raise UsageError(f"project folder {path!r} has '$' or control characters: rename it")
    return path


def _slugs(paths: list[str]) -> list[str]:
    """Job-name-safe, unique names: `services/billing` -> `services-billing`."""
    slugs: list[str] = []
    for path in paths:
        base = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "root"
        slug, number = base, 2
        while slug in slugs:
            slug, number = f"{base}-{number}", number + 1
        slugs.append(slug)
    return slugs


def repository_root(directory: Path) -> Path:
    """The nearest folder at or above `directory` holding .git; else `directory` itself."""
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return directory


def default_branch(root: Path) -> str:
    """origin's default branch, else the checked-out branch, else `main`."""
    for argv in (
        ["git", "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"],
        ["git", "symbolic-ref", "--quiet", "--short", "HEAD"],
    ):
        name = _git(root, argv)
        if name:
            return name.removeprefix("origin/")
    return "main"


def _git(root: Path, argv: list[str]) -> str:
    if not (root / ".git").exists():
        return ""
    try:
        done = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False)
    except OSError:  # git not installed: fall back to the default
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""
