"""One migrate-gate run per database: real migrate processes contending for a real lock."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from helpers import BIN, PgDatabase, copy_project, pg_rows, run_cli
from toolchains import installed_goose

from migrate_gate.locking import KEY

ALEMBIC_IDS = ["1f3a5c7e9b01", "2b4d6f8a0c12", "3c5e7a9b1d23"]
RUNS = 8

CONCURRENT_INDEX = '''"""an index built concurrently, outside any transaction"""
from alembic import op

revision = "4d6f8b0c2e34"
down_revision = "3c5e7a9b1d23"


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY books_title_idx ON books (title)")


def downgrade() -> None:
    op.execute("DROP INDEX books_title_idx")
'''


@pytest.fixture
def holder(pg_url: str) -> Iterator[psycopg.Connection]:  # type: ignore[type-arg]
    """A session holding migrate-gate's lock on the database, as another run would."""
    connection = psycopg.connect(pg_url, autocommit=True, application_name="other run")
    sql = (
        "SELECT pg_try_advisory_lock(%s, %s) /* migrate-gate migrate shop https://ci.example/j/7 */"
    )
    assert connection.execute(sql, KEY).fetchone() == (True,)
    yield connection
    connection.close()


def start_migrate(project: Path, url: str, *extra: str, path: str = "") -> subprocess.Popen[str]:
    env = {**os.environ, "PATH": f"{path}{BIN}{os.pathsep}{os.environ['PATH']}"}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [str(BIN / "migrate-gate"), "migrate", "--json", "--database-url", url, *extra],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def waiting_runs(url: str) -> int:
    sql = "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE %s"
    sql += " AND datname = current_database()"
    return int(pg_rows(url, sql, ("migrate-gate migrate%",))[0][0])


# The other tools' figures: bench/contention.py (too slow for every test run)
CONCURRENT = {
    "alembic": (ALEMBIC_IDS, "SELECT version_num FROM alembic_version"),
    "goose": (["1", "2", "3"], "SELECT max(version_id)::text FROM goose_db_version"),
}


@pytest.mark.parametrize("tool", sorted(CONCURRENT))
def test_concurrent_migrates_apply_each_migration_once(
    tool: str,
    tmp_path: Path,
    pg_url: str,
    holder: psycopg.Connection,  # type: ignore[type-arg]
) -> None:
    """All runs start while the lock is held, so all of them contend when it is released."""
    ids, newest_sql = CONCURRENT[tool]
    project = copy_project(tool, tmp_path)
    path = f"{installed_goose().parent}{os.pathsep}" if tool == "goose" else ""
    runs = [start_migrate(project, pg_url, "--timeout", "120", path=path) for _ in range(RUNS)]
    deadline = time.monotonic() + 60
    while waiting_runs(pg_url) < RUNS and time.monotonic() < deadline:
        time.sleep(0.2)
    assert waiting_runs(pg_url) == RUNS, "not every run reached the lock"
    holder.close()
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0] * RUNS, [err for _, err in outputs]
    reports = [json.loads(stdout) for stdout, _ in outputs]
    claimed = [m for report in reports for m in report["applied"]]
    assert sorted(claimed) == sorted(ids)  # each migration claimed exactly once
    assert sum(bool(report["applied"]) for report in reports) == 1
    assert all(report["lock"]["waited_seconds"] > 0 for report in reports)
    assert all((r["current"], r["pending"]) == (ids[-1], []) for r in reports)
    assert pg_rows(pg_url, newest_sql) == [(ids[-1],)]


def test_a_held_lock_fails_after_lock_wait_naming_its_holder(
    tmp_path: Path,
    pg_url: str,
    holder: psycopg.Connection,  # type: ignore[type-arg]
) -> None:
    project = copy_project("alembic", tmp_path)
    pid = holder.info.backend_pid
    result = run_cli("migrate", "--json", "--lock-wait", "1", "--database-url", pg_url, cwd=project)
    assert result.returncode == 1, result.stderr
    report = result.report
    assert report["status"] == "failed" and report["applied"] == []
    assert f"pid {pid} (migrate-gate migrate shop https://ci.example/j/7" in report["error"]
    assert "--lock-wait" in report["error"]
    assert report["lock"]["holder"]["pid"] == pid
    assert report["lock"]["holder"]["application"] == "other run"
    assert "waiting for the lock on postgresql://" in result.stderr
    assert f"held by pid {pid}" in result.stderr
    tables = pg_rows(pg_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    assert tables == []  # nothing ran


def test_rollback_and_verify_wait_for_the_lock_too(
    tmp_path: Path,
    pg_url: str,
    holder: psycopg.Connection,  # type: ignore[type-arg]
    pg_admin: psycopg.Connection,  # type: ignore[type-arg]
) -> None:
    project = copy_project("alembic", tmp_path)
    rollback = run_cli(
        "rollback", "--json", "--lock-wait", "0.5", "--database-url", pg_url, cwd=project
    )
    assert rollback.returncode == 1 and "holds the migrate-gate lock" in rollback.report["error"]
    scratch = PgDatabase(pg_admin)
    try:
        other = psycopg.connect(scratch.url, autocommit=True)
        other.execute("SELECT pg_advisory_lock(%s, %s)", KEY)
        verify = run_cli(
            "verify", "--json", "--lock-wait", "0.5", "--database-url", scratch.url, cwd=project
        )
        other.close()
        assert verify.returncode == 1 and "holds the migrate-gate lock" in verify.report["error"]
        assert verify.report["checks"] == []
    finally:
        scratch.drop(pg_admin)


def test_the_lock_is_per_database_and_released_at_the_end(
    tmp_path: Path,
    pg_url: str,
    holder: psycopg.Connection,  # type: ignore[type-arg]
    pg_admin: psycopg.Connection,  # type: ignore[type-arg]
) -> None:
    """Another database on the same server is not blocked; a finished run leaves no lock."""
    project = copy_project("alembic", tmp_path)
    other = PgDatabase(pg_admin)
    try:
        result = run_cli(
            "migrate", "--json", "--lock-wait", "1", "--database-url", other.url, cwd=project
        )
        assert result.returncode == 0, result.stderr
        lock = result.report["lock"]
        assert lock["kind"] == "advisory" and lock["holder"] is None  # taken at the first try
        held = pg_rows(
            other.url,
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
            " WHERE l.locktype = 'advisory' AND d.datname = current_database()",
        )
        assert held == [(0,)]
    finally:
        other.drop(pg_admin)


def test_create_index_concurrently_does_not_wait_on_the_lock(tmp_path: Path, pg_url: str) -> None:
    """CONCURRENTLY waits for every transaction that could see the table: the lock's
    session must not be one of them, or this migration would hang until --timeout."""
    project = copy_project("alembic", tmp_path)
    versions = project / "migrations" / "versions"
    (versions / "4d6f8b0c2e34_index_concurrently.py").write_text(CONCURRENT_INDEX)
    result = run_cli("migrate", "--json", "--timeout", "60", "--database-url", pg_url, cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.report["applied"][-1] == "4d6f8b0c2e34"
    valid = pg_rows(
        pg_url,
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'books_title_idx'::regclass",
    )
    assert valid == [(True,)]
    durations = result.report["durations"]
    assert [d["id"] for d in durations] == [*ALEMBIC_IDS, "4d6f8b0c2e34"]
    rolled = run_cli("rollback", "--json", "--database-url", pg_url, cwd=project)
    assert rolled.returncode == 0, rolled.stderr
    assert [d["id"] for d in rolled.report["durations"]] == ["4d6f8b0c2e34"]


def test_sqlite_runs_lock_a_file_beside_the_database(tmp_path: Path) -> None:
    project = copy_project("alembic", tmp_path)
    lock_file = project / "app.db.migrate-gate.lock"
    with open(lock_file, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write("4242 migrate-gate migrate elsewhere\n")
        handle.flush()
        busy = run_cli(
            "migrate",
            "--json",
            "--lock-wait",
            "0.5",
            "--database-url",
            "sqlite:///app.db",
            cwd=project,
        )
    assert busy.returncode == 1
    assert "pid 4242 (migrate-gate migrate elsewhere" in busy.report["error"]
    assert not (project / "app.db").exists()  # nothing ran
    done = run_cli("migrate", "--json", "--database-url", "sqlite:///app.db", cwd=project)
    assert done.returncode == 0, done.stderr
    assert done.report["applied"] == ALEMBIC_IDS
    assert done.report["lock"]["kind"] == "file"


LOCK_KILLER = '''"""ends migrate-gate's lock session, as a DBA or an idle timeout might"""
from alembic import op

revision = "4d6f8b0c2e34"
down_revision = "3c5e7a9b1d23"


def upgrade() -> None:
    op.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE application_name LIKE 'migrate-gate migrate alembic%'"
    )


def downgrade() -> None:
    pass
'''


def test_a_lock_lost_during_the_run_is_reported(tmp_path: Path, pg_url: str) -> None:
    project = copy_project("alembic", tmp_path)
    (project / "migrations" / "versions" / "4d6f8b0c2e34_kill.py").write_text(LOCK_KILLER)
    result = run_cli("migrate", "--json", "--database-url", pg_url, cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.report["lock"]["lost"] is True
    assert "warning: the lock's session on postgresql://" in result.stderr
