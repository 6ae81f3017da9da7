"""Prisma: `prisma migrate deploy`; state from the `_prisma_migrations` table; rollback
through each migration folder's `down.sql`, since Prisma has no down migrations.

The URL given to migrate-gate reaches Prisma through the environment variables the
schema's datasource names (`url = env("DATABASE_URL")`, `directUrl`), never argv.

`migrate deploy` has no target, so applying up to one migration (verify's single steps)
deploys from a temporary folder: a copy of the migrations up to the target, and a config
file that is the project's own with only `migrations.path` pointing at that copy. Prisma
itself applies and records them (same checksums as a plain deploy); the project folder
is never touched, so a crash or a cancel leaves nothing behind in it.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .. import db, folders, history
from ..dburl import DatabaseUrl
from ..errors import MigrationFailed, UsageError
from ..history import ModelCheck, Problem
from . import reversible
from .base import Context, MigrationState, newest_first, node_bins, require_tool

NAME = "prisma"
INSTALL_HINT = "npm install --save-dev prisma"
CONFIGS = tuple(f"prisma.config.{ext}" for ext in ("ts", "mts", "cts", "js", "mjs", "cjs"))
SCHEMAS = ("prisma/schema.prisma", "schema.prisma")
SCHEMA_FOLDER = "prisma/schema"  # a multi-file schema: every *.prisma in it
TABLE = "_prisma_migrations"
_CONFIG_SCHEMA = re.compile(r"""\bschema\s*:\s*["'`]([^"'`]+)["'`]""")
_CONFIG_MIGRATIONS = re.compile(r"""\bmigrations\s*:\s*\{[^}]*?\bpath\s*:\s*["'`]([^"'`]+)["'`]""")
_DATASOURCE = re.compile(r"\bdatasource\s+\w+\s*\{([^}]*)\}")
_URL_SETTING = re.compile(r"^\s*(url|directUrl)\s*=\s*(.+?)\s*$", re.MULTILINE)
_ENV_CALL = re.compile(r"""^env\(\s*["']([^"']+)["']\s*\)$""")
_SAFE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$-]*$")
# URL parameters libpq understands; Prisma's own (schema, connection_limit, ...) are not.
_ADAPTER = re.compile(r"\badapter\s*[(:]")
_CHANGE = re.compile(r"^\s*(\[[-+*]\]|-)\s+\S")  # "[+] Added tables", "  - users"
_LIBPQ_PARAMS = {"sslmode", "sslcert", "sslkey", "sslrootcert", "application_name", "options"}


def detect(directory: Path) -> list[str]:
    """Every place Prisma itself looks: prisma.config.*, a package.json naming a schema,
    prisma/schema.prisma, schema.prisma, a multi-file schema folder (prisma/schema/).
    One schema found from two folders is one project: see `schema_of` and detect.py."""
    evidence = [name for name in CONFIGS if (directory / name).is_file()]
    if _package_json_schema(directory):
        evidence.append("package.json")
    evidence += [name for name in SCHEMAS if (directory / name).is_file()]
    if _schema_folder(directory / SCHEMA_FOLDER):
        evidence.append(f"{SCHEMA_FOLDER}/")
    return evidence


def schema_of(directory: Path) -> Path | None:
    """The schema (file or folder) the project in `directory` uses, resolved; None if none."""
    try:
        return _schema(directory).resolve()
    except UsageError:
        return None


def is_package(directory: Path) -> bool:
    """A folder Prisma is run from on purpose: a Node package or one with a prisma.config."""
    return any((directory / name).is_file() for name in ("package.json", *CONFIGS))


def _schema_folder(path: Path) -> bool:
    return path.is_dir() and any(path.glob("*.prisma"))


def check(ctx: Context) -> None:
    if not detect(ctx.project_dir):
        raise UsageError(
            f"no Prisma project (prisma.config.ts, prisma/schema.prisma, schema.prisma, "
            f"prisma/schema/) in {ctx.project_dir}"
        )
    _binary(ctx)
    if shutil.which("node") is None:
        raise UsageError("node is not on PATH: install Node.js to run prisma")
    database = ctx.require_database()
    if database.kind not in ("postgresql", "sqlite"):
        raise UsageError(f"migrate-gate runs Prisma on PostgreSQL and SQLite, not {database.kind}")
    _table(database)
    _tool_env(ctx)


def read_state(ctx: Context) -> MigrationState:
    database = ctx.require_database()
    rows = db.query(
        _queryable(database),
        ctx.project_dir,
        f"SELECT migration_name FROM {_table(database)} WHERE finished_at IS NOT NULL "
        "AND rolled_back_at IS NULL ORDER BY started_at, migration_name",
    )
    applied = list(dict.fromkeys(row[0] for row in rows or []))
    done = set(applied)
    return MigrationState(applied, [m for m in _local_migrations(ctx) if m not in done])


def migrate(ctx: Context, *, target: str | None = None) -> None:
    if target is None:
        _deploy(ctx)
        return
    local = _local_migrations(ctx)
    if target not in local:
        raise MigrationFailed(f"no Prisma migration named {target} in the migrations folder")
    with tempfile.TemporaryDirectory(prefix="migrate-gate-prisma-") as folder:
        config = _config_up_to(ctx.project_dir, Path(folder), local[: local.index(target) + 1])
        _deploy(ctx, "--config", str(config), label=f"prisma migrate deploy (up to {target})")


def _deploy(ctx: Context, *extra: str, label: str | None = None) -> None:
    ok, output = _prisma(ctx, "migrate", "deploy", *extra, label=label)
    if not ok:
        failed = _failed_migration(ctx)
        where = f" in migration {failed}" if failed else ""
        raise MigrationFailed(f"prisma migrate deploy failed{where}: {_reason(output)}")


def rollback(ctx: Context, state: MigrationState, steps: int) -> None:
    """Run each migration's down.sql with `prisma db execute`, then forget it was applied."""
    names = newest_first(state, steps)
    folder = _migrations_dir(ctx.project_dir)
    for name in names:  # all down.sql files exist, or nothing runs
        if not (folder / name / "down.sql").is_file():
            raise MigrationFailed(_no_down_sql(ctx.project_dir, folder / name))
    for name in names:
        down = folder / name / "down.sql"
        ok, output = _prisma(ctx, "db", "execute", "--file", str(down))
        if not ok:
            raise MigrationFailed(f"down.sql of {name} failed: {_reason(output)}")
        _forget(ctx, name)


def without_down(ctx: Context, migrations: Sequence[str]) -> dict[str, str]:
    """Migrations with no down.sql: rollback refuses them before it runs anything."""
    folder = _migrations_dir(ctx.project_dir)
    return {
        name: _no_down_sql(ctx.project_dir, folder / name)
        for name in migrations
        if not (folder / name / "down.sql").is_file()
    }


def problems(ctx: Context, state: MigrationState | None) -> list[Problem]:
    """Folders sharing a timestamp, folders without down.sql; against the database: a failed
    migration Prisma recorded (it refuses every deploy after it, P3009), pending folders
    older than the newest applied one, applied migrations with no folder."""
    local = _local_migrations(ctx)
    found = history.duplicate_versions(
        ((name.split("_", 1)[0], name) for name in local), severity=history.WARNING
    )
    folder = _migrations_dir(ctx.project_dir)
    no_down = [name for name in local if not (folder / name / "down.sql").is_file()]
    found += history.missing_down(no_down, "no down.sql beside migration.sql")
    if state is None:
        return found
    failed = _failed_migration(ctx)
    if failed:
        found.append(
            Problem(
                "failed-record",
                failed,
                "_prisma_migrations records it as started and never finished: Prisma refuses "
                "to deploy (P3009); fix the database, then `prisma migrate resolve "
                f"--rolled-back {failed}` (or --applied)",
            )
        )
    found += history.out_of_order(state.applied, state.pending, key=str)
    return found + history.unknown_applied(state.applied, _local_migrations(ctx))


def unmigrated_models(ctx: Context, scratch: DatabaseUrl | None) -> ModelCheck:
    """`prisma migrate diff` from the migrations (replayed on `scratch` as the shadow
    database) to the schema; exit code 2 means they differ. With a driver adapter in
    prisma.config, Prisma refuses --shadow-database-url: the adapter, given `scratch` as
    DATABASE_URL, creates and drops a shadow database there itself."""
    if scratch is None:
        return ModelCheck([], "not checked: give --scratch-url (Prisma's shadow database)")
    on_scratch = dataclasses.replace(ctx, database=scratch)
    argv = [
        _binary(ctx),
        "migrate",
        "diff",
        "--from-migrations",
        str(_migrations_dir(ctx.project_dir)),
        "--to-schema-datamodel",
        str(_schema(ctx.project_dir)),
        "--exit-code",
    ]
    if not _driver_adapter(ctx.project_dir):  # an adapter makes its own shadow database
        argv += ["--shadow-database-url", _tool_env(on_scratch)["DATABASE_URL"]]
    result = ctx.run(argv, env=_tool_env(on_scratch), label="prisma migrate diff", echo=False)
    if result.returncode == 0:
        return ModelCheck([])
    changes = [line.strip() for line in result.output.splitlines() if _CHANGE.match(line)]
    if result.returncode != 2 or not changes:
        raise MigrationFailed(f"prisma migrate diff failed: {_reason(result.output)}")
    return ModelCheck(changes)


def bookkeeping_tables() -> frozenset[str]:
    return frozenset({"_prisma_migrations"})


def _no_down_sql(project_dir: Path, migration: Path) -> str:
    relative = migration.relative_to(project_dir).as_posix()
    folder = migration.parent.relative_to(project_dir).as_posix()
    return (
        f"cannot roll back {migration.name}: Prisma has no down migrations and {relative}/"
        f"down.sql does not exist. Create it with Prisma's diff: copy {folder} to /tmp/before "
        f"without {migration.name}, then run npx prisma migrate diff --from-migrations {folder} "
        "--to-migrations /tmp/before --shadow-database-url <scratch database URL> "
        f"--script > {relative}/down.sql"
    )


def _forget(ctx: Context, name: str) -> None:
    """Delete the migration's rows from _prisma_migrations, as if it had never been applied.

    `prisma migrate resolve --rolled-back` is not an option: it accepts only a *failed*
    migration (Prisma's docs: "Using it with a successful migration results in an error"),
    and on machines without Prisma's native engine it does not run at all. Setting
    rolled_back_at by hand is not enough either: `migrate deploy` re-applies such a migration
    but `migrate status` still counts it as applied. Without its rows, every Prisma command
    sees the migration as pending again, exactly as before it was applied.
    """
    database = ctx.require_database()
    sql = f"DELETE FROM {_table(database)} WHERE migration_name = "
    if database.is_sqlite:
        import sqlite3  # lazily: PostgreSQL runs never need it

        connection = sqlite3.connect(database.sqlite_path(ctx.project_dir))
        try:
            with connection:
                connection.execute(sql + "?", (name,))
        finally:
            connection.close()
        return
    with db.connect_postgresql(_queryable(database)) as connection:
        connection.execute(sql + "%s", (name,))


def _config_up_to(project_dir: Path, folder: Path, names: list[str]) -> Path:
    """A config in `folder`: the project's own, reading a copy of the migrations `names`."""
    migrations = _copy_migrations(_migrations_dir(project_dir), folder / "migrations", names)
    own = next((project_dir / c for c in CONFIGS if (project_dir / c).is_file()), None)
    load = f"import project from {json.dumps(str(own))};" if own else "const project = {};"
    config = folder / "prisma.config.ts"
    config.write_text(
        _CONFIG_UP_TO.format(
            project=load,
            schema=json.dumps(str(_schema(project_dir))),
            migrations=json.dumps(str(migrations)),
        ),
        encoding="utf-8",
    )
    return config


def _copy_migrations(source: Path, destination: Path, names: list[str]) -> Path:
    for name in names:
        # copies, not symlinks: Prisma skips linked folders; same bytes, same checksum
        (destination / name).mkdir(parents=True)
        shutil.copyfile(source / name / "migration.sql", destination / name / "migration.sql")
    lock = source / "migration_lock.toml"
    if lock.is_file():  # Prisma checks the provider it names
        shutil.copyfile(lock, destination / lock.name)
    return destination


# Prisma resolves a config's relative paths against the config's folder, so both are absolute.
# The project's config object is changed in place: Prisma takes the object defineConfig
# returned as it is, and a copy would lose that mark.
_CONFIG_UP_TO = """// Generated by migrate-gate for one `prisma migrate deploy`; deleted afterwards.
{project}
const config: any = project ?? {{}};
export default Object.assign(config, {{
  schema: {schema},
  migrations: {{ ...config.migrations, path: {migrations} }},
}});
"""


def _prisma(ctx: Context, *args: str, label: str | None = None) -> tuple[bool, str]:
    schema = str(_schema(ctx.project_dir))
    result = ctx.run(
        [_binary(ctx), *args, "--schema", schema],
        env=_tool_env(ctx),
        label=label or " ".join(["prisma", *(_relative(arg, ctx.project_dir) for arg in args)]),
    )
    return result.ok, result.output


def _relative(arg: str, project_dir: Path) -> str:
    path = Path(arg)
    return path.relative_to(project_dir).as_posix() if path.is_relative_to(project_dir) else arg


def _failed_migration(ctx: Context) -> str | None:
    """The migration Prisma recorded as started but not finished (the one that failed)."""
    database = ctx.require_database()
    rows = db.query(
        _queryable(database),
        ctx.project_dir,
        f"SELECT migration_name FROM {_table(database)} WHERE finished_at IS NULL "
        "AND rolled_back_at IS NULL ORDER BY started_at DESC",
    )
    return str(rows[0][0]) if rows else None


def _reason(output: str) -> str:
    """The database's error from Prisma's output, else its first `Error:` line, else the last."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for index, line in enumerate(lines[:-1]):
        if line == "Database error:":
            return lines[index + 1]
    for index, line in enumerate(lines):
        if line.startswith("Error:"):
            following = lines[index + 1] if index + 1 < len(lines) else ""
            detail = "" if not following or following[0].isdigit() else f" {following}"
            return f"{line.removeprefix('Error:').strip()}:{detail}".rstrip(":")
    return lines[-1] if lines else "no output"


def _binary(ctx: Context) -> str:
    return require_tool(
        ctx.project_dir, "prisma", INSTALL_HINT, node_bins(ctx.project_dir, "prisma")
    )


def _tool_env(ctx: Context) -> dict[str, str]:
    """The URL under every variable the datasource reads (DATABASE_URL at least)."""
    database = ctx.require_database()
    url = f"file:{database.sqlite_path(ctx.project_dir)}" if database.is_sqlite else database.url()
    return {name: url for name in ["DATABASE_URL", *_url_variables(_schema(ctx.project_dir))]}


def _url_variables(schema: Path) -> list[str]:
    """Names of the env() calls in the datasource's url and directUrl."""
    files = sorted(schema.rglob("*.prisma")) if schema.is_dir() else [schema]
    names = []
    for path in files:
        for block in _DATASOURCE.findall(folders.read_text(path)):
            for setting, value in _URL_SETTING.findall(block):
                call = _ENV_CALL.match(value)
                if call is None:
                    raise UsageError(
                        f'{path.name}: the datasource\'s {setting} is not env("..."), so the '
                        "database given to migrate-gate cannot reach Prisma: use "
                        f'{setting} = env("DATABASE_URL")'
                    )
                names.append(call[1])
    return names


def _schema(project_dir: Path) -> Path:
    """The schema file (or folder) Prisma reads: prisma.config, package.json, the defaults."""
    for config in CONFIGS:
        path = project_dir / config
        match = _CONFIG_SCHEMA.search(folders.read_text(path)) if path.is_file() else None
        if match:
            return _existing(project_dir / match[1], config)
    configured = _package_json_schema(project_dir)
    if configured:
        return _existing(project_dir / configured, "package.json")
    for default in SCHEMAS:
        if (project_dir / default).exists():
            return project_dir / default
    if _schema_folder(project_dir / SCHEMA_FOLDER):
        return project_dir / SCHEMA_FOLDER
    raise UsageError(f"no Prisma schema in {project_dir}: expected {SCHEMAS[0]}")


def _existing(path: Path, named_in: str) -> Path:
    if not path.exists():
        raise UsageError(f"{named_in} names the Prisma schema {path}, which does not exist")
    return path


def _migrations_dir(project_dir: Path) -> Path:
    for config in CONFIGS:
        path = project_dir / config
        match = _CONFIG_MIGRATIONS.search(folders.read_text(path)) if path.is_file() else None
        if match:
            return project_dir / match[1]
    schema = _schema(project_dir)
    return (schema if schema.is_dir() else schema.parent) / "migrations"


def _driver_adapter(project_dir: Path) -> bool:
    return any(
        _ADAPTER.search(reversible.read(project_dir / config))
        for config in CONFIGS
        if (project_dir / config).is_file()
    )


def _local_migrations(ctx: Context) -> list[str]:
    """Migration folders (those holding migration.sql), in Prisma's order: by name."""
    folder = _migrations_dir(ctx.project_dir)
    if not folder.is_dir():
        return []
    return sorted(p.parent.name for p in folder.glob("*/migration.sql"))


def _package_json_schema(directory: Path) -> str | None:
    try:
        data = json.loads((directory / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    prisma = data.get("prisma") if isinstance(data, dict) else None
    schema = prisma.get("schema") if isinstance(prisma, dict) else None
    return schema if isinstance(schema, str) else None


def _queryable(database: DatabaseUrl) -> DatabaseUrl:
    """The URL without Prisma's own parameters, which psycopg would reject."""
    return dataclasses.replace(
        database, query=tuple((k, v) for k, v in database.query if k in _LIBPQ_PARAMS)
    )


def _table(database: DatabaseUrl) -> str:
    """_prisma_migrations, in the PostgreSQL schema the URL's `?schema=` names."""
    schema = dict(database.query).get("schema")
    if database.is_sqlite or not schema:
        return TABLE
    if not _SAFE_NAME.match(schema):
        raise UsageError(f"the URL's schema parameter {schema!r} is not a plain schema name")
    return f'"{schema}".{TABLE}'
