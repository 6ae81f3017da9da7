"""Knex end to end: the real knex CLI (from tests/fixtures/node's lockfile) on real
PostgreSQL and SQLite (better-sqlite3)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from backends import Backend, make_backend
from helpers import CliResult, run_cli
from node_projects import node_project, path_without, unlink_tools

MIGRATIONS = [
    "20240101000000_create_authors.js",
    "20240102000000_add_author_email.js",
    "20240103000000_index_author_email.js",
]
BROKEN = "20240104000000_broken.js"
BROKEN_MIGRATION = """
exports.up = async (knex) => {
  await knex.schema.createTable("broken_partial", (table) => table.increments("id"));
  await knex.raw("ALTER TABLE no_such_table ADD COLUMN x integer");
};
exports.down = (knex) => knex.schema.dropTableIfExists("broken_partial");
"""


@pytest.fixture
def backend(request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path) -> Backend:
    return make_backend(request, backend_kind, node_project("knex", tmp_path))


def cli(backend: Backend, *args: str, env: dict[str, str] | None = None) -> CliResult:
    result = run_cli(*args, "--json", "--database-url", backend.url, cwd=backend.project, env=env)
    if backend.password:
        result.assert_no_secret(backend.password)
    return result


def applied_in_database(backend: Backend) -> list[str]:
    if "knex_migrations" not in backend.tables():
        return []
    return [row[0] for row in backend.rows("select name from knex_migrations order by id")]


def has_email_index(backend: Backend) -> bool:
    sql = (
        "select name from sqlite_master where type = 'index'"
        if backend.kind == "sqlite"
        else "select indexname from pg_indexes where tablename = 'authors'"
    )
    return ("authors_email_idx",) in backend.rows(sql)


def test_migrate_status_rollback_migrate(backend: Backend) -> None:
    migrated = cli(backend, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    report = migrated.report
    assert report["tool"] == "migrate-gate" and report["command"] == "migrate"
    assert report["ecosystem"] == "knex" and report["status"] == "success"
    assert report["applied"] == MIGRATIONS and report["rolled_back"] == []
    assert report["current"] == MIGRATIONS[-1] and report["pending"] == []
    assert report["error"] is None and report["duration_seconds"] > 0
    assert report["project_dir"] == str(backend.project)
    assert applied_in_database(backend) == MIGRATIONS
    assert "email" in backend.columns("authors") and has_email_index(backend)

    status = cli(backend, "status")
    assert status.returncode == 0, status.stderr
    assert (status.report["current"], status.report["pending"]) == (MIGRATIONS[-1], [])
    assert (status.report["applied"], status.report["rolled_back"]) == ([], [])

    rolled = cli(backend, "rollback")
    assert rolled.returncode == 0, rolled.stderr
    assert rolled.report["status"] == "success" and rolled.report["applied"] == []
    assert rolled.report["rolled_back"] == [MIGRATIONS[-1]]
    assert rolled.report["current"] == MIGRATIONS[1]
    assert rolled.report["pending"] == [MIGRATIONS[-1]]
    assert applied_in_database(backend) == MIGRATIONS[:2]
    assert not has_email_index(backend) and "email" in backend.columns("authors")

    status = cli(backend, "status").report
    assert (status["current"], status["pending"]) == (MIGRATIONS[1], [MIGRATIONS[-1]])

    again = cli(backend, "migrate")
    assert again.returncode == 0, again.stderr
    assert again.report["applied"] == [MIGRATIONS[-1]] and again.report["current"] == MIGRATIONS[-1]
    assert applied_in_database(backend) == MIGRATIONS and has_email_index(backend)


def test_rollback_steps_counts_migrations_not_batches(backend: Backend) -> None:
    # one `migrate` applies all three in knex batch 1; `knex migrate:rollback` would undo all
    assert cli(backend, "migrate").returncode == 0
    rolled = cli(backend, "rollback", "--steps", "2")
    assert rolled.returncode == 0, rolled.stderr
    assert rolled.report["rolled_back"] == [MIGRATIONS[2], MIGRATIONS[1]]
    assert rolled.report["current"] == MIGRATIONS[0]
    assert rolled.report["pending"] == MIGRATIONS[1:]
    assert applied_in_database(backend) == MIGRATIONS[:1]
    assert backend.columns("authors") == {"id", "name"}


def test_rollback_more_than_applied_fails_without_change(backend: Backend) -> None:
    assert cli(backend, "migrate").returncode == 0
    result = cli(backend, "rollback", "--steps", "4")
    assert result.returncode == 1 and result.report["status"] == "failed"
    assert "only 3 applied" in result.report["error"]
    assert result.report["rolled_back"] == []
    assert applied_in_database(backend) == MIGRATIONS


def test_failing_migration_reports_what_really_committed(backend: Backend) -> None:
    (backend.project / "migrations" / BROKEN).write_text(BROKEN_MIGRATION)
    result = cli(backend, "migrate")
    assert result.returncode == 1
    report = result.report
    assert report["status"] == "failed"
    assert BROKEN in report["error"] and "no_such_table" in report["error"]
    # whatever the database holds is what the report must say (knex runs the batch in one
    # transaction, so nothing of it committed)
    in_database = applied_in_database(backend)
    assert report["applied"] == in_database == []
    assert report["current"] is None and report["pending"] == [*MIGRATIONS, BROKEN]
    assert "authors" not in backend.tables() and "broken_partial" not in backend.tables()
    assert "Traceback" not in result.stderr


def test_failing_migration_after_earlier_ones(backend: Backend) -> None:
    assert cli(backend, "migrate").returncode == 0
    (backend.project / "migrations" / BROKEN).write_text(BROKEN_MIGRATION)
    report = cli(backend, "migrate").report
    assert (report["status"], report["applied"]) == ("failed", [])
    assert report["current"] == MIGRATIONS[-1] and report["pending"] == [BROKEN]
    assert report["error"].startswith(f"knex migrate:latest failed in migration {BROKEN}: ")
    assert applied_in_database(backend) == MIGRATIONS


def test_knexfile_connection_is_overridden(backend: Backend) -> None:
    knexfile = (backend.project / "knexfile.js").read_text()
    assert "127.0.0.1:1/not_the_test_database" in knexfile and 'client: "pg"' in knexfile
    result = cli(backend, "migrate", env={"NODE_ENV": "development"})
    assert result.returncode == 0, result.stderr
    assert "authors" in backend.tables()


def test_database_url_from_environment(backend: Backend) -> None:
    result = run_cli("migrate", "--json", cwd=backend.project, env={"DATABASE_URL": backend.url})
    assert result.returncode == 0, result.stderr
    assert result.report["applied"] == MIGRATIONS
    if backend.password:
        result.assert_no_secret(backend.password)


def test_missing_knex_is_a_usage_error(backend: Backend) -> None:
    unlink_tools(backend.project)
    result = cli(backend, "migrate", env={"PATH": path_without("knex")})
    assert result.returncode == 2
    assert "npm install --save-dev knex" in result.stderr
    assert result.stdout == "" and "$ knex" not in result.stderr
    assert "knex_migrations" not in backend.tables()


def test_detect_lists_the_knexfile(tmp_path: Path) -> None:
    project = node_project("knex", tmp_path)
    result = run_cli("detect", "--json", "--project-dir", str(project))
    assert result.returncode == 0, result.stderr
    assert result.report == {
        "projects": [{"ecosystem": "knex", "path": ".", "evidence": ["knexfile.js"]}]
    }


def test_knex_and_prisma_in_one_folder_is_ambiguous(backend: Backend) -> None:
    (backend.project / "prisma").mkdir()
    (backend.project / "prisma" / "schema.prisma").write_text(
        'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
    )
    result = cli(backend, "migrate")
    assert result.returncode == 2 and result.stdout == ""
    assert "knex" in result.stderr and "prisma" in result.stderr
    assert "knexfile.js" in result.stderr and "prisma/schema.prisma" in result.stderr
    assert "knex_migrations" not in backend.tables()


ESM_KNEXFILE = """
export default async () => ({
  production: {
    client: "pg",
    connection: "postgresql://knexfile_user@127.0.0.1:1/not_the_test_database",
    migrations: { directory: "./migrations" },
  },
});
"""


def test_esm_knexfile_exporting_a_function_per_environment(backend: Backend) -> None:
    (backend.project / "knexfile.js").unlink()
    (backend.project / "knexfile.mjs").write_text(ESM_KNEXFILE)
    result = cli(backend, "migrate", env={"NODE_ENV": "production"})
    assert result.returncode == 0, result.stderr
    assert result.report["applied"] == MIGRATIONS
    assert applied_in_database(backend) == MIGRATIONS


def test_the_knexfile_sees_the_database_url(tmp_path: Path, sqlite_url: str) -> None:
    """Many knexfiles read process.env.DATABASE_URL: it is the URL migrate-gate was given."""
    project = node_project("knex", tmp_path)
    knexfile = project / "knexfile.js"
    knexfile.write_text(
        'if (!(process.env.DATABASE_URL || "").endsWith("/app.db")) {\n'
        '  throw new Error("DATABASE_URL is " + process.env.DATABASE_URL);\n}\n'
        + knexfile.read_text()
    )
    result = run_cli("migrate", "--json", "--database-url", sqlite_url, cwd=project)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.report["applied"] and (project / "app.db").is_file()


def test_a_late_migration_allowed_out_of_order_is_the_one_rollback_reverts(
    tmp_path: Path, pg_url: str
) -> None:
    """Knex sorts by name; the database records when each ran: the newest applied goes first."""
    project = node_project("knex", tmp_path)
    assert run_cli("migrate", "--database-url", pg_url, cwd=project).returncode == 0
    late = project / "migrations" / "20240101120000_create_notes.js"
    late.write_text(
        'exports.up = (knex) => knex.schema.createTable("notes", (t) => t.increments());\n'
        'exports.down = (knex) => knex.schema.dropTable("notes");\n'
    )
    refused = run_cli("migrate", "--json", "--database-url", pg_url, cwd=project).report
    assert (refused["status"], refused["problems"][0]["kind"]) == ("failed", "out-of-order")
    args = ("--json", "--database-url", pg_url, "--allow-out-of-order")
    assert run_cli("migrate", *args, cwd=project).report["applied"] == [late.name]
    rolled = run_cli("rollback", "--json", "--database-url", pg_url, cwd=project).report
    assert (rolled["status"], rolled["rolled_back"]) == ("success", [late.name]), rolled["error"]
    assert rolled["current"] == "20240103000000_index_author_email.js"


SETTINGS_KNEXFILE = """module.exports = {
  client: "better-sqlite3",
  useNullAsDefault: true,
  connection: { filename: "./app.db" },
  migrations: {
    directory: ["./later", "./first"],
    loadExtensions: [".js", ".cjs"],
    sortDirsSeparately: %s,
    tableName: "schema_log",
  },
};
"""
MIGRATION = (
    'exports.up = (knex) => knex.schema.createTable("t_%s", (t) => t.increments());\n'
    'exports.down = (knex) => knex.schema.dropTable("t_%s");\n'
)


def knexs_own_list(project: Path) -> tuple[list[str], list[str]]:
    """`knex migrate:list` run by hand in the project (its knexfile names ./app.db)."""
    output = subprocess.run(
        [str(project / "node_modules/.bin/knex"), "migrate:list"],
        cwd=project,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    sections: dict[str, list[str]] = {"Completed": [], "Pending": []}
    current = None
    for line in (raw.strip() for raw in output.splitlines()):
        header = re.match(r"^(?:Found \d+|No) (Completed|Pending) Migration file", line)
        if header:
            current = header[1]
        elif current and line:
            sections[current].append(line)
    return sections["Completed"], sections["Pending"]


@pytest.mark.parametrize("separately", ["false", "true"])
def test_state_follows_the_knexfiles_migrations_settings_as_knex_does(
    tmp_path: Path, separately: str
) -> None:
    """Several folders, loadExtensions, sortDirsSeparately, tableName: the files and order
    migrate-gate reads from its own connection are those `knex migrate:list` lists."""
    project = node_project("knex", tmp_path)
    (project / "knexfile.js").write_text(SETTINGS_KNEXFILE % separately)
    for folder, names in {
        "first": ["002_b.js", "004_d.cjs", "005_e.ts", "notes.txt"],
        "later": ["001_a.js", "003_c.js", "Z_upper.js"],
    }.items():
        (project / folder).mkdir()
        for name in names:
            stem = name.split(".")[0].lower()
            (project / folder / name).write_text(MIGRATION % (stem, stem))
    url = "sqlite:///app.db"
    status = run_cli("status", "--json", "--database-url", url, cwd=project).report
    assert status["status"] == "success", status["error"]
    listed = knexs_own_list(project)
    assert status["pending"] == listed[1] and listed[0] == []
    assert "005_e.ts" not in listed[1] and len(listed[1]) == 5

    migrated = run_cli("migrate", "--json", "--database-url", url, cwd=project)
    assert migrated.report["applied"] == listed[1], migrated.stderr[-2000:]
    assert migrated.stderr.count("\n$ ") + migrated.stderr.startswith("$ ") == 1  # one Node start
    assert knexs_own_list(project) == (listed[1], [])
    rolled = run_cli("rollback", "--json", "--database-url", url, cwd=project).report
    assert rolled["rolled_back"] == [listed[1][-1]] and rolled["pending"] == [listed[1][-1]]


CUSTOM_SOURCE_KNEXFILE = """const path = require("path");
const names = ["m1_create", "m2_create"];
module.exports = {
  client: "better-sqlite3",
  useNullAsDefault: true,
  connection: { filename: "./app.db" },
  migrations: {
    migrationSource: {
      getMigrations: async () => names,
      getMigrationName: (name) => name,
      getMigration: async (name) => ({
        up: (knex) => knex.schema.createTable(name, (t) => t.increments()),
        down: (knex) => knex.schema.dropTable(name),
      }),
    },
  },
};
"""


def test_a_custom_migration_source_is_listed_by_knex(tmp_path: Path) -> None:
    """Only Knex can list a migrationSource of the project's own: the state comes from
    `knex migrate:list` then, and is still right."""
    project = node_project("knex", tmp_path)
    (project / "knexfile.js").write_text(CUSTOM_SOURCE_KNEXFILE)
    url = "sqlite:///app.db"
    status = run_cli("status", "--json", "--database-url", url, cwd=project).report
    assert status["pending"] == ["m1_create", "m2_create"], status["error"]
    migrated = run_cli("migrate", "--json", "--database-url", url, cwd=project).report
    assert (migrated["status"], migrated["applied"]) == ("success", ["m1_create", "m2_create"])
