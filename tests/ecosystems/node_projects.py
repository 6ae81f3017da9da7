"""Copies of the Knex and Prisma fixture projects wired to the Node packages
scripts/setup/node.sh installed from tests/fixtures/node/package-lock.json."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import REPO, copy_project

NODE_MODULES = REPO / "tests" / "fixtures" / "node" / "node_modules"

# Test machines only (see prisma.config.ts in the fixture): Prisma's native engines cannot
# be downloaded here, so it runs through its WebAssembly engine. Any existing file satisfies
# the query-engine check; the checkpoint call would try the network.
PRISMA_ENV = {"CHECKPOINT_DISABLE": "1", "PRISMA_QUERY_ENGINE_LIBRARY": str(Path(__file__))}


def node_project(name: str, destination: Path) -> Path:
    """A fresh copy of tests/fixtures/projects/NAME with node_modules linked in."""
    modules = NODE_MODULES.resolve()
    if not (modules / ".bin").is_dir():
        pytest.fail(f"{NODE_MODULES} is missing: run scripts/setup/node.sh (or `make setup`)")
    project = copy_project(name, destination)
    os.symlink(modules, project / "node_modules")
    return project


def unlink_tools(project: Path) -> None:
    """Take the project's node_modules away, as if `npm install` had never run."""
    (project / "node_modules").unlink()


def path_without(tool: str) -> str:
    """$PATH minus every folder holding `tool`, so the project's own copy is the only one."""
    folders = os.environ["PATH"].split(os.pathsep)
    return os.pathsep.join(f for f in folders if not os.access(Path(f) / tool, os.X_OK))
