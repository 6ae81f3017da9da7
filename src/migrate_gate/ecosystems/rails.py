"""Rails: `bin/rails db:migrate`, state from `schema_migrations`, `db:rollback STEP=N`.

The database reaches Rails as DATABASE_URL, which overrides config/database.yml
for the current RAILS_ENV (passed through from the environment). bin/rails runs
under the `ruby` on PATH with stdout unbuffered, so progress streams live.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

from .. import db, history
from ..dburl import DatabaseUrl
from ..errors import MigrationFailed, UsageError
from ..history import ModelCheck, Problem
from ..runner import ToolResult
from . import reversible
from .base import Context, MigrationState, downs_found_by_running, newest_first

NAME = "rails"
INSTALL_HINT = (
    "install Ruby and the app's gems (`bundle install`); see https://guides.rubyonrails.org"
)
RAILS = "bin/rails"
MARKERS = (RAILS, "config/application.rb", "db/migrate/")
NO_TABLE = "Schema migrations table does not exist yet."
# Ruby buffers a piped stdout; without sync, progress would arrive only at exit. With the
# handshake, config/application.rb (Rails and the app's gems: most of a boot, and nothing that
# touches the database) loads first, then the tool waits for the go-ahead: migrate-gate takes
# its lock and reads the state meanwhile. An error there is bin/rails' to report, below.
_SHIM = """$stdout.sync = true
if ENV.delete("MIGRATE_GATE_HANDSHAKE")
  begin
    require File.expand_path("config/application", Dir.pwd)
  rescue StandardError, ScriptError
    nil
  end
  abort("migrate-gate did not give the go-ahead; nothing was run") unless $stdin.gets == "go\\n"
end
load ARGV.shift
"""
_STATUS_LINE = re.compile(r"^\s*(up|down)\s+(\d+)\s")
_STEP_LINE = re.compile(r"^== (\d+) (\w+): (?:migrating|reverting)")
_MIGRATION_FILE = re.compile(r"^(\d+)_\w+\.rb$")
_CANCELLED_REST = "An error has occurred, this and all later migrations canceled:"
IRREVERSIBLE = "ActiveRecord::IrreversibleMigration"


def detect(directory: Path) -> list[str]:
    """bin/rails, config/application.rb and db/migrate/, all three."""
    if (directory / RAILS).is_file() and (directory / MARKERS[1]).is_file():
        return list(MARKERS) if (directory / "db" / "migrate").is_dir() else []
    return []


def check(ctx: Context) -> None:
    if not (ctx.project_dir / RAILS).is_file():
        raise UsageError(
            f"no {RAILS} in {ctx.project_dir}: point --project-dir at the Rails app "
            "(`bin/rails app:update:bin` recreates a missing bin/rails)"
        )
    _ruby()
    _database_url(ctx.require_database(), ctx.project_dir)


def read_state(ctx: Context) -> MigrationState:
    """schema_migrations read with migrate-gate's own connection (no Rails boot), the files
    from db/migrate; `db:migrate:status` where migrate-gate has no driver (MySQL). Applied
    order is version order, as Rails' own rollback takes it."""
    database = ctx.require_database()
    if not (database.is_sqlite or database.kind == "postgresql"):
        return _status_from_rails(ctx)
    rows = db.query(database, ctx.project_dir, "SELECT version FROM schema_migrations")
    files = _migration_files(ctx.project_dir)
    spelling = {int(version): version for version in files}
    recorded = sorted({int(row[0]) for row in rows or [] if str(row[0]).isdigit()})
    done = set(recorded)
    return MigrationState(
        applied=[spelling.get(version, str(version)) for version in recorded],
        pending=[version for version in files if int(version) not in done],
    )


def _status_from_rails(ctx: Context) -> MigrationState:
    result = _rails(ctx, "db:migrate:status", echo=False)
    if NO_TABLE in result.output:
        return MigrationState(applied=[], pending=_migration_files(ctx.project_dir))
    _check_ok(result, "db:migrate:status")
    # Rails prints an applied version normalised ("%.3d": 0000_x.rb is "000" once up) and a
    # pending one as its file names it; ids are the file's spelling either way.
    spelling = {int(version): version for version in _migration_files(ctx.project_dir)}
    applied: list[str] = []
    pending: list[str] = []
    for line in result.output.splitlines():
        match = _STATUS_LINE.match(line)
        if match:
            version = spelling.get(int(match[2]), match[2])
            (applied if match[1] == "up" else pending).append(version)
    return MigrationState(applied=applied, pending=pending)


def migrate(ctx: Context, *, target: str | None = None) -> None:
    if target is None:
        _check_ok(_rails(ctx, "db:migrate", handshake=True), "db:migrate")
        return
    if not target.isdigit():
        raise MigrationFailed(f"Rails versions are numbers, not {target!r}")
    current = read_state(ctx).applied
    if current and int(target) < int(current[-1]):
        # `db:migrate VERSION=` below the current version would migrate down
        raise MigrationFailed(f"{target} is older than the current version {current[-1]}")
    _check_ok(_rails(ctx, "db:migrate", f"VERSION={target}"), "db:migrate")


def rollback(ctx: Context, state: MigrationState, steps: int) -> None:
    """`db:rollback STEP=k`, with k counted the way Rails counts (see _rails_steps)."""
    newest_first(state, steps)  # refuses more steps than applied
    task = f"STEP={_rails_steps(state, steps)}"
    _check_ok(_rails(ctx, "db:rollback", task), "db:rollback")


def problems(ctx: Context, state: MigrationState | None) -> list[Problem]:
    """Duplicate versions in db/migrate, `def up` without `def down`; against the database:
    pending versions below the newest applied one (Rails applies them silently, out of
    order), applied versions with no file."""
    paths = sorted((ctx.project_dir / "db" / "migrate").glob("*.rb"))
    files = [(m, path) for path in paths if (m := _MIGRATION_FILE.match(path.name))]
    found = history.duplicate_versions((str(int(m[1])), path.name) for m, path in files)
    no_down = [m[1] for m, path in files if not reversible.rails_has_down(reversible.read(path))]
    found += history.missing_down(no_down, "`def up` without `def down`")
    if state is None:
        return found
    found += history.out_of_order(state.applied, state.pending, key=int)
    return found + history.unknown_applied(state.applied, _migration_files(ctx.project_dir))


def unmigrated_models(ctx: Context, scratch: DatabaseUrl | None) -> ModelCheck:
    """db/schema.rb against the dump of a scratch database the migrations built: a
    difference is a migration not run before schema.rb was committed, or the reverse."""
    committed = ctx.project_dir / "db" / "schema.rb"
    if not committed.is_file():
        return ModelCheck([], "not checked: no db/schema.rb to compare (structure.sql?)")
    if scratch is None:
        return ModelCheck([], "not checked: give --scratch-url (an empty database to migrate)")
    on_scratch = dataclasses.replace(ctx, database=scratch)
    with tempfile.TemporaryDirectory(prefix="migrate-gate-") as folder:
        dumped = Path(folder) / "schema.rb"
        _check_ok(
            _rails(on_scratch, "db:migrate", echo=False, env={"SCHEMA": str(dumped)}), "db:migrate"
        )
        if not dumped.is_file():
            _check_ok(
                _rails(on_scratch, "db:schema:dump", env={"SCHEMA": str(dumped)}), "db:schema:dump"
            )
        return ModelCheck(_schema_differences(committed.read_text(), dumped.read_text()))


def _schema_differences(committed: str, built: str) -> list[str]:
    """The lines that differ (comments and blank lines aside), as `db/schema.rb has` /
    `the migrations give`."""

    def lines(text: str) -> list[str]:
        return [
            line.strip()
            for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]

    ours, theirs = lines(committed), lines(built)
    only_committed = [f"db/schema.rb has `{line}`" for line in ours if line not in theirs]
    only_built = [f"the migrations give `{line}`" for line in theirs if line not in ours]
    return (only_committed + only_built)[:50]


def bookkeeping_tables() -> frozenset[str]:
    return frozenset({"schema_migrations", "ar_internal_metadata"})


def _rails_steps(state: MigrationState, steps: int) -> int:
    """Rails' STEP counts migration files, pending ones included, from the current version
    down; so that exactly `steps` applied ones revert, count the files above the version
    that is to remain current."""
    applied = [int(v) for v in state.applied]
    remaining = applied[-steps - 1] if steps < len(applied) else 0
    known = {int(v) for v in [*state.applied, *state.pending]}
    return sum(1 for v in known if remaining < v <= applied[-1])


def _rails(
    ctx: Context,
    *args: str,
    echo: bool = True,
    env: dict[str, str] | None = None,
    handshake: bool = False,
) -> ToolResult:
    url = _database_url(ctx.require_database(), ctx.project_dir)
    return ctx.run(
        [_ruby(), "-e", _SHIM, RAILS, *args],
        env={
            "DATABASE_URL": url,
            **({"MIGRATE_GATE_HANDSHAKE": "1"} if handshake else {}),
            **(env or {}),
        },
        label=f"{RAILS} {' '.join(args)}",
        echo=echo,
        handshake=handshake,
    )


def _check_ok(result: ToolResult, task: str) -> None:
    if result.ok:
        return
    step = _last_step(result.output)
    where = f" in {step}" if step else ""
    raise MigrationFailed(f"{RAILS} {task} failed{where}: {_error_line(result)}")


def _last_step(output: str) -> str | None:
    """The migration Rails was running when it stopped, as "<version> (<ClassName>)"."""
    for line in reversed(output.splitlines()):
        match = _STEP_LINE.match(line)
        if match:
            return f"{match[1]} ({match[2]})"
    return None


def _error_line(result: ToolResult) -> str:
    """The cause Rails prints after "rails aborted!", else the last line."""
    lines = [line.strip() for line in result.output.splitlines() if line.strip()]
    if "rails aborted!" not in lines:
        return result.last_line()
    after = lines[len(lines) - lines[::-1].index("rails aborted!") :]
    causes = [line for line in after if not line.endswith(_CANCELLED_REST)]
    cause = causes[0] if causes else result.last_line()
    if IRREVERSIBLE in result.output and IRREVERSIBLE not in cause:
        # Rails prints only the message first ("This migration uses execute, which is not
        # automatically reversible."); the class is what says the migration has no down.
        return f"{IRREVERSIBLE}: {cause}"
    return cause


def _ruby() -> str:
    ruby = shutil.which("ruby")
    if ruby is None:
        raise UsageError(f"ruby is not installed (not on PATH): {INSTALL_HINT}")
    return ruby


def _database_url(database: DatabaseUrl, project_dir: Path) -> str:
    """The URL in the form Rails reads: postgresql://, mysql2://, sqlite3:<absolute path>."""
    if database.is_sqlite:
        return "sqlite3:" + quote(str(database.sqlite_path(project_dir)))
    return database.url(scheme="mysql2" if database.kind == "mysql" else None)


def _migration_files(project_dir: Path) -> list[str]:
    """Versions in db/migrate, for a database that has no schema_migrations table yet."""
    names = (path.name for path in (project_dir / "db" / "migrate").glob("*.rb"))
    return sorted((m[1] for name in names if (m := _MIGRATION_FILE.match(name))), key=int)


without_down = downs_found_by_running
