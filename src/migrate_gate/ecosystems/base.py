"""The protocol every ecosystem module satisfies, and the helpers they share.

An ecosystem is a module with module-level functions (see alembic.py); the
registry in __init__.py is typed `dict[str, Ecosystem]`, so mypy checks each
module against this protocol.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TypeVar

from ..dburl import NO_DATABASE, DatabaseUrl
from ..errors import MigrationFailed, UsageError
from ..history import ModelCheck, Problem
from ..runner import Runner, ToolResult


class MigrationState(NamedTuple):
    """What the database has applied and what the project still has to apply."""

    applied: list[str]  # oldest first
    pending: list[str]  # oldest first


@dataclass
class Context:
    """Everything an ecosystem needs to act on one project."""

    project_dir: Path
    database: DatabaseUrl | None
    runner: Runner

    # What must be done before the first tool run may change the database (reading the state
    # the report compares against); the first run consumes it.
    barrier: Callable[[], None] | None = None

    # The problem kinds the user accepted (--allow-out-of-order, ...): a tool that refuses
    # them on its own is told to proceed (goose -allow-missing).
    allowed: frozenset[str] = frozenset()

    # What a tool run told migrate-gate that later reads of the same command reuse instead of
    # starting the tool again (Django's migration graph, Knex's resolved configuration); keyed
    # by ecosystem and database. The project's files do not change during one command.
    memo: dict[tuple[str, DatabaseUrl], Any] = field(default_factory=dict)

    def run(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        label: str | None = None,
        echo: bool = True,
        handshake: bool = False,
        meanwhile: Callable[[], None] | None = None,
    ) -> ToolResult:
        """Run a tool in the project folder. With `handshake`, the tool waits for "go" on
        stdin before it changes anything (see Runner.run); `meanwhile` runs after the barrier
        while it starts."""
        barrier, self.barrier = self.barrier, None
        if meanwhile is not None:
            barrier = _then(barrier, meanwhile)
        return self.runner.run(
            argv,
            cwd=self.project_dir,
            env=env,
            label=label,
            echo=echo,
            before=barrier,
            handshake=handshake,
        )

    def require_database(self) -> DatabaseUrl:
        if self.database is None:
            raise UsageError(NO_DATABASE)
        return self.database


def _then(first: Callable[[], None] | None, second: Callable[[], None]) -> Callable[[], None]:
    def both() -> None:
        if first is not None:
            first()
        second()

    return both


T = TypeVar("T")


def handed_over(ctx: Context, name: str, load: Callable[[Path], T], fresh: Callable[[], T]) -> T:
    """What a tool run of this command read at start-up and handed over in a file (Django's
    plan, Knex's settings): from the memo, else from the run starting now (a barrier waits
    for its file), else `fresh()`; kept in the memo for the command's later reads."""
    key = (name, ctx.require_database())
    if key not in ctx.memo:
        pending = ctx.memo.get((f"{name} handoff", key[1]))
        if pending is not None and ctx.runner.tool_running:
            ctx.runner.wait_for_handoff(pending)
            ctx.memo[key] = load(pending)
        else:
            ctx.memo[key] = fresh()
    found: T = ctx.memo[key]
    return found


@contextlib.contextmanager
def offering_handoff(
    ctx: Context, name: str, path: Path, load: Callable[[Path], Any], *, wanted: bool
) -> Iterator[Path | None]:
    """`path` for the tool run about to start to hand over to, when `wanted` and the command
    has nothing handed over yet (else None); what it wrote is memoized after the run."""
    key = (name, ctx.require_database())
    if not wanted or key in ctx.memo:
        yield None
        return
    ctx.memo[(f"{name} handoff", key[1])] = path
    try:
        yield path
    finally:
        ctx.memo.pop((f"{name} handoff", key[1]), None)
    if path.exists() and key not in ctx.memo:
        ctx.memo[key] = load(path)


class Ecosystem(Protocol):
    """A migration tool. Functions raise UsageError (exit 2, before anything ran) or
    MigrationFailed (exit 1); anything else is a bug."""

    NAME: str
    INSTALL_HINT: str

    def detect(self, directory: Path) -> list[str]:
        """Evidence (paths relative to `directory`) of a project of this tool; [] if none."""
        ...

    def check(self, ctx: Context) -> None:
        """Raise UsageError if the tool cannot run here (not installed, bad configuration)."""
        ...

    def read_state(self, ctx: Context) -> MigrationState:
        """Applied and pending migration ids, each oldest first."""
        ...

    def migrate(self, ctx: Context, *, target: str | None = None) -> None:
        """Apply pending migrations: all of them, or up to and including `target`."""
        ...

    def rollback(self, ctx: Context, state: MigrationState, steps: int) -> None:
        """Revert exactly the `steps` most recently applied migrations of `state`."""
        ...

    def bookkeeping_tables(self) -> frozenset[str]:
        """The tool's own tables (applied versions, locks): not part of the application schema."""
        ...

    def problems(self, ctx: Context, state: MigrationState | None) -> list[Problem]:
        """What is wrong with the history: the project's files, and with `state` (None when
        no database was given) what the database records."""
        ...

    def without_down(self, ctx: Context, migrations: Sequence[str]) -> dict[str, str]:
        """Those of `migrations` whose down certainly cannot run (the file the tool reverts
        with does not exist), each with why: verify reports them before it applies anything."""
        ...

    def unmigrated_models(self, ctx: Context, scratch: DatabaseUrl | None) -> ModelCheck:
        """Model changes no migration makes; `scratch` is an empty database the check may
        migrate (the project's own database is never written)."""
        ...


def models_not_applicable(ctx: Context, scratch: DatabaseUrl | None) -> ModelCheck:
    """The shared answer of tools whose migrations are written by hand (goose, Knex)."""
    return ModelCheck([], "not applicable: the migrations are hand-written, no models to compare")


def downs_found_by_running(ctx: Context, migrations: Sequence[str]) -> dict[str, str]:
    """The shared answer of tools whose down is code: only running it tells."""
    return {}


def find_tool(project_dir: Path, name: str, local: Sequence[str] = ()) -> str | None:
    """The project's own copy of a tool first (`local`, relative to the project), then PATH."""
    for relative in local:
        candidate = project_dir / relative
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def node_bins(project_dir: Path, name: str) -> list[str]:
    """`node_modules/.bin/NAME` of the project folder and every folder above it up to the
    repository root (npm, yarn and pnpm workspaces hoist tools there), nearest first."""
    found = []
    for folder in [project_dir, *project_dir.parents]:
        found.append(f"{os.path.relpath(folder, project_dir)}/node_modules/.bin/{name}")
        if (folder / ".git").exists():
            break  # the repository root: nothing above it is this project's
    return found


def require_tool(project_dir: Path, name: str, hint: str, local: Sequence[str] = ()) -> str:
    """Like find_tool, but a missing tool is a usage error naming the install command."""
    found = find_tool(project_dir, name, local)
    if found is None:
        raise UsageError(f"{name} is not installed for {project_dir}: {hint}")
    return found


def require_readable(database: DatabaseUrl | None, tool: str) -> None:
    """Refuse, before the tool starts, a database whose bookkeeping migrate-gate reads itself
    and cannot (it has drivers for PostgreSQL and SQLite); None (lint offline) passes."""
    if database is not None and database.kind not in ("postgresql", "sqlite"):
        raise UsageError(
            f"migrate-gate reads {tool}'s migration state from PostgreSQL and SQLite, "
            f"not {database.kind}: nothing was run"
        )


def newest_first(state: MigrationState, steps: int) -> list[str]:
    """The `steps` most recently applied ids, newest first (rollback's plan)."""
    if steps > len(state.applied):
        raise MigrationFailed(
            f"cannot roll back {steps} migration(s): only {len(state.applied)} applied"
        )
    return list(reversed(state.applied))[:steps]


PYTHON_VENVS = (".venv", "venv", "env", ".env")


def python_tool(project_dir: Path, name: str) -> str | None:
    """A Python tool's executable: the active virtualenv ($VIRTUAL_ENV), the project's
    virtualenvs, then PATH."""
    active = os.environ.get("VIRTUAL_ENV")
    local = [f"{venv}/bin/{name}" for venv in PYTHON_VENVS]
    return find_tool(project_dir, name, [f"{active}/bin/{name}", *local] if active else local)


def python_for(project_dir: Path, script: str, module: str) -> str | None:
    """The interpreter to run a Python tool with: the one behind its console script (see
    python_tool), else migrate-gate's own when it can import the tool (pipx, or a virtualenv
    run without activating it)."""
    found = python_tool(project_dir, script)
    if found is not None:
        return interpreter_of(found)
    import importlib.util

    return sys.executable if importlib.util.find_spec(module) is not None else None


def own_interpreter_hint(interpreter: str, output: str) -> str:
    """When the tool ran in migrate-gate's own Python and could not import the project's
    code: one line saying how to run migrate-gate from the project's environment."""
    imports_failed = "ImportError" in output or "ModuleNotFoundError" in output
    if interpreter != sys.executable or not imports_failed:
        return ""
    return (
        f" (it ran with migrate-gate's own Python, {sys.executable}, which cannot import the "
        "project's modules: install migrate-gate in the project's virtualenv and run it from "
        "there, or activate that virtualenv so VIRTUAL_ENV points at it)"
    )


def interpreter_of(script: str) -> str:
    """The Python interpreter a console script runs with (from its shebang)."""
    with open(script, "rb") as handle:
        first = handle.readline().decode("utf-8", errors="replace").strip()
    if first.startswith("#!") and "python" in first:
        parts = first[2:].split()
        if not parts[0].endswith("/env"):
            return parts[0]
        # "#!/usr/bin/env python3" names the interpreter in its second word
        return shutil.which(parts[1]) or parts[1]
    raise UsageError(f"cannot tell which Python runs {script}: reinstall it with pip")
