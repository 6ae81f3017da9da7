"""goose end to end: the pinned goose (scripts/setup/goose.sh) on real PostgreSQL and SQLite."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from backends import Backend, make_backend
from helpers import BIN, CliResult, copy_project, run_cli
from toolchains import goose_binary, installed_goose

from migrate_gate.dburl import parse
from migrate_gate.ecosystems import goose
from migrate_gate.ecosystems.base import Context, MigrationState
from migrate_gate.errors import MigrationFailed
from migrate_gate.masking import Masker
from migrate_gate.runner import Runner

VERSIONS = ["1", "2", "3"]

FAILING_MIGRATION = """-- +goose Up
CREATE TABLE reviews (id INTEGER PRIMARY KEY);
INSERT INTO no_such_table VALUES (1);

-- +goose Down
DROP TABLE reviews;
"""


@pytest.fixture(scope="module")
def goose_dir() -> Path:
    """The folder holding goose; a missing goose fails the tests (CI must have it), never skips."""
    return installed_goose().parent


@pytest.fixture
def backend(request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path) -> Backend:
    return make_backend(request, backend_kind, copy_project("goose", tmp_path))


def cli(backend: Backend, goose_dir: Path, *args: str, path: str | None = None) -> CliResult:
    """migrate-gate with goose found on PATH, as a user who ran `go install` has it."""
    search = path if path is not None else f"{goose_dir}{os.pathsep}{os.environ['PATH']}"
    env = {"PATH": search, goose.BINARY_ENV: ""}
    result = run_cli(*args, "--json", "--database-url", backend.url, cwd=backend.project, env=env)
    if backend.password:
        result.assert_no_secret(backend.password)
    return result


def recorded(backend: Backend) -> list[str]:
    """goose_db_version's applied versions in the order goose applied them."""
    if "goose_db_version" not in backend.tables():
        return []
    rows = backend.rows("select version_id from goose_db_version where version_id > 0 order by id")
    return [str(row[0]) for row in rows]


def indexes(backend: Backend) -> set[str]:
    sql = (
        "select name from sqlite_master where type = 'index'"
        if backend.kind == "sqlite"
        else "select indexname from pg_indexes where schemaname = 'public'"
    )
    return {row[0] for row in backend.rows(sql)}


def test_migrate_status_rollback_migrate(backend: Backend, goose_dir: Path) -> None:
    migrated = cli(backend, goose_dir, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    report = migrated.report
    assert report["tool"] == "migrate-gate" and report["command"] == "migrate"
    assert report["ecosystem"] == "goose" and report["status"] == "success"
    assert report["applied"] == VERSIONS and report["rolled_back"] == []
    assert report["current"] == "3" and report["pending"] == []
    assert report["error"] is None and report["duration_seconds"] > 0
    assert report["project_dir"] == str(backend.project)
    assert recorded(backend) == VERSIONS
    assert {"authors", "books"} <= backend.tables() and "books_title_idx" in indexes(backend)
    assert "OK   00003_index_books_title.sql" in migrated.stderr  # goose's own output streams

    status = cli(backend, goose_dir, "status").report
    assert (status["status"], status["current"], status["pending"]) == ("success", "3", [])
    assert (status["applied"], status["rolled_back"]) == ([], [])

    rolled = cli(backend, goose_dir, "rollback")
    assert rolled.returncode == 0, rolled.stderr
    assert rolled.report["rolled_back"] == ["3"] and rolled.report["applied"] == []
    assert (rolled.report["current"], rolled.report["pending"]) == ("2", ["3"])
    assert recorded(backend) == ["1", "2"] and "books_title_idx" not in indexes(backend)

    status = cli(backend, goose_dir, "status").report
    assert (status["current"], status["pending"]) == ("2", ["3"])

    again = cli(backend, goose_dir, "migrate").report
    assert again["applied"] == ["3"] and again["current"] == "3" and again["pending"] == []
    assert recorded(backend) == VERSIONS and "books_title_idx" in indexes(backend)


def test_rollback_steps_reverts_exactly_n_newest_first(backend: Backend, goose_dir: Path) -> None:
    assert cli(backend, goose_dir, "migrate").returncode == 0
    rolled = cli(backend, goose_dir, "rollback", "--steps", "2").report
    assert rolled["rolled_back"] == ["3", "2"] and rolled["current"] == "1"
    assert rolled["pending"] == ["2", "3"]
    assert recorded(backend) == ["1"]
    assert "authors" in backend.tables() and "books" not in backend.tables()


def test_rollback_more_than_applied_fails_without_change(backend: Backend, goose_dir: Path) -> None:
    assert cli(backend, goose_dir, "migrate").returncode == 0
    result = cli(backend, goose_dir, "rollback", "--steps", "5")
    assert result.returncode == 1 and result.report["status"] == "failed"
    assert "only 3 applied" in result.report["error"]
    assert result.report["rolled_back"] == [] and result.report["current"] == "3"
    assert recorded(backend) == VERSIONS


def test_failing_migration_reports_what_really_committed(backend: Backend, goose_dir: Path) -> None:
    (backend.project / "migrations" / "00004_broken.sql").write_text(FAILING_MIGRATION)
    result = cli(backend, goose_dir, "migrate")
    assert result.returncode == 1
    report = result.report
    assert report["status"] == "failed"
    assert "00004_broken.sql" in report["error"] and "no_such_table" in report["error"]
    # goose commits each migration in its own transaction: 1-3 stay, 4 rolled back whole
    assert recorded(backend) == VERSIONS and "reviews" not in backend.tables()
    assert report["applied"] == VERSIONS and report["current"] == "3"
    assert report["pending"] == ["4"]


def test_goose_missing_is_a_usage_error(backend: Backend, goose_dir: Path) -> None:
    result = cli(backend, goose_dir, "migrate", path=str(BIN))
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "goose is not installed" in lines[0]
    assert "go install github.com/pressly/goose/v3/cmd/goose" in lines[0]
    assert backend.tables() == set()  # nothing ran


def test_goose_binary_from_environment(backend: Backend, goose_dir: Path) -> None:
    env = {"PATH": str(BIN), goose.BINARY_ENV: str(goose_binary())}
    result = run_cli(
        "migrate", "--json", "--database-url", backend.url, cwd=backend.project, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.report["applied"] == VERSIONS and recorded(backend) == VERSIONS


def test_wrong_password_fails_without_leaking_it(
    pg_url: str, tmp_path: Path, goose_dir: Path
) -> None:
    wrong = f"Wrong{secrets.token_hex(8)}"
    user, _, rest = pg_url.removeprefix("postgresql://").partition(":")
    url = f"postgresql://{user}:{wrong}@{rest.partition('@')[2]}"
    backend = Backend("postgresql", url, copy_project("goose", tmp_path), wrong)
    result = cli(backend, goose_dir, "migrate")  # checks every output for the password
    assert result.returncode == 1 and result.report["status"] == "failed"
    assert "password authentication failed" in result.report["error"]


def test_migrate_up_to_a_target(
    backend: Backend, goose_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The protocol's `target` (no CLI flag yet), called in-process on the real goose."""
    monkeypatch.setenv(goose.BINARY_ENV, str(goose_binary()))
    runner = Runner(masker=Masker(parse(backend.url).secrets()))
    ctx = Context(project_dir=backend.project, database=parse(backend.url), runner=runner)
    goose.migrate(ctx, target="2")
    assert recorded(backend) == ["1", "2"]
    assert goose.read_state(ctx) == MigrationState(applied=["1", "2"], pending=["3"])
    with pytest.raises(MigrationFailed, match="numbers"):
        goose.migrate(ctx, target="head")


# Detection: the real CLI on temporary trees.


def detected(root: Path, env: dict[str, str] | None = None) -> list[dict[str, object]]:
    result = run_cli("detect", "--json", "--project-dir", str(root), env=env)
    assert result.returncode == 0, result.stderr
    return list(result.report["projects"])


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_detects_annotated_sql_and_go_migrations_once(tmp_path: Path) -> None:
    service = tmp_path / "services" / "api"
    write(service / "db" / "migrations" / "00001_init.sql", "-- +goose Up\nSELECT 1;\n")
    go_migration = "func init() { goose.AddMigrationContext(up, down) }\n"
    write(service / "db" / "migrations" / "00002_backfill.go", f"package m\n{go_migration}")
    write(service / "db" / "migrations" / "README.md", "not a migration")
    assert detected(tmp_path) == [
        {
            "ecosystem": "goose",
            "path": "services/api",  # not services/api/db as well
            "evidence": ["db/migrations/00001_init.sql", "db/migrations/00002_backfill.go"],
        }
    ]


def test_plain_sql_is_not_goose(tmp_path: Path) -> None:
    write(tmp_path / "migrations" / "00001_init.sql", "CREATE TABLE t (id int);\n")
    write(tmp_path / "migrations" / "00002_x.sql", "-- +migrate Up\nSELECT 1;\n")
    assert detected(tmp_path) == []


def test_goose_migration_dir_from_environment(tmp_path: Path) -> None:
    write(tmp_path / "schema" / "changes" / "20240101120000_init.sql", "-- +goose Up\nSELECT 1;\n")
    assert detected(tmp_path) == []
    found = detected(tmp_path, env={goose.DIR_ENV: "schema/changes"})
    assert found == [
        {"ecosystem": "goose", "path": ".", "evidence": ["schema/changes/20240101120000_init.sql"]}
    ]


GO_MIGRATION = """package migrations

import "github.com/pressly/goose/v3"

func init() { goose.AddMigration(nil, nil) }
"""


def test_go_migration_is_refused_before_anything_runs(backend: Backend, goose_dir: Path) -> None:
    """The goose CLI would apply 1-3 and stop at the Go file: a partial deploy."""
    folder = backend.project / "migrations"
    (folder / "00004_backfill.go").write_text(GO_MIGRATION)
    result = cli(backend, goose_dir, "migrate")
    report = result.report
    assert (result.returncode, report["status"], report["applied"]) == (1, "failed", [])
    assert [(p["kind"], p["migration"]) for p in report["problems"]] == [
        ("unsupported-migration", "00004_backfill.go")
    ]
    assert goose.BINARY_ENV in report["error"]
    assert recorded(backend) == []


def test_unknown_applied_is_refused_unless_allowed(backend: Backend, goose_dir: Path) -> None:
    """The database has version 3, this (older) checkout does not: rollback must not run."""
    assert cli(backend, goose_dir, "migrate").returncode == 0
    (backend.project / "migrations" / "00003_index_books_title.sql").unlink()
    refused = cli(backend, goose_dir, "rollback").report
    assert (refused["status"], refused["rolled_back"]) == ("failed", [])
    assert [(p["kind"], p["migration"]) for p in refused["problems"]] == [("unknown-applied", "3")]
    assert recorded(backend) == VERSIONS
    status = cli(backend, goose_dir, "status", "--allow-unknown-applied").report
    assert status["status"] == "success" and status["problems"][0]["kind"] == "unknown-applied"


def test_out_of_order_needs_allowing_then_rollback_reverts_the_latest_applied(
    backend: Backend, goose_dir: Path
) -> None:
    """A branch's version 2 merged after 3 deployed: goose itself refuses it (missing
    migration); allowed, it applies, and is the one a rollback reverts."""
    folder = backend.project / "migrations"
    (folder / "00003_index_books_title.sql").write_text(
        "-- +goose Up\nCREATE TABLE shelves (id integer);\n-- +goose Down\nDROP TABLE shelves;\n"
    )
    late = folder / "00002_create_books.sql"
    hidden = late.rename(backend.project / late.name)
    assert cli(backend, goose_dir, "migrate").returncode == 0
    hidden.rename(late)
    refused = cli(backend, goose_dir, "migrate").report
    assert [(p["kind"], p["migration"]) for p in refused["problems"]] == [("out-of-order", "2")]
    assert (refused["status"], refused["applied"], recorded(backend)) == ("failed", [], ["1", "3"])
    allowed = cli(backend, goose_dir, "migrate", "--allow-out-of-order").report
    assert (allowed["status"], allowed["applied"]) == ("success", ["2"]), allowed["error"]
    rolled = cli(backend, goose_dir, "rollback").report
    assert (rolled["status"], rolled["rolled_back"]) == ("success", ["2"]), rolled["error"]
    assert "books" not in backend.tables() and "shelves" in backend.tables()
