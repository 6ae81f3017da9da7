"""A live database: a blocking transaction from another session, lock timeouts and retries,
and no session of the tool left behind after --timeout or SIGTERM (real Alembic, real server)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from helpers import BIN, copy_project, pg_rows, run_cli

ALEMBIC_IDS = ["1f3a5c7e9b01", "2b4d6f8a0c12", "3c5e7a9b1d23"]
HOT = "4d6f8b0c2e34"

REVISION = '''"""{doc}"""
from alembic import op

revision = "4d6f8b0c2e34"
down_revision = "3c5e7a9b1d23"


def upgrade() -> None:
    op.execute("{sql}")


def downgrade() -> None:
    pass
'''
SLEEPING_REVISION = REVISION.format(doc="runs on in PostgreSQL", sql="SELECT pg_sleep(60)")


def tool_sessions(url: str) -> list[tuple[int, str]]:
    sql = "SELECT pid, state FROM pg_stat_activity WHERE application_name LIKE %s"
    sql += " AND datname = current_database()"  # other tests' runs are not this one's
    return [(row[0], row[1]) for row in pg_rows(url, sql, ("migrate-gate % tool %",))]


@pytest.fixture
def hot_project(tmp_path: Path) -> Path:
    """The Alembic example plus a revision that alters app.hot (ACCESS EXCLUSIVE)."""
    project = copy_project("alembic", tmp_path)
    hot = REVISION.format(doc="alter a table in use", sql="ALTER TABLE app.hot ADD COLUMN x int")
    (project / "migrations" / "versions" / f"{HOT}_hot.py").write_text(hot)
    return project


@pytest.fixture
def blocker(pg_url: str) -> Iterator[psycopg.Connection]:  # type: ignore[type-arg]
    """The application: a transaction that read app.hot and stays open (idle in transaction)."""
    with psycopg.connect(pg_url, autocommit=True) as setup:
        setup.execute("CREATE SCHEMA app; CREATE TABLE app.hot (id int)")
    connection = psycopg.connect(pg_url, application_name="web")
    connection.execute("SELECT count(*) FROM app.hot").fetchall()
    yield connection
    connection.close()


def test_a_lock_timeout_fails_fast_naming_the_blocker(
    hot_project: Path,
    pg_url: str,
    blocker: psycopg.Connection,  # type: ignore[type-arg]
) -> None:
    pid = blocker.info.backend_pid
    args = ("--lock-timeout", "2.5", "--lock-retries", "0", "--timeout", "60")
    result = run_cli("migrate", "--json", *args, "--database-url", pg_url, cwd=hot_project)
    assert result.returncode == 1, result.stderr
    report = result.report
    assert "lock timeout" in report["error"] and report["applied"] == []
    assert [a["attempt"] for a in report["attempts"]] == [1]
    [named] = report["blocked_by"]
    assert (named["pid"], named["application"]) == (pid, "web")
    assert named["state"] == "idle in transaction" and named["relation"] == "app.hot"
    assert named["query"] == "SELECT count(*) FROM app.hot" and named["seconds"] >= 1
    line = f"for a lock on app.hot held by pid {pid} (app 'web', idle in transaction"
    assert line in result.stderr
    assert tool_sessions(pg_url) == []  # no ALTER left queued behind the blocker


def test_lock_timeouts_are_retried_until_the_blocker_ends(
    hot_project: Path,
    pg_url: str,
    blocker: psycopg.Connection,  # type: ignore[type-arg]
) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env.pop("DATABASE_URL", None)
    args = ["--lock-timeout", "1", "--lock-retries", "5", "--timeout", "90"]
    run = subprocess.Popen(
        [str(BIN / "migrate-gate"), "migrate", "--json", *args, "--database-url", pg_url],
        cwd=hot_project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert run.stderr is not None
    log: list[str] = []
    for line in run.stderr:  # the blocker ends once the first attempt has failed
        log.append(line)
        if "lock timeout; attempt 2 of 6" in line:
            blocker.commit()
            break
    drain = threading.Thread(target=lambda: log.extend(run.stderr or []), daemon=True)
    drain.start()
    stdout, _ = run.communicate(timeout=90)
    assert run.returncode == 0, "".join(log)
    report = json.loads(stdout)
    assert report["applied"] == [*ALEMBIC_IDS, HOT]
    attempts = report["attempts"]
    assert len(attempts) >= 2 and "lock timeout" in attempts[0]["error"]
    assert attempts[-1]["error"] is None
    assert [d["id"] for d in report["durations"]] == report["applied"]


def test_no_retry_without_a_lock_timeout(tmp_path: Path, pg_url: str) -> None:
    """A failure that is not a lock timeout runs once."""
    project = copy_project("alembic", tmp_path)
    broken = REVISION.format(doc="fails", sql="SELECT * FROM no_such_table")
    (project / "migrations" / "versions" / f"{HOT}_broken.py").write_text(broken)
    result = run_cli(
        "migrate", "--json", "--lock-retries", "3", "--database-url", pg_url, cwd=project
    )
    assert result.returncode == 1
    assert [a["attempt"] for a in result.report["attempts"]] == [1]


def sleeping(tmp_path: Path) -> Path:
    project = copy_project("alembic", tmp_path)
    (project / "migrations" / "versions" / "4d6f8b0c2e34_sleep.py").write_text(SLEEPING_REVISION)
    return project


def test_timeout_ends_the_statement_the_tool_left_running(tmp_path: Path, pg_url: str) -> None:
    project = sleeping(tmp_path)
    result = run_cli("migrate", "--json", "--timeout", "5", "--database-url", pg_url, cwd=project)
    assert result.returncode == 1 and "timed out after 5 s" in result.report["error"]
    assert result.report["sessions_ended"] != []
    assert tool_sessions(pg_url) == []  # pg_sleep(60) does not run on
    assert result.report["applied"] == []  # one transaction: nothing committed


def test_sigterm_ends_the_tools_sessions(tmp_path: Path, pg_url: str) -> None:
    project = sleeping(tmp_path)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env.pop("DATABASE_URL", None)
    run = subprocess.Popen(
        [str(BIN / "migrate-gate"), "migrate", "--json", "--database-url", pg_url],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not any(state == "active" for _, state in tool_sessions(pg_url)):
        assert time.monotonic() < deadline and run.poll() is None, "pg_sleep never started"
        time.sleep(0.2)
    running = [pid for pid, _ in tool_sessions(pg_url)]
    run.send_signal(signal.SIGTERM)
    stdout, stderr = run.communicate(timeout=60)
    assert run.returncode == 130, stderr
    report = json.loads(stdout)
    assert report["status"] == "cancelled"
    assert set(running) <= set(report["sessions_ended"])
    assert tool_sessions(pg_url) == []


@pytest.fixture
def locked_bookkeeping(pg_url: str) -> Iterator[psycopg.Connection]:  # type: ignore[type-arg]
    """Another session holds alembic_version in ACCESS EXCLUSIVE mode: every read waits."""
    connection = psycopg.connect(pg_url)
    connection.execute("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)")
    connection.commit()
    connection.execute("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE")
    yield connection
    connection.close()


@pytest.mark.parametrize("command", ["status", "migrate"])
def test_reads_of_a_locked_table_honour_timeout(
    command: str,
    tmp_path: Path,
    pg_url: str,
    locked_bookkeeping: psycopg.Connection,  # type: ignore[type-arg]
) -> None:
    """The read waits on the lock; statement_timeout (what is left of --timeout) ends it."""
    project = copy_project("alembic", tmp_path)
    result = run_cli(
        command, "--json", "--timeout", "3", "--database-url", pg_url, cwd=project, timeout=25
    )
    assert result.returncode == 1, result.stderr
    assert result.report["status"] == "failed"
    assert "timed out" in result.report["error"]
    assert "unexpected error" not in result.stderr


def test_sigterm_during_a_blocked_read_is_a_cancelled_report(
    tmp_path: Path,
    pg_url: str,
    locked_bookkeeping: psycopg.Connection,  # type: ignore[type-arg]
) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env.pop("DATABASE_URL", None)
    run = subprocess.Popen(
        [str(BIN / "migrate-gate"), "status", "--json", "--database-url", pg_url],
        cwd=copy_project("alembic", tmp_path),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sql = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'migrate-gate'"
    sql += " AND wait_event_type = 'Lock' AND datname = current_database()"
    deadline = time.monotonic() + 30
    while pg_rows(pg_url, sql) != [(1,)]:
        assert time.monotonic() < deadline and run.poll() is None, "the read never waited"
        time.sleep(0.1)
    run.send_signal(signal.SIGTERM)
    stdout, stderr = run.communicate(timeout=20)
    assert run.returncode == 130, stderr
    assert json.loads(stdout)["status"] == "cancelled"


def test_a_server_that_never_answers_is_bounded_by_timeout(tmp_path: Path) -> None:
    """It accepts the connection and says nothing: connect_timeout follows --timeout."""
    project = copy_project("alembic", tmp_path)
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        url = f"postgresql://app:Silent5erver@127.0.0.1:{port}/app"
        result = run_cli(
            "status", "--json", "--timeout", "2", "--database-url", url, cwd=project, timeout=8
        )
    assert result.returncode == 1
    assert "cannot connect" in result.report["error"] or "timed out" in result.report["error"]
    result.assert_no_secret("Silent5erver")
