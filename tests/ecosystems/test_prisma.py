"""Prisma end to end: the real prisma CLI (6.19.3, from tests/fixtures/node's lockfile) on
real PostgreSQL. On these machines it runs through its WebAssembly schema engine (the
fixture's prisma.config.ts and PRISMA_ENV); migrate-gate itself knows nothing of that."""

from __future__ import annotations

from pathlib import Path

import pytest
from backends import Backend, make_backend
from helpers import CliResult, run_cli
from node_projects import PRISMA_ENV, node_project, path_without, unlink_tools

MIGRATIONS = [
    "20240101000000_create_authors",
    "20240102000000_add_author_email",
    "20240103000000_index_author_email",
]
BROKEN = "20240104000000_broken"
BROKEN_SQL = 'ALTER TABLE "no_such_table" ADD COLUMN "x" INTEGER;\n'


@pytest.fixture
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    return make_backend(request, "postgresql", node_project("prisma", tmp_path))


def cli(backend: Backend, *args: str, env: dict[str, str] | None = None) -> CliResult:
    result = run_cli(
        *args,
        "--json",
        "--database-url",
        backend.url,
        cwd=backend.project,
        env={**PRISMA_ENV, **(env or {})},
    )
    assert backend.password
    result.assert_no_secret(backend.password)
    return result


def applied_in_database(backend: Backend) -> list[str]:
    if "_prisma_migrations" not in backend.tables():
        return []
    rows = backend.rows(
        "select migration_name from _prisma_migrations where finished_at is not null "
        "and rolled_back_at is null order by started_at"
    )
    return [row[0] for row in rows]


def has_email_index(backend: Backend) -> bool:
    rows = backend.rows("select indexname from pg_indexes where tablename = 'authors'")
    return ("authors_email_idx",) in rows


def migration_dir(backend: Backend, name: str) -> Path:
    return backend.project / "prisma" / "migrations" / name


def test_migrate_status_rollback_migrate(backend: Backend) -> None:
    migrated = cli(backend, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    report = migrated.report
    assert report["tool"] == "migrate-gate" and report["command"] == "migrate"
    assert report["ecosystem"] == "prisma" and report["status"] == "success"
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
    assert "db execute --file prisma/migrations/20240103000000_index_author_email/down.sql" in (
        rolled.stderr
    )
    assert applied_in_database(backend) == MIGRATIONS[:2]
    assert not has_email_index(backend) and "email" in backend.columns("authors")

    status = cli(backend, "status").report
    assert (status["current"], status["pending"]) == (MIGRATIONS[1], [MIGRATIONS[-1]])

    again = cli(backend, "migrate")
    assert again.returncode == 0, again.stderr
    assert again.report["applied"] == [MIGRATIONS[-1]] and again.report["current"] == MIGRATIONS[-1]
    assert applied_in_database(backend) == MIGRATIONS and has_email_index(backend)


def test_rollback_steps_reverts_exactly_n_newest_first(backend: Backend) -> None:
    assert cli(backend, "migrate").returncode == 0
    rolled = cli(backend, "rollback", "--steps", "2")
    assert rolled.returncode == 0, rolled.stderr
    assert rolled.report["rolled_back"] == [MIGRATIONS[2], MIGRATIONS[1]]
    assert rolled.report["current"] == MIGRATIONS[0]
    assert rolled.report["pending"] == MIGRATIONS[1:]
    assert applied_in_database(backend) == MIGRATIONS[:1]
    assert backend.columns("authors") == {"id", "name"}


def test_rollback_without_down_sql_explains_and_changes_nothing(backend: Backend) -> None:
    assert cli(backend, "migrate").returncode == 0
    (migration_dir(backend, MIGRATIONS[1]) / "down.sql").unlink()
    result = cli(backend, "rollback", "--steps", "2")
    assert result.returncode == 1
    report = result.report
    assert report["status"] == "failed" and report["rolled_back"] == []
    assert f"{MIGRATIONS[1]}/down.sql does not exist" in report["error"]
    assert "prisma migrate diff --from-migrations prisma/migrations" in report["error"]
    assert f"--script > prisma/migrations/{MIGRATIONS[1]}/down.sql" in report["error"]
    # the newest migration has its down.sql, yet nothing ran: all of them or none
    assert "$ prisma db execute" not in result.stderr
    assert applied_in_database(backend) == MIGRATIONS and has_email_index(backend)


def test_failing_migration_reports_what_really_committed(backend: Backend) -> None:
    broken = migration_dir(backend, BROKEN)
    broken.mkdir()
    (broken / "migration.sql").write_text(BROKEN_SQL)
    result = cli(backend, "migrate")
    assert result.returncode == 1
    report = result.report
    assert report["status"] == "failed"
    assert f"in migration {BROKEN}" in report["error"]
    assert "no_such_table" in report["error"]
    # Prisma commits migration by migration: the three before the broken one are applied
    assert report["applied"] == applied_in_database(backend) == MIGRATIONS
    assert report["current"] == MIGRATIONS[-1] and report["pending"] == [BROKEN]
    assert "Traceback" not in result.stderr
    # Prisma now refuses every deploy (P3009): status must say so, never plain success
    status = cli(backend, "status")
    assert (status.returncode, status.report["status"]) == (1, "failed")
    assert [(p["kind"], p["migration"]) for p in status.report["problems"]] == [
        ("missing-down", BROKEN),  # info: it has no down.sql
        ("failed-record", BROKEN),
    ]


def test_database_url_from_environment(backend: Backend) -> None:
    env = {**PRISMA_ENV, "DATABASE_URL": backend.url}
    result = run_cli("migrate", "--json", cwd=backend.project, env=env)
    assert result.returncode == 0, result.stderr
    assert result.report["applied"] == MIGRATIONS
    assert backend.password
    result.assert_no_secret(backend.password)


def test_missing_prisma_is_a_usage_error(backend: Backend) -> None:
    unlink_tools(backend.project)
    result = cli(backend, "migrate", env={"PATH": path_without("prisma")})
    assert result.returncode == 2
    assert "npm install --save-dev prisma" in result.stderr
    assert result.stdout == "" and "$ prisma" not in result.stderr
    assert backend.tables() == set()


def test_hard_coded_datasource_url_is_a_usage_error(backend: Backend) -> None:
    schema = backend.project / "prisma" / "schema.prisma"
    schema.write_text(
        schema.read_text().replace('env("DATABASE_URL")', '"postgresql://app@db/app"')
    )
    result = cli(backend, "migrate")
    assert result.returncode == 2
    assert 'url = env("DATABASE_URL")' in result.stderr and "$ prisma" not in result.stderr
    assert backend.tables() == set()


def test_detect_lists_the_evidence(tmp_path: Path) -> None:
    project = node_project("prisma", tmp_path)
    result = run_cli("detect", "--json", "--project-dir", str(project))
    assert result.returncode == 0, result.stderr
    assert result.report == {
        "projects": [
            {
                "ecosystem": "prisma",
                "path": ".",
                "evidence": ["prisma.config.ts", "prisma/schema.prisma"],
            }
        ]
    }


def test_detect_a_schema_named_in_package_json(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "schema.prisma").write_text('datasource db {\n  provider = "sqlite"\n}\n')
    (tmp_path / "package.json").write_text('{"prisma": {"schema": "db/schema.prisma"}}')
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "package.json").write_text('{"name": "api", "prisma": {}}')
    result = run_cli("detect", "--json", "--project-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.report == {
        "projects": [{"ecosystem": "prisma", "path": ".", "evidence": ["package.json"]}]
    }
