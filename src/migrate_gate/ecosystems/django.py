"""Django: `manage.py migrate`; state from `django_migrations` and Django's migration plan.

What is applied, and in which order, is what `django_migrations` records (its ids are the
order Django applied them in), read with migrate-gate's own connection: rollback reverts the
most recently applied migration, which after a later deploy need not be the last of the plan.

What exists is Django's plan (what `showmigrations --plan` lists: the graph of every app's
migrations, squashed ones in place of those they replace), computed by the very process that
runs the command, right after `django.setup()`, and handed over in a file before that process
may change anything: one Django start per command, not one per state read. The plan is the
project's files, which do not change during a command, so later reads reuse it.

manage.py runs through a few lines of Python that put the database given to
migrate-gate into settings.DATABASES["default"] just before Django starts, so
it wins over settings.py without editing it or putting the password on argv.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from .. import db
from ..dburl import DatabaseUrl, parse
from ..errors import MigrationFailed, UsageError
from ..history import ModelCheck, Problem
from . import django_graph
from .base import (
    PYTHON_VENVS,
    Context,
    MigrationState,
    downs_found_by_running,
    handed_over,
    newest_first,
    offering_handoff,
    own_interpreter_hint,
    python_for,
)

NAME = "django"
INSTALL_HINT = "pip install django (in the project's virtualenv or on PATH)"
MANAGE = "manage.py"
_MIGRATIONS_FOR = re.compile(r"^Migrations for '([^']+)':")
_OPERATION = re.compile(r"^\s+[-+~x*]\s+(.+)$")
_DATABASE_ENV = "MIGRATE_GATE_DJANGO_DATABASE"
_ENGINES = {
    "postgresql": "django.db.backends.postgresql",
    "mysql": "django.db.backends.mysql",
    "sqlite": "django.db.backends.sqlite3",
}

_PLAN_ENV = "MIGRATE_GATE_DJANGO_PLAN"  # where the shim writes the plan
_PLAN_ONLY_ENV = "MIGRATE_GATE_DJANGO_PLAN_ONLY"  # then exits without running a command

_SHIM = """
import json, os, runpy, sys
import django.core.management as management
database = json.loads(os.environ.pop("MIGRATE_GATE_DJANGO_DATABASE"))
plan_file = os.environ.pop("MIGRATE_GATE_DJANGO_PLAN", "")
plan_only = os.environ.pop("MIGRATE_GATE_DJANGO_PLAN_ONLY", "")
execute = management.execute_from_command_line
def write_plan():
    import django
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader
    django.setup()
    loader = MigrationLoader(connections["default"])
    graph, plan, seen = loader.graph, [], set()
    for leaf in graph.leaf_nodes():  # as showmigrations --plan orders them
        for key in graph.forwards_plan(leaf):
            if key not in seen:
                seen.add(key)
                replaces = ["%s.%s" % r for r in graph.nodes[key].replaces or ()]
                plan.append(["%s.%s" % key, replaces, key in loader.applied_migrations])
    connections["default"].close()
    with open(plan_file + ".tmp", "w") as handle:
        json.dump(plan, handle)
    os.replace(plan_file + ".tmp", plan_file)
def execute_with_database(argv=None):
    from django.conf import settings
    current = dict(settings.DATABASES.get("default", {}))
    if current.get("ENGINE") != database["ENGINE"]:
        current = {}
    settings.DATABASES["default"] = {**current, **database}
    if plan_file:
        write_plan()
    if plan_only:
        return
    if os.environ.get("MIGRATE_GATE_HANDSHAKE") and sys.stdin.readline() != "go\\n":
        sys.exit("migrate-gate did not give the go-ahead; nothing was run")
    execute(argv)
management.execute_from_command_line = execute_with_database
sys.argv = ["manage.py", *sys.argv[1:]]
runpy.run_path("manage.py", run_name="__main__")
"""


def detect(directory: Path) -> list[str]:
    """manage.py that runs Django, and the apps' migrations packages."""
    manage = directory / MANAGE
    if not manage.is_file() or "django" not in manage.read_text(errors="replace").lower():
        return []
    packages = sorted(
        p.parent.relative_to(directory).as_posix() + "/"
        for pattern in ("*/migrations/__init__.py", "*/*/migrations/__init__.py")
        for p in directory.glob(pattern)
        if not _in_virtualenv(p.relative_to(directory))
    )
    return [MANAGE, *packages] if packages else []


def check(ctx: Context) -> None:
    if not (ctx.project_dir / MANAGE).is_file():
        raise UsageError(
            f"no {MANAGE} in {ctx.project_dir}: point --project-dir at the Django project"
        )
    _interpreter(ctx)


class Step(NamedTuple):
    """One migration of Django's plan."""

    name: str  # app.migration
    replaces: tuple[str, ...]  # what a squashed migration stands for
    applied: bool  # as Django saw it when it computed the plan


def read_state(ctx: Context) -> MigrationState:
    """What django_migrations records (read while a Django start computes the plan, when
    this command needs one), against the plan."""
    database = ctx.require_database()
    if not _readable(database):  # a database migrate-gate cannot read: Django's own view
        plan = _fresh_plan(ctx)
        applied = [step.name for step in plan if step.applied]
        return MigrationState(applied, [step.name for step in plan if not step.applied])
    recorded: list[list[str]] = []

    def meanwhile() -> None:
        recorded.append(_recorded(ctx) or [])
        django_graph.read_files(ctx.project_dir)  # for problems(), which follows: memoized

    plan = _plan(ctx, meanwhile=meanwhile)
    return state_of(plan, recorded[0] if recorded else _recorded(ctx) or [])


def state_of(plan: list[Step], recorded: list[str]) -> MigrationState:
    """Applied and pending, by `recorded` (django_migrations, oldest first): a squashed
    migration is applied when every migration it replaces is, as Django's loader decides,
    and was applied when the last of them was (Django records the squash itself later, at
    the end of its run). Applied is in the order Django applied them, plan order on ties."""
    done = {name: index for index, name in enumerate(recorded)}
    applied: list[tuple[tuple[int, int], str]] = []
    pending: list[str] = []
    for index, step in enumerate(plan):
        names = step.replaces or (step.name,)
        if not all(name in done for name in names):
            pending.append(step.name)
            continue
        applied.append(((max(done[name] for name in names), index), step.name))
    return MigrationState([name for _, name in sorted(applied)], pending)


def _plan(ctx: Context, meanwhile: Callable[[], None] | None = None) -> list[Step]:
    """Django's plan (see base.handed_over); a Django start of its own computes it when no
    run of this command has, and `meanwhile` runs during that start."""
    return handed_over(ctx, NAME, _load_plan, lambda: _fresh_plan(ctx, meanwhile))


def _fresh_plan(ctx: Context, meanwhile: Callable[[], None] | None = None) -> list[Step]:
    """One Django start that computes the plan and exits (what showmigrations --plan costs)."""
    with tempfile.TemporaryDirectory(prefix="migrate-gate-django-") as folder:
        path = Path(folder) / "plan.json"
        _manage(
            ctx,
            "showmigrations",
            "--plan",
            echo=False,
            plan=path,
            plan_only=True,
            meanwhile=meanwhile,
        )
        return _load_plan(path)


def _load_plan(path: Path) -> list[Step]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise MigrationFailed(f"cannot read Django's migration plan: {error}") from None
    return [Step(name, tuple(replaces), bool(applied)) for name, replaces, applied in raw]


def _recorded(ctx: Context) -> list[str] | None:
    """`app.name` of every django_migrations row, oldest first (None where it cannot be read
    with migrate-gate's own driver: MySQL keeps the plan order)."""
    database = ctx.require_database()
    if not _readable(database):
        return None
    sql = "SELECT app, name FROM django_migrations ORDER BY id"
    rows = db.query(database, ctx.project_dir, sql)
    return [f"{app}.{name}" for app, name in rows or []]


def _readable(database: DatabaseUrl) -> bool:
    return database.is_sqlite or database.kind == "postgresql"


def migrate(ctx: Context, *, target: str | None = None) -> None:
    """One Django start: it hands over its plan, then waits for the go-ahead (the barrier
    reads the state before it meanwhile)."""
    where = target.split(".", 1) if target else []
    _manage(ctx, "migrate", *where, "--noinput", handshake=True)


def rollback(ctx: Context, state: MigrationState, steps: int) -> None:
    """Revert the most recently applied migration, `steps` times, whichever app it is in."""
    newest_first(state, steps)  # refuses more steps than applied
    applied = list(state.applied)
    for _ in range(steps):
        last = applied.pop()
        app, _, _name = last.partition(".")
        _manage(ctx, "migrate", app, _previous_in_app(applied, app), "--noinput")


def problems(ctx: Context, state: MigrationState | None) -> list[Problem]:
    """Apps with unmerged leaves, operations with no reverse (both read from the files);
    against the database: recorded migrations of this checkout's apps that it lacks."""
    found = django_graph.conflicting_leaves(ctx.project_dir)
    found += django_graph.irreversible(ctx.project_dir)
    if state is None:
        return found
    recorded = _recorded(ctx) or []
    return found + django_graph.unknown_recorded(ctx.project_dir, recorded)


def unmigrated_models(ctx: Context, scratch: DatabaseUrl | None) -> ModelCheck:
    """`makemigrations --check --dry-run`: writes nothing; reads the database given (or a
    throwaway SQLite file) only for Django's consistency check."""
    with tempfile.TemporaryDirectory(prefix="migrate-gate-") as folder:
        database = ctx.database or parse(f"sqlite:///{Path(folder) / 'check.db'}")
        args = ("makemigrations", "--check", "--dry-run", "--noinput")
        result = ctx.run(
            [_interpreter(ctx), "-c", _SHIM, *args],
            env=shim_env(database, ctx.project_dir),
            label=f"python manage.py {' '.join(args)}",
            echo=False,
        )
    changes = _planned_operations(result.output)
    if not result.ok and not changes:
        raise MigrationFailed(f"manage.py makemigrations --check failed: {result.last_line()}")
    return ModelCheck(changes)


def _planned_operations(output: str) -> list[str]:
    """ "app: Add field x to y" for each operation makemigrations would write."""
    changes, app = [], ""
    for line in output.splitlines():
        header = _MIGRATIONS_FOR.match(line)
        if header:
            app = header[1]
        elif app and (operation := _OPERATION.match(line)):
            changes.append(f"{app}: {operation[1]}")
    return changes


def bookkeeping_tables() -> frozenset[str]:
    return frozenset({"django_migrations"})


def _previous_in_app(applied: list[str], app: str) -> str:
    """The migration to return `app` to: its latest remaining applied one, or zero."""
    remaining = [m for m in applied if m.partition(".")[0] == app]
    return remaining[-1].partition(".")[2] if remaining else "zero"


def _manage(
    ctx: Context,
    *args: str,
    echo: bool = True,
    handshake: bool = False,
    plan: Path | None = None,
    plan_only: bool = False,
    meanwhile: Callable[[], None] | None = None,
) -> str:
    """Run manage.py `args`. With `handshake` the run hands over Django's plan first (when
    this command has none yet) and waits for the go-ahead."""
    database = ctx.require_database()
    env = shim_env(database, ctx.project_dir)
    with (
        tempfile.TemporaryDirectory(prefix="migrate-gate-django-") as folder,
        offering_handoff(
            ctx, NAME, Path(folder) / "plan.json", _load_plan, wanted=handshake
        ) as offered,
    ):
        handoff = offered or plan
        if handoff is not None:
            env[_PLAN_ENV] = str(handoff)
        if plan_only:
            env[_PLAN_ONLY_ENV] = "1"
        if handshake:
            env["MIGRATE_GATE_HANDSHAKE"] = "1"
        result = ctx.run(
            [_interpreter(ctx), "-c", _SHIM, *args],
            env=env,
            label=f"python manage.py {' '.join(args)}",
            echo=echo,
            handshake=handshake or meanwhile is not None,
            meanwhile=meanwhile,
        )
    if not result.ok:
        where = _last_step(result.output)
        hint = own_interpreter_hint(_interpreter(ctx), result.output)
        raise MigrationFailed(
            f"manage.py {args[0]} failed{f' in {where}' if where else ''}: "
            f"{result.last_line()}{hint}"
        )
    return result.output


def shim_env(database: DatabaseUrl, project_dir: Path) -> dict[str, str]:
    """The environment _SHIM reads the database from (DATABASE_URL too, for settings that do)."""
    return {
        _DATABASE_ENV: json.dumps(_settings(database, project_dir)),
        "DATABASE_URL": database.url(project_dir=project_dir),
    }


def _last_step(output: str) -> str | None:
    """The migration Django was applying or unapplying when it stopped."""
    for line in reversed(output.splitlines()):
        words = line.split()
        if len(words) >= 2 and words[0] in ("Applying", "Unapplying"):
            return words[1].rstrip(".")
    return None


def _settings(database: DatabaseUrl, project_dir: Path) -> dict[str, str]:
    engine = {"ENGINE": _ENGINES[database.kind]}
    if database.is_sqlite:
        return {**engine, "NAME": str(database.sqlite_path(project_dir))}
    return {
        **engine,
        "NAME": database.database,
        "USER": database.user or "",
        "PASSWORD": database.password or "",
        "HOST": database.host or "",
        "PORT": str(database.port or ""),
    }


def _interpreter(ctx: Context) -> str:
    for venv in PYTHON_VENVS:
        python = ctx.project_dir / venv / "bin" / "python"
        if python.is_file():
            return str(python)
    found = python_for(ctx.project_dir, "django-admin", "django")
    if found is None:
        raise UsageError(f"django is not installed for {ctx.project_dir}: {INSTALL_HINT}")
    return found


def _in_virtualenv(relative: Path) -> bool:
    return relative.parts[0] in PYTHON_VENVS or relative.parts[0] == "node_modules"


without_down = downs_found_by_running
