"""`migrate-gate plan` end to end: real goose, Alembic and Knex on real PostgreSQL.

Each history gets one expand, one data and one contract migration on top of what the target
already applied; the plan must list them with their SQL, locks, classification and findings,
and the target database must come out exactly as it went in (catalog and bookkeeping).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import psycopg
import pytest
from helpers import PgDatabase, copy_project, pg_rows, run_cli
from node_projects import node_project
from toolchains import installed_goose

from migrate_gate.ecosystems import goose
from migrate_gate.plan.render import markdown
from migrate_gate.report import Report

GOOSE_NEW = {
    "00004_add_isbn.sql": "-- +goose Up\nALTER TABLE books ADD COLUMN isbn text;\n"
    "-- +goose Down\nALTER TABLE books DROP COLUMN isbn;\n",
    "00005_fill_isbn.sql": "-- +goose Up\nUPDATE books SET isbn = 'unknown' WHERE isbn IS NULL;\n"
    "-- +goose Down\nSELECT 1;\n",
    "00006_drop_title.sql": "-- +goose Up\nALTER TABLE books DROP COLUMN title;\n"
    "-- +goose Down\nALTER TABLE books ADD COLUMN title text;\n",
}

# the target's catalog (every column of every table) and every bookkeeping row
_CATALOG = (
    "select c.relname, a.attname, a.atttypid::regtype::text, a.attnotnull from pg_class c "
    "join pg_namespace n on n.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid "
    "where n.nspname = 'public' and a.attnum > 0 and not a.attisdropped order by 1, 2"
)


def snapshot(url: str, bookkeeping: str) -> tuple[list[Any], list[Any]]:
    return pg_rows(url, _CATALOG), pg_rows(url, f"select * from {bookkeeping} order by 1")


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["id"]: m for m in report["plan"]["migrations"]}


@pytest.fixture
def scratch(pg_admin: psycopg.Connection) -> PgDatabase:  # type: ignore[type-arg]
    database = PgDatabase(pg_admin)
    yield database  # type: ignore[misc]
    database.drop(pg_admin)


def test_goose_plan_of_pending_migrations_leaves_the_target_alone(
    tmp_path: Path, pg_database: PgDatabase
) -> None:
    project = copy_project("goose", tmp_path)
    env = {goose.BINARY_ENV: str(installed_goose())}
    url = pg_database.url
    migrated = run_cli("migrate", "--database-url", url, "--json", cwd=project, env=env)
    assert migrated.returncode == 0, migrated.stderr
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "insert into authors values (1, 'a'); insert into books values (1, 1, 't')"
        )
        connection.execute("analyze")
    for name, text in GOOSE_NEW.items():
        (project / "migrations" / name).write_text(text)
    before = snapshot(url, "goose_db_version")

    planned = run_cli("plan", "--database-url", url, "--json", cwd=project, env=env)

    assert planned.returncode == 0, planned.stderr
    planned.assert_no_secret(pg_database.password)
    assert snapshot(url, "goose_db_version") == before
    report = planned.report
    assert report["command"] == "plan" and report["pending"] == ["4", "5", "6"]
    plan = by_id(report)
    assert [plan[i]["classification"] for i in ("4", "5", "6")] == ["expand", "data", "contract"]
    add, fill, drop = (plan[i]["statements"][0] for i in ("4", "5", "6"))
    assert add["sql"] == "ALTER TABLE books ADD COLUMN isbn text"
    assert [(lock["mode"], lock["table"]) for lock in add["locks"]] == [
        ("ACCESS EXCLUSIVE", "books")
    ]
    assert add["locks"][0]["size"]["bytes"] > 0  # the target's table, measured
    assert fill["locks"][0]["mode"] == "ROW EXCLUSIVE" and fill["change"] == "data"
    assert drop["change"] == "contract" and plan["6"]["decided_by"]["why"].startswith("drops")
    assert "MG008" in {f["rule"] for f in drop["findings"]}
    assert report["plan"]["summary"] == (
        "1 expand, 1 contract, 1 data: deploy the code before migrating contract step 6; "
        "data step 5 changes rows (check how it batches)"
    )
    text = run_cli("plan", "--database-url", url, cwd=project, env=env)
    assert "lock: ACCESS EXCLUSIVE on books (" in text.stdout, text.stdout
    assert "~1 rows)" in text.stdout and "error MG008 destructive" in text.stdout


def test_the_target_connection_is_read_only(pg_database: PgDatabase) -> None:
    from migrate_gate.db import connect_postgresql
    from migrate_gate.dburl import parse
    from migrate_gate.plan.command import _read_only

    connection = connect_postgresql(_read_only(parse(pg_database.url)))
    try:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            connection.execute("create table written (id int)")
    finally:
        connection.close()


ALEMBIC_NEW = {
    "4d6f8b0c2e34_add_isbn.py": (
        "3c5e7a9b1d23", "op.add_column('books', sa.Column('isbn', sa.Text()))"),
    "5e7a9c1d3f45_fill_isbn.py": ("4d6f8b0c2e34", "op.execute(\"UPDATE books SET isbn = 'x'\")"),
    "6f8b0d2e4a56_rename_title.py": (
        "5e7a9c1d3f45", "op.alter_column('books', 'title', new_column_name='name')"),
}  # fmt: skip
_ALEMBIC_SCRIPT = '''"""{slug}"""
import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down}"


def upgrade() -> None:
    {body}


def downgrade() -> None:
    pass
'''


def test_alembic_plan_of_pending_revisions(tmp_path: Path, pg_database: PgDatabase) -> None:
    project = copy_project("alembic", tmp_path)
    url = pg_database.url
    assert run_cli("migrate", "--database-url", url, "--json", cwd=project).returncode == 0
    for name, (down, body) in ALEMBIC_NEW.items():
        revision, slug = name.removesuffix(".py").split("_", 1)
        script = _ALEMBIC_SCRIPT.format(slug=slug, revision=revision, down=down, body=body)
        (project / "migrations" / "versions" / name).write_text(script)
    before = snapshot(url, "alembic_version")

    planned = run_cli("plan", "--database-url", url, "--json", cwd=project)

    assert planned.returncode == 0, planned.stderr
    assert snapshot(url, "alembic_version") == before
    plan = by_id(planned.report)
    assert list(plan) == ["4d6f8b0c2e34", "5e7a9c1d3f45", "6f8b0d2e4a56"]
    assert [m["classification"] for m in plan.values()] == ["expand", "data", "contract"]
    rename = plan["6f8b0d2e4a56"]["statements"]
    assert [s["sql"] for s in rename] == ["ALTER TABLE books RENAME title TO name"]
    assert rename[0]["locks"][0]["mode"] == "ACCESS EXCLUSIVE"
    assert "MG007" in {f["rule"] for f in rename[0]["findings"]}
    fill = plan["5e7a9c1d3f45"]["statements"][0]
    assert fill["scan"] and "MG011" in {f["rule"] for f in fill["findings"]}
    # alembic_version's own UPDATEs are the tool's, not the plan's
    assert all("alembic_version" not in s["sql"] for m in plan.values() for s in m["statements"])


KNEX_NEW = {
    "20240104000000_add_bio.js": "t.text('bio')",
    "20240106000000_drop_name.js": "t.dropColumn('name')",
}


def test_knex_sql_comes_from_the_scratch_database_never_the_target(
    tmp_path: Path, pg_database: PgDatabase, scratch: PgDatabase
) -> None:
    project = node_project("knex", tmp_path)
    url = pg_database.url
    assert run_cli("migrate", "--database-url", url, "--json", cwd=project).returncode == 0
    for name, change in KNEX_NEW.items():
        (project / "migrations" / name).write_text(
            f"exports.up = (knex) => knex.schema.alterTable('authors', (t) => {{ {change}; }});\n"
            "exports.down = async () => {};\n"
        )
    (project / "migrations" / "20240105000000_fill_bio.js").write_text(
        "exports.up = (knex) => knex('authors').update({ bio: '' });\n"
        "exports.down = async () => {};\n"
    )
    before = snapshot(url, "knex_migrations")
    args = ("plan", "--database-url", url, "--json")

    missing = run_cli(*args, cwd=project)
    assert missing.returncode == 2 and "--scratch-url" in missing.stderr
    same = run_cli(*args, "--scratch-url", url, cwd=project)
    assert same.returncode == 2 and len(same.stderr.splitlines()) == 1
    planned = run_cli(*args, cwd=project, env={"MIGRATE_GATE_SCRATCH_URL": scratch.url})

    assert planned.returncode == 0, planned.stderr
    planned.assert_no_secret(scratch.password)
    assert snapshot(url, "knex_migrations") == before
    plan = by_id(planned.report)
    assert [m["classification"] for m in plan.values()] == ["expand", "data", "contract"]
    assert next(iter(plan)) == "20240104000000_add_bio.js"
    drop = plan["20240106000000_drop_name.js"]["statements"][0]
    assert drop["sql"] == 'alter table "authors" drop column "name"'
    assert "bio" in {row[0] for row in pg_rows(scratch.url, "select column_name from "
                                                "information_schema.columns")}  # fmt: skip


def test_plan_needs_a_database_or_since_and_says_so_in_one_line(tmp_path: Path) -> None:
    project = copy_project("goose", tmp_path)
    result = run_cli("plan", cwd=project)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert "--since" in result.stderr and "Traceback" not in result.stderr
    both = run_cli("plan", "--since", "HEAD", "--json", "--format", "markdown", cwd=project)
    assert both.returncode == 2 and "--output" in both.stderr


def test_a_plan_too_long_for_one_comment_is_cut_and_points_at_the_artifact() -> None:
    statement = {"sql": "UPDATE t SET a = 1 WHERE " + "a = 1 AND " * 500 + "true",
                 "kind": "UpdateStmt", "locks": [{"mode": "ROW EXCLUSIVE", "table": "t",
                 "size": None}], "rewrite": False, "scan": False, "change": "data",
                 "why": "updates t", "findings": []}  # fmt: skip
    migrations = [
        {"id": str(n), "file": f"{n}.sql", "classification": "data",
         "decided_by": {"sql": "", "why": "updates t"}, "statements": [statement] * 5,
         "findings": []}
        for n in range(200)
    ]  # fmt: skip
    plan = {"selected_by": "since", "summary": "200 data", "migrations": migrations, "unread": []}
    report = Report("plan", "goose", ".", extra={"plan": plan})
    whole = markdown(report)
    cut = markdown(report, limit=65_536, artifact="plan.md in the job's artifacts")
    assert len(whole) > 65_536 >= len(cut)
    assert cut.count("<details>") == cut.count("</details>") > 0
    assert "of 200 migration(s) shown" in cut and "plan.md in the job's artifacts" in cut
    assert json.dumps(plan)  # the report itself stays whole


def test_since_plans_the_branch_s_migrations_without_a_database(tmp_path: Path) -> None:
    project = copy_project("goose", tmp_path)
    git = ("git", "-c", "user.name=t", "-c", "user.email=t@example.com")
    for args in (("init", "-q"), ("add", "."), ("commit", "-q", "-m", "base")):
        subprocess.run([*git, *args], cwd=project, check=True)
    for name, text in GOOSE_NEW.items():
        (project / "migrations" / name).write_text(text)
    output = tmp_path / "plan.md"
    args = ("plan", "--since", "HEAD", "--format", "markdown", "--output", str(output), "--json")

    planned = run_cli(*args, cwd=project)

    assert planned.returncode == 0, planned.stderr
    plan = planned.report["plan"]
    assert plan["selected_by"] == "since" and [m["id"] for m in plan["migrations"]] == [
        "4", "5", "6"
    ]  # fmt: skip
    assert plan["migrations"][0]["statements"][0]["locks"][0]["size"] is None  # no database
    written = output.read_text()
    assert written.count("<details>") == 3 and "ACCESS EXCLUSIVE on `books`" in written
    assert "| `6` | contract | drops column books.title | ACCESS EXCLUSIVE |" in written


def test_a_target_the_tool_never_migrated_has_everything_pending(
    tmp_path: Path, pg_database: PgDatabase, scratch: PgDatabase
) -> None:
    """knex migrate:list creates knex_migrations first: that it is still missing afterwards
    shows the tool's session could not write; the plan then lists every migration."""
    project = node_project("knex", tmp_path)
    env = {"MIGRATE_GATE_SCRATCH_URL": scratch.url}

    planned = run_cli("plan", "--database-url", pg_database.url, "--json", cwd=project, env=env)

    assert planned.returncode == 0, planned.stderr[-2000:]
    assert pg_rows(pg_database.url, "select count(*) from pg_class where relname ~ '^knex'") == [
        (0,)
    ]
    assert planned.report["pending"] == [
        "20240101000000_create_authors.js",
        "20240102000000_add_author_email.js",
        "20240103000000_index_author_email.js",
    ]
    assert len(planned.report["plan"]["migrations"]) == 3 and planned.report["plan"]["unread"] == []
