"""`migrate-gate check`: the real tools on real PostgreSQL and SQLite, every problem kind next
to a case that looks like it and is fine."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import psycopg
import pytest
from helpers import CliResult, PgDatabase, copy_project, run_cli
from node_projects import PRISMA_ENV, node_project
from toolchains import installed_goose, locked_rails_app

from migrate_gate.ecosystems import goose

MODELS = """
import sqlalchemy as sa

target_metadata = sa.MetaData()
sa.Table(
    "authors",
    target_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
)
sa.Table(
    "books",
    target_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("author_id", sa.Integer, sa.ForeignKey("authors.id"), nullable=False),
    sa.Column("published_year", sa.Integer, nullable=True, index=True),
    {EXTRA}
)
"""


@pytest.fixture
def scratch(pg_admin: psycopg.Connection) -> PgDatabase:  # type: ignore[type-arg]
    """A second, empty PostgreSQL database (dropped with the session's others)."""
    database = PgDatabase(pg_admin)
    yield database  # type: ignore[misc]
    database.drop(pg_admin)


def tool_env() -> dict[str, str]:
    return {**PRISMA_ENV, goose.BINARY_ENV: str(installed_goose())}


def check(project: Path, *args: str) -> CliResult:
    return run_cli("check", "--json", *args, cwd=project, env=tool_env())


def migrate(project: Path, url: str) -> CliResult:
    return run_cli("migrate", "--json", "--database-url", url, cwd=project, env=tool_env())


def kinds(result: CliResult) -> list[tuple[str, str | None]]:
    return [(p["kind"], p["migration"]) for p in result.report["problems"]]


def with_models(project: Path, extra: str) -> Path:
    env = project / "migrations" / "env.py"
    text = env.read_text().replace("target_metadata = None", MODELS.replace("{EXTRA}", extra))
    env.write_text(text)
    return project


def test_alembic_models_without_migration_on_a_scratch_database(tmp_path: Path) -> None:
    project = with_models(copy_project("alembic", tmp_path), 'sa.Column("isbn", sa.String(20)),')
    found = check(project, "--scratch-url", "sqlite:///scratch.db")
    assert found.returncode == 1, found.stderr
    assert kinds(found) == [("models-without-migration", None)]
    assert "add_column books.isbn" in found.report["problems"][0]["detail"]
    assert found.report["checked"]["models"] == "checked"

    clean = with_models(copy_project("alembic", tmp_path / "clean"), "")
    passed = check(clean, "--scratch-url", "sqlite:///scratch.db")
    assert passed.returncode == 0, passed.report
    assert passed.report["problems"] == [] and passed.report["state"] == "unknown"

    without = check(project)  # no scratch: said, not silently passed
    assert without.returncode == 0 and "--scratch-url" in without.report["checked"]["models"]


def test_django_conflicting_leaves_and_their_merge(tmp_path: Path) -> None:
    project = copy_project("django", tmp_path)
    (project / "blog" / "migrations" / "0002_post_title.py").write_text(
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        '    dependencies = [("blog", "0001_initial")]\n'
        "    operations = [migrations.RunPython(migrations.RunPython.noop)]\n"
    )
    forked = check(project)
    assert forked.returncode == 1
    assert kinds(forked) == [
        ("conflicting-leaves", "blog.0002_post_body"),
        ("conflicting-leaves", "blog.0002_post_title"),
        ("missing-down", "blog.0002_post_title"),
    ]
    assert "makemigrations --merge blog" in forked.report["error"]
    assert forked.report["checked"]["models"].startswith("not checked")

    (project / "blog" / "migrations" / "0003_merge.py").write_text(
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        '    dependencies = [("blog", "0002_post_body"), ("blog", "0002_post_title")]\n'
        "    operations = []\n"
    )
    merged = check(project)
    assert merged.returncode == 0, merged.report
    assert kinds(merged) == [("missing-down", "blog.0002_post_title")]  # info only
    assert merged.report["checked"]["models"] == "checked"  # makemigrations ran: no changes


def test_django_models_without_migration(tmp_path: Path) -> None:
    project = copy_project("django", tmp_path)
    models = project / "blog" / "models.py"
    models.write_text(
        models.read_text() + '    subtitle = models.CharField(max_length=9, default="")\n'
    )
    found = check(project)
    assert found.returncode == 1
    assert kinds(found) == [("models-without-migration", None)]
    assert "blog: Add field subtitle to post" in found.report["problems"][0]["detail"]


def test_django_unknown_applied_refuses_migrate(tmp_path: Path, pg_url: str) -> None:
    """A newer deploy recorded blog.0003 (its file is not in this checkout)."""
    project = copy_project("django", tmp_path)
    assert migrate(project, pg_url).returncode == 0
    with psycopg.connect(pg_url, autocommit=True) as connection:
        connection.execute(
            "insert into django_migrations (app, name, applied) "
            "values ('blog', '0003_post_subtitle', now()), ('gone', '0001_initial', now())"
        )
    found = check(project, "--database-url", pg_url)
    assert kinds(found) == [("unknown-applied", "blog.0003_post_subtitle")]  # not the gone app
    assert found.returncode == 1
    allowed = check(project, "--database-url", pg_url, "--allow-unknown-applied")
    assert allowed.returncode == 0, allowed.report


def test_prisma_models_without_migration_with_a_shadow_database(
    tmp_path: Path, scratch: PgDatabase
) -> None:
    project = node_project("prisma", tmp_path)
    clean = check(project, "--scratch-url", scratch.url)
    assert clean.returncode == 0, clean.report
    assert clean.report["checked"]["models"] == "checked"
    schema = project / "prisma" / "schema.prisma"
    schema.write_text(schema.read_text().replace("model Author {", "model Author {\n  bio String?"))
    found = check(project, "--scratch-url", scratch.url)
    assert found.returncode == 1, found.report
    assert {kind for kind, _ in kinds(found)} == {"models-without-migration"}
    assert any("bio" in p["detail"] for p in found.report["problems"])
    found.assert_no_secret(scratch.password)


def test_goose_drift_names_the_column_made_outside_the_migrations(
    tmp_path: Path, pg_url: str, scratch: PgDatabase
) -> None:
    project = copy_project("goose", tmp_path)
    assert migrate(project, pg_url).returncode == 0
    args = ("--database-url", pg_url, "--drift", "--scratch-url", scratch.url)
    same = check(project, *args)
    assert same.returncode == 0, same.report
    assert same.report["checked"] == {
        "history": "checked",
        "database": "checked",
        "drift": "checked",
        "models": "not applicable: the migrations are hand-written, no models to compare",
    }
    with psycopg.connect(pg_url, autocommit=True) as connection:
        connection.execute("alter table books add column hotfix text")
    with psycopg.connect(scratch.url, autocommit=True) as connection:
        connection.execute("drop schema public cascade; create schema public")
    drifted = check(project, *args)
    assert drifted.returncode == 1
    assert kinds(drifted) == [("drift", None)]
    assert "column books.hotfix" in drifted.report["problems"][0]["detail"]
    assert "made by none of its migrations" in drifted.report["problems"][0]["detail"]
    assert drifted.report["pending"] == [] and drifted.report["applied"] == []


def test_since_keeps_the_problems_of_changed_migrations(tmp_path: Path) -> None:
    project = copy_project("goose", tmp_path)
    old = project / "migrations" / "00002_create_books.sql"
    old.write_text(old.read_text().split("-- +goose Down")[0])
    for argv in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"],
    ):
        subprocess.run(["git", *argv], cwd=project, check=True)
    new = project / "migrations" / "00004_add_isbn.sql"
    new.write_text("-- +goose Up\nALTER TABLE books ADD COLUMN isbn text;\n")
    everything = check(project)
    assert kinds(everything) == [
        ("missing-down", "00002_create_books.sql"),
        ("missing-down", "00004_add_isbn.sql"),
    ]
    assert everything.returncode == 0  # informational
    since = check(project, "--since", "HEAD")
    assert kinds(since) == [("missing-down", "00004_add_isbn.sql")]


def test_knex_stuck_lock_and_out_of_order(tmp_path: Path, pg_url: str) -> None:
    project = node_project("knex", tmp_path)
    assert migrate(project, pg_url).returncode == 0
    late = project / "migrations" / "20240101120000_create_notes.js"  # a branch merged late
    late.write_text(
        'exports.up = (knex) => knex.schema.createTable("notes", (t) => t.increments());\n'
        'exports.down = (knex) => knex.schema.dropTable("notes");\n'
    )
    found = check(project, "--database-url", pg_url)
    assert kinds(found) == [("out-of-order", late.name)]
    assert check(project, "--database-url", pg_url, "--allow-out-of-order").returncode == 0
    with psycopg.connect(pg_url, autocommit=True) as connection:
        connection.execute("update knex_migrations_lock set is_locked = 1")
    locked = check(project, "--database-url", pg_url, "--allow-out-of-order")
    assert ("failed-record", "knex_migrations_lock") in kinds(locked)
    assert locked.returncode == 1 and "migrate:unlock" in locked.report["error"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--drift"], "--drift compares a database"),
        (["--scratch-url", "mysql2://x"], "database URL"),
        (["--since", "no-such-ref"], "--since"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    project = copy_project("goose", tmp_path)
    result = run_cli("check", *args, cwd=project)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr


def test_rails_schema_rb_against_what_the_migrations_build(
    tmp_path: Path, pg_url: str, scratch: PgDatabase
) -> None:
    """db/schema.rb is what Rails loads in tests; a migration it does not reflect is missed."""
    project = locked_rails_app(tmp_path / "rails")
    assert migrate(project, pg_url).returncode == 0
    schema = project / "db" / "schema.rb"
    assert schema.is_file()  # Rails dumped it after migrating, as in development
    clean = check(project, "--scratch-url", scratch.url)
    assert clean.returncode == 0, clean.report
    assert clean.report["checked"]["models"] == "checked"
    schema.write_text(schema.read_text().replace('t.string "title"', 't.string "heading"'))
    with psycopg.connect(scratch.url, autocommit=True) as connection:
        connection.execute("drop schema public cascade; create schema public")
    stale = check(project, "--scratch-url", scratch.url)
    assert stale.returncode == 1
    details = [p["detail"] for p in stale.report["problems"]]
    assert any('db/schema.rb has `t.string "heading"' in d for d in details), details
    assert any('the migrations give `t.string "title"' in d for d in details), details


# Each file-level problem on each tool's own fixture, without a database: (tool, files to add,
# expected (kind, migration, severity) problems). Copies of the fixtures, so nothing else varies.
FILE_CASES = [
    (
        "goose",
        {"migrations/00003_again.sql": "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 1;\n"},
        [("duplicate-version", "3", "error")],
    ),
    (
        "goose",
        {"migrations/00004_no_down.sql": "-- +goose Up\nSELECT 1;\n-- +goose Down\n-- none\n"},
        [("missing-down", "00004_no_down.sql", "info")],
    ),
    (
        "rails",
        {
            "db/migrate/20240101000400_backfill.rb": "class Backfill < "
            "ActiveRecord::Migration[6.1]\n  def up\n"
            "    execute 'UPDATE books SET title = title'\n  end\nend\n"
        },
        [("missing-down", "20240101000400", "info")],
    ),
    (
        "knex",
        {
            "migrations/20240103000000_again.js": "exports.up = async () => {};\n"
            "exports.down = async () => {};\n",
            "migrations/20240104000000_no_down.js": "exports.up = async () => {};\n",
        },
        [
            ("duplicate-version", "20240103000000", "warning"),
            ("missing-down", "20240104000000_no_down.js", "info"),
        ],
    ),
    (
        "prisma",
        {"prisma/migrations/20240103000000_again/migration.sql": "SELECT 1;\n"},
        [
            ("duplicate-version", "20240103000000", "warning"),
            ("missing-down", "20240103000000_again", "info"),
        ],
    ),
    (
        "alembic",
        {
            "migrations/versions/4d_no_down.py": 'revision = "4d6f8b0c2e34"\n'
            'down_revision = "3c5e7a9b1d23"\n\n\ndef upgrade() -> None:\n'
            '    op.execute("UPDATE books SET title = title")\n\n\n'
            "def downgrade() -> None:\n    pass\n"
        },
        [("missing-down", "4d6f8b0c2e34", "info")],
    ),
]


@pytest.mark.parametrize(("tool", "files", "expected"), FILE_CASES)
def test_file_problems_without_a_database(
    tmp_path: Path, tool: str, files: dict[str, str], expected: list[tuple[str, str, str]]
) -> None:
    project = copy_project(tool, tmp_path)
    for relative, text in files.items():
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text(text)
    result = check(project, "--skip-models")
    found = [(p["kind"], p["migration"], p["severity"]) for p in result.report["problems"]]
    assert found == expected
    errors = any(severity == "error" for _, _, severity in expected)
    assert result.returncode == (1 if errors else 0), result.report
    assert result.report["state"] == "unknown"  # no database was read


def test_rails_unknown_applied(tmp_path: Path, pg_url: str) -> None:
    """A newer release's version in schema_migrations, not in this checkout."""
    project = locked_rails_app(tmp_path / "rails")
    assert migrate(project, pg_url).returncode == 0
    with psycopg.connect(pg_url, autocommit=True) as connection:
        connection.execute("insert into schema_migrations values ('20991231000000')")
    found = check(project, "--database-url", pg_url, "--skip-models")
    assert kinds(found) == [("unknown-applied", "20991231000000")]
    assert found.returncode == 1 and found.report["current"] == "20991231000000"


def test_prisma_out_of_order_and_unknown_applied(tmp_path: Path, pg_url: str) -> None:
    project = node_project("prisma", tmp_path)
    assert migrate(project, pg_url).returncode == 0
    late = project / "prisma" / "migrations" / "20240101120000_add_note"
    late.mkdir()
    (late / "migration.sql").write_text('ALTER TABLE "authors" ADD COLUMN "note" TEXT;\n')
    (late / "down.sql").write_text('ALTER TABLE "authors" DROP COLUMN "note";\n')
    with psycopg.connect(pg_url, autocommit=True) as connection:
        connection.execute(
            "insert into _prisma_migrations (id, checksum, migration_name, started_at, "
            "finished_at, applied_steps_count) values "
            "('x', 'x', '20991231000000_newer', now(), now(), 1)"
        )
    found = check(project, "--database-url", pg_url, "--skip-models")
    assert kinds(found) == [
        ("out-of-order", late.name),
        ("unknown-applied", "20991231000000_newer"),
    ]
    allowed = ("--allow-out-of-order", "--allow-unknown-applied")
    assert check(project, "--database-url", pg_url, "--skip-models", *allowed).returncode == 0


def test_an_unreadable_database_is_unknown_never_clean(tmp_path: Path) -> None:
    project = copy_project("goose", tmp_path)
    (project / "migrations" / "00003_index_books_title.sql").rename(
        project / "migrations" / "00002_index_books_title.sql"
    )
    result = check(project, "--database-url", "postgresql://u:Unread42Pw@127.0.0.1:1/x")
    assert result.returncode == 1 and result.report["status"] == "failed"
    assert result.report["state"] == "unknown" and "cannot read" in result.report["error"]
    assert kinds(result) == [("duplicate-version", "2")]  # the files were still checked
    result.assert_no_secret("Unread42Pw")


@pytest.mark.parametrize(("tool", "table"), [("alembic", "books"), ("django", "blog_post")])
def test_drift_on_sqlite(tmp_path: Path, tool: str, table: str) -> None:
    """--drift for tools whose applied migrations replay by target on the scratch database
    (Django: per app), on SQLite."""
    project = copy_project(tool, tmp_path)
    live = "sqlite:///live.db"
    assert migrate(project, live).returncode == 0
    args = ("--database-url", live, "--drift", "--scratch-url", "sqlite:///scratch.db")
    assert check(project, *args, "--skip-models").report["problems"] == []
    (project / "scratch.db").unlink()
    with sqlite3.connect(project / "live.db") as connection:
        connection.execute(f"ALTER TABLE {table} ADD COLUMN hotfix text")
    drifted = check(project, *args, "--skip-models")
    assert drifted.returncode == 1 and kinds(drifted) == [("drift", None)]
    assert f"column {table}.hotfix" in drifted.report["problems"][0]["detail"]


def test_the_text_report_says_what_was_checked(tmp_path: Path) -> None:
    project = copy_project("goose", tmp_path)
    result = run_cli("check", cwd=project, env=tool_env())
    assert result.returncode == 0 and result.stdout.startswith("migrate-gate check: success")
    assert "  state:       unknown (the database was not read)" in result.stdout
    assert "  database:    not checked: give --database-url" in result.stdout
    assert "  models:      not applicable" in result.stdout
