"""Knex and Rails SQL captured as the migrations run: the loopback relay on real PostgreSQL
(SCRAM logins relayed untouched), and `migrate-gate lint` on the real knex and Rails."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import psycopg
import pytest
from helpers import PgDatabase, copy_project, pg_rows, pg_tables
from lint_helpers import run_lint
from node_projects import node_project

from migrate_gate.ecosystems import knex
from migrate_gate.lint.capture import Proxy, Sent
from migrate_gate.lint.captured import _knex_file, _pieces, _sources, _Tool

KNEX = "migrations/"
RAILS = "db/migrate/"

KNEX_RENAME = """exports.up = async (knex) => {
  await knex.schema.alterTable("authors", (table) => {
    table.renameColumn("name", "full_name");
  });
  await knex.raw("CREATE INDEX authors_full_name_idx ON authors (full_name)");
};
exports.down = async () => {};
"""
# Outside any transaction, with a lock_timeout: nothing to report.
KNEX_CONCURRENTLY = """exports.config = { transaction: false };
exports.up = async (knex) => {
  await knex.raw("SET lock_timeout = '5s'");
  await knex.raw("CREATE INDEX CONCURRENTLY authors_id_idx ON authors (id)");
};
exports.down = async () => {};
"""
RAILS_RENAME = """class RenameTitle < ActiveRecord::Migration[6.1]
  def change
    rename_column :books, :title, :name
    add_index :authors, :name
  end
end
"""
RAILS_CONCURRENTLY = """class IndexConcurrently < ActiveRecord::Migration[6.1]
  disable_ddl_transaction!

  def change
    execute "SET lock_timeout = '5s'"
    add_index :books, [:name, :author_id], algorithm: :concurrently
  end
end
"""


def connect(database: PgDatabase, port: int, **options: Any) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host="127.0.0.1",
        port=port,
        user=database.name,
        password=database.password,
        dbname=database.name,
        autocommit=True,
        **options,
    )


def findings(report: dict[str, Any]) -> list[tuple[str, int, str]]:
    return [
        (f["file"], f["line"], f["rule"]) for f in report["findings"] if f["severity"] != "info"
    ]


def test_relay_records_queries_and_bound_statements(pg_database: PgDatabase) -> None:
    with Proxy("127.0.0.1", 5432) as proxy, connect(pg_database, proxy.port) as connection:
        connection.pgconn.exec_(b"CREATE TABLE t (id int, name text); SELECT 1")  # simple Query
        connection.execute("INSERT INTO t VALUES (1, %s)", ("ann",))  # Parse + Bind
        for name in ("bob", "cy"):  # parsed once as a named statement, bound twice
            connection.execute("INSERT INTO t VALUES (2, %s)", (name,), prepare=True)
    assert pg_rows(pg_database.url, "SELECT name FROM t ORDER BY name") == [
        ("ann",),
        ("bob",),
        ("cy",),
    ]
    recorded = [(s.sql, s.params) for s in proxy.sent if s.sql.startswith(("CREATE", "INSERT"))]
    assert recorded == [
        ("CREATE TABLE t (id int, name text); SELECT 1", ()),
        ("INSERT INTO t VALUES (1, $1)", ("ann",)),
        ("INSERT INTO t VALUES (2, $1)", ("bob",)),
        ("INSERT INTO t VALUES (2, $1)", ("cy",)),
    ]
    assert len({s.connection for s in proxy.sent}) == 1
    assert not any(pg_database.password in s.sql for s in proxy.sent)


def test_relay_passes_scram_through_in_plaintext(
    pg_database: PgDatabase,
    pg_admin: psycopg.Connection[Any],
) -> None:
    stored = pg_admin.execute(
        "SELECT rolpassword FROM pg_authid WHERE rolname = %s", (pg_database.name,)
    ).fetchone()
    assert stored is not None and str(stored[0]).startswith("SCRAM-SHA-256$")
    with Proxy("127.0.0.1", 5432) as proxy:
        # sslmode=prefer asks for TLS first: the relay answers 'N' and the login goes on
        with connect(pg_database, proxy.port, sslmode="prefer") as connection:
            row = connection.execute(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
            ).fetchone()
            assert row == (False,)
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(
                host="127.0.0.1",
                port=proxy.port,
                user=pg_database.name,
                password="wrong",
                dbname=pg_database.name,
            )
        with pytest.raises(psycopg.OperationalError, match="SSL"):
            connect(pg_database, proxy.port, sslmode="require")


def test_each_statement_goes_to_the_migration_the_insert_names(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    for name in ("001_a.js", "002_b.js", "003_c.js"):
        (tmp_path / "migrations" / name).write_text("", encoding="utf-8")
    insert = 'insert into "knex_migrations" ("batch", "name") values ($1, $2)'
    sent = [
        Sent(1, "select version();"),
        Sent(1, 'create table "knex_migrations" ("id" serial primary key, "name" text)'),
        Sent(1, "BEGIN;"),
        Sent(1, "SET search_path = public; SET lock_timeout = '5s'"),
        Sent(1, "create table a (id int)"),
        Sent(1, insert, ("1", "001_a.js")),
        Sent(2, "create index b_idx on a (id)"),
        Sent(2, insert, ("1", "002_b.js")),
        Sent(1, "COMMIT;"),
        Sent(1, 'select * from "knex_migrations_lock"'),
        Sent(1, "drop table a"),
        Sent(1, insert, ("1", "003_c.js")),
        Sent(1, 'update "knex_migrations_lock" set "is_locked" = 0'),
        Sent(1, "vacuum"),  # after the last migration: the tool's own
    ]
    tool = _Tool("knex", "knex_migrations", "name", _knex_file)
    bookkeeping = knex.bookkeeping_tables()
    pieces = [piece for message in sent for piece in _pieces(message, tool, bookkeeping)]
    first, second, third = _sources(tmp_path, tool, pieces)
    assert first.path.endswith("migrations/001_a.js")
    assert first.text == "BEGIN\n;\nSET lock_timeout = '5s'\n;\ncreate table a (id int)\n;\n"
    # another connection: neither the transaction nor the lock_timeout carry over
    assert second.path.endswith("migrations/002_b.js")
    assert second.text == "create index b_idx on a (id)\n;\n"
    # back on the first: its session statements are replayed before the migration's own
    assert third.path.endswith("migrations/003_c.js")
    assert third.text == ("BEGIN\n;\nSET lock_timeout = '5s'\n;\nCOMMIT\n;\ndrop table a\n;\n")
    assert all(not s.sql_lines and not s.chained for s in (first, second, third))


def test_knex_findings_point_at_the_migration_files(
    pg_database: PgDatabase, tmp_path: Path
) -> None:
    project = node_project("knex", tmp_path)
    (project / KNEX / "20240104000000_rename.js").write_text(KNEX_RENAME, encoding="utf-8")
    (project / KNEX / "20240105000000_concurrently.js").write_text(KNEX_CONCURRENTLY)
    result = run_lint("--json", "--database-url", pg_database.url, cwd=project)
    result.assert_no_secret(pg_database.password)
    assert result.returncode == 1, result.stderr
    assert result.report["ecosystem"] == "knex"
    assert "hasColumn" in result.report["notes"][0]  # guards ran one branch only
    assert findings(result.report) == [
        (f"{KNEX}20240102000000_add_author_email.js", 1, "MG009"),
        (f"{KNEX}20240103000000_index_author_email.js", 1, "MG001"),
        (f"{KNEX}20240103000000_index_author_email.js", 1, "MG009"),
        (f"{KNEX}20240104000000_rename.js", 1, "MG007"),
        (f"{KNEX}20240104000000_rename.js", 1, "MG009"),
        (f"{KNEX}20240104000000_rename.js", 1, "MG001"),
    ]
    rename = [f for f in result.report["findings"] if f["severity"] != "info"][3]["message"]
    assert 'SQL: alter table "authors" rename "name" to "full_name"' in rename
    # the migrations really ran on the scratch database
    assert len(pg_rows(pg_database.url, "SELECT name FROM knex_migrations")) == 5


@pytest.fixture
def rails_project(tmp_path: Path) -> Path:
    if shutil.which("ruby") is None or shutil.which("bundle") is None:
        pytest.fail("ruby/bundler are not installed: run scripts/setup/ruby.sh (make setup)")
    project = copy_project("rails", tmp_path)
    locked = subprocess.run(
        ["bundle", "lock", "--local"], cwd=project, capture_output=True, text=True, check=False
    )
    assert locked.returncode == 0, f"bundle lock --local failed: {locked.stderr}{locked.stdout}"
    return project


def test_rails_findings_point_at_the_migration_files(
    pg_database: PgDatabase, rails_project: Path
) -> None:
    (rails_project / RAILS / "20240101000400_rename_title.rb").write_text(RAILS_RENAME)
    (rails_project / RAILS / "20240101000500_index_concurrently.rb").write_text(RAILS_CONCURRENTLY)
    result = run_lint("--json", "--database-url", pg_database.url, cwd=rails_project)
    result.assert_no_secret(pg_database.password)
    assert result.returncode == 1, result.stderr
    assert result.report["ecosystem"] == "rails"
    assert "column_exists?" in result.report["notes"][0]
    assert findings(result.report) == [
        (f"{RAILS}20240101000300_index_books_title.rb", 1, "MG001"),
        (f"{RAILS}20240101000300_index_books_title.rb", 1, "MG009"),
        (f"{RAILS}20240101000400_rename_title.rb", 1, "MG007"),
        (f"{RAILS}20240101000400_rename_title.rb", 1, "MG009"),
        (f"{RAILS}20240101000400_rename_title.rb", 1, "MG001"),
    ]
    assert (
        'RENAME COLUMN "title" TO "name"'
        in [f for f in result.report["findings"] if f["severity"] != "info"][2]["message"]
    )


def test_sqlite_or_no_database_is_a_usage_error(tmp_path: Path) -> None:
    project = node_project("knex", tmp_path)
    for args in (["--database-url", "sqlite:///app.db"], []):
        result = run_lint(*args, cwd=project)
        assert result.returncode == 2, result.stderr
        assert "needs a scratch PostgreSQL database: pass --database-url" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    assert not (project / "app.db").exists()


def test_database_with_application_tables_is_refused(
    pg_database: PgDatabase, tmp_path: Path
) -> None:
    project = node_project("knex", tmp_path)
    with psycopg.connect(pg_database.url, autocommit=True) as connection:
        connection.execute("CREATE TABLE customers (id int)")
    result = run_lint("--database-url", pg_database.url, cwd=project)
    result.assert_no_secret(pg_database.password)
    assert result.returncode == 2
    assert "already holds application tables (customers)" in result.stderr
    assert pg_tables(pg_database.url) == {"customers"}  # nothing ran
