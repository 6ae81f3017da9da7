"""verify with the real knex (PostgreSQL and SQLite) and Prisma (PostgreSQL, through its
WebAssembly engine here: see node_projects.PRISMA_ENV): reversible histories pass; a lossy
down fails naming its migration with the schema difference; a missing or empty down is
reported as irreversible."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from backends import Backend, make_backend
from helpers import CliResult, run_cli
from node_projects import PRISMA_ENV, node_project

KNEX = [
    "20240101000000_create_authors.js",
    "20240102000000_add_author_email.js",
    "20240103000000_index_author_email.js",
]
PRISMA = [name.removesuffix(".js") for name in KNEX]

# Its down drops the column but forgets the index its up created.
KNEX_FORGOTTEN_INDEX = """exports.up = (knex) =>
  knex.schema.alterTable("authors", (table) => {
    table.string("nickname");
    table.index(["name"], "authors_name_idx");
  });

exports.down = (knex) =>
  knex.schema.alterTable("authors", (table) => {
    table.dropColumn("nickname");
  });
"""

KNEX_EMPTY_DOWN = """exports.up = (knex) =>
  knex.schema.alterTable("authors", (table) => {
    table.integer("age");
  });

exports.down = () => {};
"""

# Its down drops the index but leaves `name` with the type its up gave it.
PRISMA_RETYPE_UP = (
    'CREATE INDEX "authors_email_idx" ON "authors"("email");\n'
    'ALTER TABLE "authors" ALTER COLUMN "name" TYPE VARCHAR(200);\n'
)


def verify(backend: Backend, env: dict[str, str] | None = None) -> CliResult:
    result = run_cli(
        "verify", "--json", "--database-url", backend.url, cwd=backend.project, env=env
    )
    if backend.password:
        result.assert_no_secret(backend.password)
    return result


def indexes(backend: Backend) -> set[str]:
    if backend.kind == "sqlite":
        sql = "select name from sqlite_master where type = 'index' and tbl_name = 'authors'"
    else:
        sql = "select indexname from pg_indexes where tablename = 'authors'"
    return {row[0] for row in backend.rows(sql)}


def project_files(project: Path) -> dict[str, bytes]:
    """Every file of the project (its node_modules link aside) and its content."""
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in project.rglob("*")
        if path.is_file() and path.relative_to(project).parts[0] != "node_modules"
    }


@pytest.fixture
def knex(request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path) -> Backend:
    return make_backend(request, backend_kind, node_project("knex", tmp_path))


@pytest.fixture
def prisma(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    return make_backend(request, "postgresql", node_project("prisma", tmp_path))


def test_reversible_knex_history_passes(knex: Backend) -> None:
    result = verify(knex)
    assert result.returncode == 0, result.stderr
    report = result.report
    assert report["status"] == "success" and report["ecosystem"] == "knex"
    assert [c["migration"] for c in report["checks"]] == list(reversed(KNEX))
    assert {c["result"] for c in report["checks"]} == {"passed"}
    assert report["applied"] == KNEX and report["pending"] == []
    # one migration at a time, by name, then all of them again
    ups = [line for line in result.stderr.splitlines() if line.startswith("$ knex migrate:up")]
    assert ups == [f"$ knex migrate:up {name}" for name in KNEX]
    assert "email" in knex.columns("authors") and "authors_email_idx" in indexes(knex)


def test_knex_down_that_forgets_an_index_fails_naming_it(knex: Backend) -> None:
    lossy = "20240104000000_nickname.js"
    (knex.project / "migrations" / lossy).write_text(KNEX_FORGOTTEN_INDEX)
    result = verify(knex)
    assert result.returncode == 1
    report = result.report
    assert report["status"] == "failed" and report["error"].startswith(f"{lossy}:")
    assert len(report["checks"]) == 1
    failed = report["checks"][0]
    assert (failed["migration"], failed["result"]) == (lossy, "failed")
    assert len(failed["diff"]) == 1
    assert failed["diff"][0].startswith("+ index authors.authors_name_idx (")


def test_knex_empty_down_is_irreversible(knex: Backend) -> None:
    empty = "20240104000000_age.js"
    (knex.project / "migrations" / empty).write_text(KNEX_EMPTY_DOWN)
    result = verify(knex)
    assert result.returncode == 1
    failed = result.report["checks"][0]
    assert (failed["migration"], failed["result"]) == (empty, "irreversible")
    assert failed["message"] == "its down changed nothing"
    assert failed["diff"] == ["+ column authors.age (integer null)"]


def test_reversible_prisma_history_passes(prisma: Backend) -> None:
    """With the migrations moved where the project's config says (`migrations.path`)."""
    (prisma.project / "prisma" / "migrations").rename(prisma.project / "db")
    config = prisma.project / "prisma.config.ts"
    setting = '  schema: "prisma/schema.prisma",\n'
    assert setting in config.read_text()
    config.write_text(
        config.read_text().replace(setting, f'{setting}  migrations: {{ path: "db" }},\n')
    )
    result = verify(prisma, PRISMA_ENV)
    assert result.returncode == 0, result.stderr
    report = result.report
    assert report["status"] == "success" and report["ecosystem"] == "prisma"
    assert [c["migration"] for c in report["checks"]] == list(reversed(PRISMA))
    assert {c["result"] for c in report["checks"]} == {"passed"}
    assert report["applied"] == PRISMA and report["pending"] == []
    steps = [f"$ prisma migrate deploy (up to {name})" for name in PRISMA]
    assert [line for line in result.stderr.splitlines() if "(up to " in line] == steps
    assert "email" in prisma.columns("authors") and "authors_email_idx" in indexes(prisma)


def test_prisma_down_that_forgets_a_type_fails_naming_it(prisma: Backend) -> None:
    migrations = prisma.project / "prisma" / "migrations"
    (migrations / PRISMA[2] / "migration.sql").write_text(PRISMA_RETYPE_UP)
    files = project_files(prisma.project)
    result = verify(prisma, PRISMA_ENV)
    assert result.returncode == 1
    report = result.report
    assert report["status"] == "failed" and report["error"].startswith(f"{PRISMA[2]}:")
    failed = report["checks"][0]
    assert (failed["migration"], failed["result"]) == (PRISMA[2], "failed")
    assert failed["diff"] == [
        "~ column authors.name: text not null -> character varying(200) not null"
    ]
    # What the one-at-a-time deploys recorded is what a plain deploy records: the checksum
    # of each migration.sql, so later plain deploys accept these rows.
    rows = prisma.rows("select migration_name, checksum from _prisma_migrations order by 1")
    expected = [
        (name, hashlib.sha256((migrations / name / "migration.sql").read_bytes()).hexdigest())
        for name in PRISMA[:2]
    ]
    assert rows == expected
    assert project_files(prisma.project) == files  # its copies lived in a temporary folder


def test_prisma_migration_without_down_sql_is_irreversible(prisma: Backend) -> None:
    (prisma.project / "prisma" / "migrations" / PRISMA[2] / "down.sql").unlink()
    result = verify(prisma, PRISMA_ENV)
    assert result.returncode == 1
    failed = result.report["checks"][0]
    assert (failed["migration"], failed["result"]) == (PRISMA[2], "irreversible")
    assert f"{PRISMA[2]}/down.sql does not exist" in failed["message"]
    # known before any up: nothing was applied to find it out
    assert result.report["applied"] == [] and len(result.report["checks"]) == 1
    assert "_prisma_migrations" not in prisma.tables()
