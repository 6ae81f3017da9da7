"""Rails end to end: Debian's Rails 6.1 (scripts/setup/ruby.sh) on real PostgreSQL and SQLite.

The app is the hand-written six-file Rails app in tests/fixtures/projects/rails;
its Gemfile.lock is made here by `bundle lock --local`, because it pins the exact
Debian package versions of this machine.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from backends import Backend, make_backend
from helpers import BIN, CliResult, run_cli
from toolchains import locked_rails_app

from migrate_gate.dburl import parse
from migrate_gate.ecosystems import rails
from migrate_gate.ecosystems.base import Context, MigrationState
from migrate_gate.errors import MigrationFailed
from migrate_gate.masking import Masker
from migrate_gate.runner import Runner

VERSIONS = ["20240101000100", "20240101000200", "20240101000300"]

FAILING_MIGRATION = """class CreateReviewsThenFail < ActiveRecord::Migration[6.1]
  def up
    create_table :reviews
    execute "INSERT INTO no_such_table VALUES (1)"
  end

  def down
    drop_table :reviews
  end
end
"""

# A migration written after the others ran, with a version between two applied ones.
LATE_MIGRATION = """class CreatePublishers < ActiveRecord::Migration[6.1]
  def change
    create_table :publishers
  end
end
"""


@pytest.fixture(scope="module")
def rails_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture app with its Gemfile.lock; missing Ruby or gems fail the tests, never skip."""
    return locked_rails_app(tmp_path_factory.mktemp("rails-template") / "rails")


@pytest.fixture
def backend(
    request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path, rails_app: Path
) -> Backend:
    project = tmp_path / "rails"
    shutil.copytree(rails_app, project)
    return make_backend(request, backend_kind, project)


def cli(backend: Backend, *args: str, env: dict[str, str] | None = None) -> CliResult:
    result = run_cli(*args, "--json", "--database-url", backend.url, cwd=backend.project, env=env)
    if backend.password:
        result.assert_no_secret(backend.password)
    return result


def recorded(backend: Backend) -> list[str]:
    """schema_migrations' versions, oldest first."""
    if "schema_migrations" not in backend.tables():
        return []
    return sorted(row[0] for row in backend.rows("select version from schema_migrations"))


def indexes(backend: Backend) -> set[str]:
    sql = (
        "select name from sqlite_master where type = 'index'"
        if backend.kind == "sqlite"
        else "select indexname from pg_indexes where schemaname = 'public'"
    )
    return {row[0] for row in backend.rows(sql)}


def rails_environment(backend: Backend) -> str:
    rows = backend.rows("select value from ar_internal_metadata where key = 'environment'")
    return str(rows[0][0])


def test_migrate_status_rollback_migrate(backend: Backend) -> None:
    migrated = cli(backend, "migrate", env={"RAILS_ENV": "development"})
    assert migrated.returncode == 0, migrated.stderr
    report = migrated.report
    assert report["tool"] == "migrate-gate" and report["command"] == "migrate"
    assert report["ecosystem"] == "rails" and report["status"] == "success"
    assert report["applied"] == VERSIONS and report["rolled_back"] == []
    assert report["current"] == VERSIONS[-1] and report["pending"] == []
    assert report["error"] is None and report["duration_seconds"] > 0
    assert report["project_dir"] == str(backend.project)
    assert recorded(backend) == VERSIONS
    assert {"authors", "books"} <= backend.tables()
    assert "index_books_on_title" in indexes(backend)
    assert "CreateBooks: migrated" in migrated.stderr  # Rails' own output streams
    # DATABASE_URL won over config/database.yml, which names db/development.sqlite3
    assert not (backend.project / "db" / "development.sqlite3").exists()
    assert rails_environment(backend) == "development"

    status = cli(backend, "status").report
    assert (status["status"], status["current"], status["pending"]) == ("success", VERSIONS[-1], [])
    assert (status["applied"], status["rolled_back"]) == ([], [])

    rolled = cli(backend, "rollback")
    assert rolled.returncode == 0, rolled.stderr
    assert rolled.report["rolled_back"] == [VERSIONS[-1]] and rolled.report["applied"] == []
    assert (rolled.report["current"], rolled.report["pending"]) == (VERSIONS[1], [VERSIONS[-1]])
    assert recorded(backend) == VERSIONS[:2]
    assert "index_books_on_title" not in indexes(backend)

    status = cli(backend, "status").report
    assert (status["current"], status["pending"]) == (VERSIONS[1], [VERSIONS[-1]])

    again = cli(backend, "migrate").report
    assert again["applied"] == [VERSIONS[-1]] and again["current"] == VERSIONS[-1]
    assert again["pending"] == [] and recorded(backend) == VERSIONS


def test_rollback_steps_reverts_exactly_n_newest_first(backend: Backend) -> None:
    assert cli(backend, "migrate").returncode == 0
    rolled = cli(backend, "rollback", "--steps", "2").report
    assert rolled["rolled_back"] == [VERSIONS[2], VERSIONS[1]]
    assert rolled["current"] == VERSIONS[0] and rolled["pending"] == VERSIONS[1:]
    assert recorded(backend) == VERSIONS[:1]
    assert "authors" in backend.tables() and "books" not in backend.tables()


def test_rollback_steps_count_applied_migrations_not_files(backend: Backend) -> None:
    """Rails' own STEP=2 would stop at the pending 250 and revert only 300."""
    assert cli(backend, "migrate").returncode == 0
    late = backend.project / "db" / "migrate" / "20240101000250_create_publishers.rb"
    late.write_text(LATE_MIGRATION)
    refused = cli(backend, "rollback", "--steps", "2")
    assert (refused.returncode, refused.report["rolled_back"]) == (1, [])
    assert refused.report["problems"] == [
        {
            "kind": "out-of-order",
            "migration": "20240101000250",
            "detail": refused.report["problems"][0]["detail"],
            "severity": "error",
        }
    ]
    assert recorded(backend) == VERSIONS
    rolled = cli(backend, "rollback", "--steps", "2", "--allow-out-of-order")
    assert rolled.returncode == 0, rolled.stderr
    assert rolled.report["rolled_back"] == [VERSIONS[2], VERSIONS[1]]
    assert rolled.report["current"] == VERSIONS[0]
    assert rolled.report["pending"] == [VERSIONS[1], "20240101000250", VERSIONS[2]]
    assert recorded(backend) == VERSIONS[:1]
    assert not {"books", "publishers"} & backend.tables()


def test_rollback_more_than_applied_fails_without_change(backend: Backend) -> None:
    assert cli(backend, "migrate").returncode == 0
    result = cli(backend, "rollback", "--steps", "5")
    assert result.returncode == 1 and result.report["status"] == "failed"
    assert "only 3 applied" in result.report["error"]
    assert result.report["rolled_back"] == [] and result.report["current"] == VERSIONS[-1]
    assert recorded(backend) == VERSIONS


def test_failing_migration_reports_what_really_committed(backend: Backend) -> None:
    failing = backend.project / "db" / "migrate" / "20240101000400_create_reviews_then_fail.rb"
    failing.write_text(FAILING_MIGRATION)
    result = cli(backend, "migrate")
    assert result.returncode == 1
    report = result.report
    assert report["status"] == "failed"
    assert "20240101000400" in report["error"] and "no_such_table" in report["error"]
    # Rails runs each migration in its own transaction: the first three stay, the fourth
    # (its create_table included) rolls back whole.
    assert recorded(backend) == VERSIONS and "reviews" not in backend.tables()
    assert report["applied"] == VERSIONS and report["current"] == VERSIONS[-1]
    assert report["pending"] == ["20240101000400"]


@pytest.mark.parametrize("backend_kind", ["sqlite"])  # backend-independent
def test_rails_env_passes_through(backend: Backend) -> None:
    result = cli(backend, "migrate", env={"RAILS_ENV": "production"})
    assert result.returncode == 0, result.stderr
    assert rails_environment(backend) == "production"


@pytest.mark.parametrize("backend_kind", ["sqlite"])  # backend-independent
def test_migrate_up_to_a_target_never_down(backend: Backend) -> None:
    """The protocol's `target` (no CLI flag yet), called in-process on the real bin/rails."""
    runner = Runner(masker=Masker(parse(backend.url).secrets()))
    ctx = Context(project_dir=backend.project, database=parse(backend.url), runner=runner)
    rails.migrate(ctx, target=VERSIONS[1])
    assert recorded(backend) == VERSIONS[:2]
    with pytest.raises(MigrationFailed, match="older than the current version"):
        rails.migrate(ctx, target=VERSIONS[0])
    assert rails.read_state(ctx) == MigrationState(applied=VERSIONS[:2], pending=VERSIONS[2:])


def test_ruby_missing_is_a_usage_error(backend: Backend) -> None:
    result = cli(backend, "migrate", env={"PATH": str(BIN)})
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "ruby is not installed" in lines[0]
    assert "bundle install" in lines[0]
    assert backend.tables() == set()  # nothing ran


def test_bin_rails_missing_is_a_usage_error(backend: Backend) -> None:
    (backend.project / "bin" / "rails").unlink()
    result = cli(backend, "migrate", "--ecosystem", "rails")
    assert result.returncode == 2 and result.stdout == ""
    assert "no bin/rails" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert backend.tables() == set()


def test_wrong_password_fails_without_leaking_it(
    pg_url: str, rails_app: Path, tmp_path: Path
) -> None:
    project = tmp_path / "rails"
    shutil.copytree(rails_app, project)
    wrong = f"Wrong{os.urandom(8).hex()}"
    user, _, rest = pg_url.removeprefix("postgresql://").partition(":")
    url = f"postgresql://{user}:{wrong}@{rest.partition('@')[2]}"
    result = cli(Backend("postgresql", url, project, wrong), "status")
    assert result.returncode == 1 and result.report["status"] == "failed"
    assert "password authentication failed" in result.report["error"]


def test_detect_lists_the_three_markers(tmp_path: Path, rails_app: Path) -> None:
    shutil.copytree(rails_app, tmp_path / "apps" / "shop")
    result = run_cli("detect", "--json", "--project-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.report["projects"] == [
        {
            "ecosystem": "rails",
            "path": "apps/shop",
            "evidence": ["bin/rails", "config/application.rb", "db/migrate/"],
        }
    ]


SCHEMA_MIGRATION = """class CreateSchema < ActiveRecord::Migration[6.1]
  def change
    create_table :settings
  end
end
"""


def test_version_0000_keeps_its_id_once_applied(backend: Backend) -> None:
    """Rails prints an applied 0000_x.rb as "000": the id must stay the file's "0000"."""
    (backend.project / "db" / "migrate" / "0000_create_schema.rb").write_text(SCHEMA_MIGRATION)
    pending = cli(backend, "status").report["pending"]
    assert pending == ["0000", *VERSIONS]
    migrated = cli(backend, "migrate").report
    assert (migrated["status"], migrated["applied"]) == ("success", ["0000", *VERSIONS])
    rolled = cli(backend, "rollback", "--steps", "4").report
    # Rails rolls back "to version 0", which keeps 0000 applied: it exits 0 having reverted
    # three, and the truth check says so instead of reporting success.
    assert (rolled["status"], rolled["rolled_back"]) == ("failed", list(reversed(VERSIONS)))
    assert "rollback of 4 exited 0 but the database shows" in rolled["error"]
    assert (rolled["current"], rolled["pending"]) == ("0000", VERSIONS)


def test_out_of_order_migration_is_refused_then_allowed(backend: Backend) -> None:
    """Rails would apply a pending version older than the newest applied one silently."""
    assert cli(backend, "migrate").returncode == 0
    late = backend.project / "db" / "migrate" / "20240101000250_create_publishers.rb"
    late.write_text(LATE_MIGRATION)
    status = cli(backend, "status")
    assert status.returncode == 1 and status.report["status"] == "failed"
    assert "out-of-order (20240101000250)" in status.report["error"]

    refused = cli(backend, "migrate").report
    assert (refused["status"], refused["applied"]) == ("failed", [])
    assert refused["pending"] == ["20240101000250"]
    assert recorded(backend) == VERSIONS and "publishers" not in backend.tables()

    allowed = cli(backend, "migrate", "--allow-out-of-order").report
    assert (allowed["status"], allowed["applied"]) == ("success", ["20240101000250"])
    assert [p["kind"] for p in allowed["problems"]] == ["out-of-order"]


def test_duplicate_version_is_refused(backend: Backend) -> None:
    twin = backend.project / "db" / "migrate" / "20240101000200_create_publishers.rb"
    twin.write_text(LATE_MIGRATION)
    report = cli(backend, "migrate").report
    assert (report["status"], report["applied"]) == ("failed", [])
    assert [(p["kind"], p["migration"]) for p in report["problems"]] == [
        ("duplicate-version", "20240101000200")
    ]
    assert recorded(backend) == []
