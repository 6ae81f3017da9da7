"""goose: `goose up` (or `up-to`), `goose down` once per step; state from goose's version table.

goose gets the driver, the DSN and the migrations folder through GOOSE_DRIVER,
GOOSE_DBSTRING and GOOSE_MIGRATION_DIR, so the password never reaches argv and
goose runs exactly the folder migrate-gate read.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from .. import db, folders, history
from ..dburl import DatabaseUrl
from ..errors import MigrationFailed, UsageError
from ..history import Problem
from . import reversible
from .base import (
    Context,
    MigrationState,
    downs_found_by_running,
    models_not_applicable,
    newest_first,
    require_readable,
)

NAME = "goose"
INSTALL_HINT = (
    "go install github.com/pressly/goose/v3/cmd/goose@latest and put $(go env GOPATH)/bin "
    "on PATH, or set MIGRATE_GATE_GOOSE to the goose binary"
)
BINARY_ENV = "MIGRATE_GATE_GOOSE"
DIR_ENV = "GOOSE_MIGRATION_DIR"
TABLE_ENV = "GOOSE_TABLE"
DEFAULT_TABLE = "goose_db_version"
# Where goose projects keep their migrations, relative to the project folder.
FOLDERS = ("migrations", "db/migrations", "sql/migrations", "database/migrations", "sql/schema")
_DRIVERS = {"postgresql": "postgres", "sqlite": "sqlite3"}
_SQL_UP = re.compile(rb"^--\s*\+goose\s+Up\b", re.MULTILINE)
_GO_REGISTER = re.compile(rb"\bgoose\.Add(?:Named)?Migration")
_VERSIONED = re.compile(r"^(\d+)_.*\.(?:sql|go)$")
_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?$")
_LOG_PREFIX = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d ")
_FAILED_FILE = re.compile(r"ERROR (\S+?): (.*)")


def detect(directory: Path) -> list[str]:
    """The migration files (annotated SQL, Go files registering with goose) in the usual folders."""
    folder = _migrations_dir(directory)
    paths = _migrations(folder) if folder else []
    return [Path(os.path.relpath(path, directory)).as_posix() for path in paths]


def check(ctx: Context) -> None:
    if _migrations_dir(ctx.project_dir) is None:
        configured = _configured(ctx.project_dir)
        where = f"in {configured!r} ({DIR_ENV})" if configured else f"under {', '.join(FOLDERS)}"
        raise UsageError(
            f"no goose migrations (files annotated `-- +goose Up`) in {ctx.project_dir} "
            f"{where}: pass --migrations-dir (or set {DIR_ENV}) to their folder"
        )
    _binary()
    _driver(ctx.require_database())
    require_readable(ctx.database, NAME)
    _table()


def read_state(ctx: Context) -> MigrationState:
    rows = db.query(
        ctx.require_database(),
        ctx.project_dir,
        f"SELECT version_id, is_applied FROM {_table()} ORDER BY id",
    )
    latest: dict[int, bool] = {}
    for version, is_applied in rows or []:
        # goose reads each version's newest row, and the newest applied row is its current version
        latest.pop(int(version), None)
        latest[int(version)] = bool(is_applied)
    applied = [str(v) for v, is_applied in latest.items() if is_applied and v != 0]
    done = set(applied)
    pending = [v for v in _versions(ctx.project_dir) if v not in done]
    return MigrationState(applied=applied, pending=pending)


def migrate(ctx: Context, *, target: str | None = None) -> None:
    if target is not None and not target.isdigit():
        raise MigrationFailed(f"goose versions are numbers, not {target!r}")
    # goose refuses a pending version below the current one unless told it is deliberate
    missing = ["-allow-missing"] if history.OUT_OF_ORDER in ctx.allowed else []
    _goose(ctx, *missing, *(("up-to", target) if target else ("up",)))


def rollback(ctx: Context, state: MigrationState, steps: int) -> None:
    """`goose down` reverts the most recently applied version; once per step."""
    for _version in newest_first(state, steps):
        _goose(ctx, "down")


def problems(ctx: Context, state: MigrationState | None) -> list[Problem]:
    """Go migrations (the goose CLI cannot run them), duplicate versions, SQL without a
    down; against the database: pending versions below the newest applied one, applied
    versions with no file."""
    folder = _migrations_dir(ctx.project_dir)
    paths = _migrations(folder) if folder else []
    found = [
        Problem(
            "unsupported-migration",
            path.name,
            "a Go migration: the goose CLI cannot run it (it applies the SQL ones and stops "
            "here); build a goose binary that imports your migrations package and set "
            f"{BINARY_ENV} to it",
        )
        for path in paths
        if path.suffix == ".go" and not os.environ.get(BINARY_ENV)
    ]
    found += history.duplicate_versions((str(int(p.name.split("_", 1)[0])), p.name) for p in paths)
    no_down = [
        p.name
        for p in paths
        if p.suffix == ".sql" and not reversible.goose_sql_has_down(reversible.read(p))
    ]
    found += history.missing_down(no_down, "no statements under `-- +goose Down`")
    if state is None:
        return found
    found += history.out_of_order(state.applied, state.pending, key=int)
    return found + history.unknown_applied(state.applied, _versions(ctx.project_dir))


unmigrated_models = models_not_applicable


def bookkeeping_tables() -> frozenset[str]:
    """The version table ($GOOSE_TABLE, maybe schema-qualified), by its table name."""
    return frozenset({_table().rsplit(".", 1)[-1]})


def _goose(ctx: Context, *args: str) -> None:
    database = ctx.require_database()
    folder = _migrations_dir(ctx.project_dir)
    assert folder is not None  # check() made sure
    env = {
        "GOOSE_DRIVER": _driver(database),
        "GOOSE_DBSTRING": _dbstring(database, ctx.project_dir),
        DIR_ENV: str(folder),
        "DATABASE_URL": database.url(project_dir=ctx.project_dir),  # for a custom goose binary
        "NO_COLOR": "1",
    }
    result = ctx.run([_binary(), *args], env=env, label=f"goose {' '.join(args)}")
    if not result.ok:
        command = next(arg for arg in args if not arg.startswith("-"))
        raise MigrationFailed(f"goose {command} failed{_failure(result.last_line())}")


def _failure(line: str) -> str:
    """' in <file>: <reason>' when goose names the migration that failed, else ': <line>'."""
    line = _LOG_PREFIX.sub("", line)
    match = _FAILED_FILE.search(line)
    return f" in {match[1]}: {match[2]}" if match else f": {line}"


def _binary() -> str:
    override = os.environ.get(BINARY_ENV)
    if override:
        if not (os.path.isfile(override) and os.access(override, os.X_OK)):
            raise UsageError(f"{BINARY_ENV}={override} is not an executable file: {INSTALL_HINT}")
        return override
    found = shutil.which("goose")
    if found is None:
        raise UsageError(f"goose is not installed (not on PATH): {INSTALL_HINT}")
    return found


def _driver(database: DatabaseUrl) -> str:
    if database.kind not in _DRIVERS:
        raise UsageError(
            f"migrate-gate runs goose on PostgreSQL and SQLite, not {database.kind}: "
            "use a postgresql:// or sqlite:/// URL"
        )
    return _DRIVERS[database.kind]


def _dbstring(database: DatabaseUrl, project_dir: Path) -> str:
    return str(database.sqlite_path(project_dir)) if database.is_sqlite else database.url()


def _table() -> str:
    table = os.environ.get(TABLE_ENV) or DEFAULT_TABLE
    if not _TABLE_NAME.match(table):
        raise UsageError(f"{TABLE_ENV} must be a table name like goose_db_version or schema.table")
    return table


def _migrations_dir(directory: Path) -> Path | None:
    """$GOOSE_MIGRATION_DIR (--migrations-dir sets it), else the project's .env's, else the
    first usual folder holding goose migrations. A configured folder is relative to the
    project folder."""
    configured = _configured(directory)
    candidates = [configured] if configured else _usual_folders(directory)
    for candidate in candidates:
        folder = directory / candidate
        try:
            found = folder.is_dir() and bool(_migrations(folder))
        except OSError as error:  # a name too long, a folder that cannot be listed
            raise UsageError(
                f"goose migrations folder {folders.shown(candidate)} cannot be used "
                f"({folders.reason(error)}): check --migrations-dir / {DIR_ENV}"
            ) from None
        if found:
            return folder
    return None


def _configured(directory: Path) -> str | None:
    return os.environ.get(DIR_ENV) or dotenv(directory / ".env").get(DIR_ENV) or None


def dotenv(path: Path) -> dict[str, str]:
    """KEY=value lines of a .env file (`export`, quotes and comments as dotenv reads them);
    {} when there is none or it is not a plain file."""
    try:
        text = folders.read_text(path) if path.is_file() else ""
    except UsageError:
        return {}
    values = {}
    for line in text.splitlines():
        key, sep, value = line.strip().removeprefix("export ").partition("=")
        if sep and key.strip() and not key.lstrip().startswith("#"):
            value = value.strip()
            if value[:1] in ("'", '"') and value.endswith(value[0]) and len(value) > 1:
                value = value[1:-1]
            else:
                value = value.split(" #", 1)[0].strip()
            values[key.strip()] = value
    return values


def _usual_folders(directory: Path) -> list[str]:
    # From inside db/, "migrations" is db/migrations, which belongs to the folder above.
    return [f for f in FOLDERS if f"{directory.name}/{f}" not in FOLDERS]


def _migrations(folder: Path) -> list[Path]:
    return [
        path
        for path in sorted(folder.iterdir())
        if _VERSIONED.match(path.name) and not path.name.endswith("_test.go") and _is_goose(path)
    ]


@folders.per_file_version
def _is_goose(path: Path) -> bool:
    pattern = _SQL_UP if path.suffix == ".sql" else _GO_REGISTER
    try:
        return path.is_file() and pattern.search(path.read_bytes()) is not None  # no devices
    except OSError:
        return False


def _versions(project_dir: Path) -> list[str]:
    """Every migration's version (its file name's number), in goose's order."""
    folder = _migrations_dir(project_dir)
    paths = _migrations(folder) if folder else []
    return [str(v) for v in sorted({int(p.name.split("_", 1)[0]) for p in paths})]


without_down = downs_found_by_running
