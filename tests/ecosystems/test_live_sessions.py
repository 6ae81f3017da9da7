"""Each tool's sessions get --lock-timeout and migrate-gate's tag: a real blocking transaction
makes the tool's ALTER fail fast on its lock timeout, the blocker is named, no session is left.

PGOPTIONS and PGAPPNAME reach psycopg (Django; Alembic in tests/test_sessions.py), Ruby pg
(Rails), node-postgres (Knex, Prisma's adapter) and pgx (goose) alike."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from helpers import PgDatabase, copy_project, pg_rows, run_cli
from node_projects import PRISMA_ENV, node_project
from toolchains import installed_goose, locked_rails_app

ALTER = "ALTER TABLE app.hot ADD COLUMN x int"


def goose_project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    project = copy_project("goose", tmp_path)
    (project / "migrations" / "00004_alter_hot.sql").write_text(
        f"-- +goose Up\n{ALTER};\n\n-- +goose Down\nALTER TABLE app.hot DROP COLUMN x;\n"
    )
    path = f"{installed_goose().parent}{os.pathsep}{os.environ['PATH']}"
    return project, {"PATH": path}


def knex_project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    project = node_project("knex", tmp_path)
    (project / "migrations" / "20240104000000_alter_hot.js").write_text(
        f'exports.up = (knex) => knex.raw("{ALTER}");\n'
        'exports.down = (knex) => knex.raw("ALTER TABLE app.hot DROP COLUMN x");\n'
    )
    return project, {}


def prisma_project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    project = node_project("prisma", tmp_path)
    folder = project / "prisma" / "migrations" / "20240104000000_alter_hot"
    folder.mkdir()
    (folder / "migration.sql").write_text(f"{ALTER};\n")
    return project, dict(PRISMA_ENV)


def rails_project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    project = locked_rails_app(tmp_path / "rails")
    (project / "db" / "migrate" / "20240101000400_alter_hot.rb").write_text(
        "class AlterHot < ActiveRecord::Migration[6.1]\n"
        f'  def up\n    execute "{ALTER}"\n  end\n'
        '  def down\n    execute "ALTER TABLE app.hot DROP COLUMN x"\n  end\nend\n'
    )
    return project, {}


def django_project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    project = copy_project("django", tmp_path)
    (project / "shop" / "migrations" / "0002_alter_hot.py").write_text(
        "from django.db import migrations\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        f'    operations = [migrations.RunSQL("{ALTER}", "ALTER TABLE app.hot DROP COLUMN x")]\n'
    )
    return project, {}


def tool_sessions_after(url: str, *, seconds: float) -> list[tuple[object, ...]]:
    """The tool's sessions still there `seconds` after it exited (a backend whose client
    has gone notices within milliseconds)."""
    sql = "SELECT pid, state, query FROM pg_stat_activity WHERE application_name LIKE %s"
    sql += " AND datname = current_database()"  # other tests' runs are not this one's
    deadline = time.monotonic() + seconds
    while (left := pg_rows(url, sql, ("migrate-gate % tool %",))) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_knex_durations_come_from_knex_migrations_and_single_runs(
    tmp_path: Path, pg_database: PgDatabase
) -> None:
    """Knex prints nothing per migration: migrate reads migration_time, rollback times the
    `migrate:down <name>` run."""
    project = node_project("knex", tmp_path)
    slow = project / "migrations" / "20240104000000_slow.js"
    slow.write_text(
        'exports.up = (knex) => knex.raw("SELECT pg_sleep(1.2)");\n'
        'exports.down = (knex) => knex.raw("SELECT pg_sleep(1.2)");\n'
    )
    url = pg_database.url
    migrated = run_cli(
        "migrate", "--json", "--warn-slower-than", "1", "--database-url", url, cwd=project
    )
    assert migrated.returncode == 0, migrated.stderr
    report = migrated.report
    assert [d["id"] for d in report["durations"]] == report["applied"] and len(
        report["applied"]
    ) == 4
    *fast, last = report["durations"]
    assert last["seconds"] >= 1.2 and last["slow"] is True
    assert all(d["slow"] is False for d in fast[1:])  # the first includes Knex's start-up
    assert f"warning: {last['id']} took" in migrated.stderr
    rolled = run_cli("rollback", "--json", "--database-url", url, cwd=project)
    assert rolled.returncode == 0, rolled.stderr
    [reverted] = rolled.report["durations"]
    assert reverted["id"] == last["id"] and reverted["seconds"] >= 1.2


PROJECTS: dict[str, Callable[[Path], tuple[Path, dict[str, str]]]] = {
    "goose": goose_project,
    "knex": knex_project,
    "prisma": prisma_project,
    "rails": rails_project,
    "django": django_project,
}


@pytest.fixture
def blocker(pg_database: PgDatabase) -> Iterator[psycopg.Connection]:  # type: ignore[type-arg]
    """The application: an open transaction that read app.hot (outside the tools' schema)."""
    with psycopg.connect(pg_database.url, autocommit=True) as setup:
        setup.execute("CREATE SCHEMA app; CREATE TABLE app.hot (id int)")
    connection = psycopg.connect(pg_database.url, application_name="web")
    connection.execute("SELECT count(*) FROM app.hot").fetchall()
    yield connection
    connection.close()


@pytest.mark.parametrize("tool", sorted(PROJECTS))
def test_the_tool_fails_fast_on_its_lock_timeout_and_leaves_nothing(
    tool: str,
    tmp_path: Path,
    pg_database: PgDatabase,
    blocker: psycopg.Connection,  # type: ignore[type-arg]
) -> None:
    project, env = PROJECTS[tool](tmp_path)
    args = ("--lock-timeout", "2", "--lock-retries", "0", "--timeout", "40")
    result = run_cli(
        "migrate", "--json", *args, "--database-url", pg_database.url, cwd=project, env=env
    )
    report = result.report
    assert result.returncode == 1, result.stderr
    assert "timed out" not in report["error"]  # the tool's own lock_timeout ended the wait
    assert "lock timeout" in result.stderr
    assert blocker.info.backend_pid in [b["pid"] for b in report["blocked_by"]]
    assert all(b["application"] == "web" for b in report["blocked_by"])
    assert not tool_sessions_after(pg_database.url, seconds=2)
    # what committed before the blocked migration has its durations (Knex: one transaction)
    assert len(report["applied"]) == (0 if tool == "knex" else 3)
    assert [d["id"] for d in report["durations"]] == report["applied"]
    assert all(0 <= d["seconds"] <= report["duration_seconds"] for d in report["durations"])
    result.assert_no_secret(pg_database.password)


def test_rails_blocked_in_a_query_stops_at_the_timeout(
    tmp_path: Path, pg_database: PgDatabase
) -> None:
    """Ruby sees SIGTERM only when pg_sleep returns: the session is cancelled at once, so
    Rails stops within seconds instead of being killed after the 10 s grace."""
    project = locked_rails_app(tmp_path / "rails")
    (project / "db" / "migrate" / "20240101000400_sleep.rb").write_text(
        'class Sleep < ActiveRecord::Migration[6.1]\n  def up\n    execute "SELECT pg_sleep(60)"'
        "\n  end\nend\n"
    )
    url = pg_database.url
    result = run_cli("migrate", "--json", "--timeout", "8", "--database-url", url, cwd=project)
    report = result.report
    assert "timed out after 8 s" in report["error"]
    assert report["sessions_ended"] != []  # it was in the query when the time was up
    assert report["duration_seconds"] < 8 + 5  # was 8 + 10 (killed after the grace)
    assert not tool_sessions_after(url, seconds=2)
