"""A folder that holds several dialects (goose projects do): the PostgreSQL files are linted,
the others skipped with the reason; and --pg-version comes from the server lint connects to."""

from __future__ import annotations

from pathlib import Path

from helpers import PgDatabase
from lint_helpers import run_lint

POSTGRES = "-- +goose Up\nSET lock_timeout = '5s';\nCREATE INDEX users_a_idx ON users (a);\n"
MYSQL = "-- +goose Up\nCREATE TABLE `users` (id int AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;\n"
SQLITE = "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);\n"


def write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_other_dialects_are_skipped_and_named(tmp_path: Path) -> None:
    write(tmp_path, "db/postgres/00001_index.sql", POSTGRES)
    write(tmp_path, "db/mysql/00001_init.sql", POSTGRES.replace("users_a_idx", "x"))  # by folder
    write(tmp_path, "db/legacy/00002_init.sql", MYSQL)  # by its syntax
    write(tmp_path, "db/other/00003_init.sql", SQLITE + "PRAGMA foreign_keys = ON;\nSELEC 1;\n")
    result = run_lint("db", "--json", cwd=tmp_path)
    report = result.report
    assert {(f["file"], f["rule"]) for f in report["findings"] if f["severity"] != "info"} == {
        ("db/postgres/00001_index.sql", "MG001")
    }
    assert report["skipped"] == [
        {"file": "db/legacy/00002_init.sql", "reason": "written for MySQL (backquoted names)"},
        {"file": "db/mysql/00001_init.sql", "reason": "written for MySQL (folder mysql/)"},
        {"file": "db/other/00003_init.sql", "reason": "written for SQLite (AUTOINCREMENT)"},
    ]
    assert "skipped db/mysql/00001_init.sql: written for MySQL (folder mysql/)" in result.stderr


def test_a_postgresql_syntax_error_is_still_a_finding(tmp_path: Path) -> None:
    write(tmp_path, "db/00001_typo.sql", "ALTER TABEL users ADD COLUMN a text;\n")
    report = run_lint("db", "--json", cwd=tmp_path).report
    assert [f["rule"] for f in report["findings"]] == ["MG000"] and report["skipped"] == []
    assert report["notes"] == []  # nothing ran on a scratch database


def test_pg_version_is_read_from_the_database_given(
    tmp_path: Path, pg_database: PgDatabase
) -> None:
    """The server here is PostgreSQL 15: a DEFAULT is instant (from 11), so MG006 is quiet;
    --pg-version 10 says the production server is older, and the same SQL rewrites."""
    write(tmp_path, "m.sql", "ALTER TABLE users ADD COLUMN plan text DEFAULT 'free';\n")
    given = run_lint("m.sql", "--json", "--database-url", pg_database.url, cwd=tmp_path)
    assert given.report["pg_version"] == 15  # not the default, 13
    assert "MG006" not in {f["rule"] for f in given.report["findings"]}
    assert run_lint("m.sql", "--json", cwd=tmp_path).report["pg_version"] == 13
    old = run_lint("m.sql", "--json", "--pg-version", "10", cwd=tmp_path)
    assert old.report["pg_version"] == 10
    assert "MG006" in {f["rule"] for f in old.report["findings"]}
    bad = run_lint("m.sql", "--pg-version", "fifteen", cwd=tmp_path)
    assert bad.returncode == 2 and "not a PostgreSQL version" in bad.stderr
