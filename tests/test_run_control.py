"""Unreachable databases, timeouts and cancellation, with the real alembic CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from helpers import BIN, copy_project, run_cli

SLOW_REVISION = '''"""sleeps with a child process, so a stop must reach the whole group"""
import os, subprocess, time
from pathlib import Path
from alembic import op

revision = "4d6f8b0c2e34"
down_revision = "3c5e7a9b1d23"


def upgrade() -> None:
    child = subprocess.Popen(["sleep", "120"])
    Path("pids").write_text(f"{os.getpid()} {child.pid}")
    time.sleep(120)


def downgrade() -> None:
    pass
'''


def slow_project(tmp_path: Path) -> Path:
    project = copy_project("alembic", tmp_path)
    (project / "migrations" / "versions" / "4d6f8b0c2e34_slow.py").write_text(SLOW_REVISION)
    return project


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is not running
        return stat.read().split()[2] != "Z"


def test_unreachable_database_is_a_clear_failure(tmp_path: Path) -> None:
    project = copy_project("alembic", tmp_path)
    started = time.monotonic()
    result = run_cli(
        "migrate",
        "--json",
        "--timeout",
        "20",
        "--database-url",
        "postgresql://app:Unreach4ble@127.0.0.1:1/app",
        cwd=project,
    )
    assert time.monotonic() - started < 20
    assert result.returncode == 1
    report = result.report
    assert report["status"] == "failed" and report["applied"] == []
    assert "cannot connect to postgresql://app:***@127.0.0.1:1/app" in report["error"]
    result.assert_no_secret("Unreach4ble")


def test_timeout_stops_the_tool_and_fails(tmp_path: Path) -> None:
    project = slow_project(tmp_path)
    result = run_cli(
        "migrate", "--json", "--timeout", "4", "--database-url", "sqlite:///app.db", cwd=project
    )
    assert result.returncode == 1
    report = result.report
    assert report["status"] == "failed" and "timed out after 4 s" in report["error"]
    assert report["applied"] == ["1f3a5c7e9b01", "2b4d6f8a0c12", "3c5e7a9b1d23"]
    pids = [int(p) for p in (project / "pids").read_text().split()]
    assert not any(alive(pid) for pid in pids)


def test_sigterm_cancels_the_whole_process_group(tmp_path: Path) -> None:
    project = slow_project(tmp_path)
    process = subprocess.Popen(
        [str(BIN / "migrate-gate"), "migrate", "--json", "--database-url", "sqlite:///app.db"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"},
    )
    deadline = time.monotonic() + 60
    while not (project / "pids").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (project / "pids").exists(), "the slow revision never started"
    process.send_signal(signal.SIGTERM)
    stdout, _ = process.communicate(timeout=30)
    assert process.returncode == 130
    import json

    report = json.loads(stdout)
    assert report["status"] == "cancelled"
    assert report["applied"] == ["1f3a5c7e9b01", "2b4d6f8a0c12", "3c5e7a9b1d23"]
    pids = [int(p) for p in (project / "pids").read_text().split()]
    assert not any(alive(pid) for pid in pids)
