"""Bad input: one line, exit 2, no traceback, and nothing run or written."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import BIN, copy_project, run_cli

from migrate_gate import __version__


def assert_usage_error(result_stderr: str, returncode: int, *needles: str) -> None:
    assert returncode == 2
    lines = result_stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in result_stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize("command", ["detect", "status", "migrate", "rollback"])
def test_version_and_help_on_every_command(command: str) -> None:
    version = run_cli(command, "--version")
    assert (version.returncode, version.stdout.strip()) == (0, f"migrate-gate {__version__}")
    assert run_cli(command, "--help").returncode == 0
    assert run_cli("--version").stdout.strip() == f"migrate-gate {__version__}"


def test_version_first_starts_no_command() -> None:
    """`migrate-gate --version` (a cold start users and the bench time) imports no command's
    modules: the parser is built without subcommands, yet still prints the version."""
    probe = (
        "import sys\nfrom migrate_gate.cli import main\ntry:\n    main(['--version'])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('migrate_gate.')))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[0] == f"migrate-gate {__version__}"
    loaded = done.stdout.splitlines()[1]
    assert loaded == "['migrate_gate.cli', 'migrate_gate.errors', 'migrate_gate.masking']", loaded


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["explode"], "invalid choice"),
        (["migrate", "--ecosystem", "flyway"], "unknown ecosystem 'flyway'"),
        (["migrate", "--database-url", "notaurl"], "malformed"),
        (["migrate", "--database-url", "postgresql://u:p@/nodb"], "host"),
        (["migrate", "--database-url", "sqlite://"], "SQLite URL needs a file"),
        (["rollback", "--steps", "0"], "--steps"),
        (["migrate", "--timeout", "-1"], "--timeout"),
        (["migrate", "--project-dir", "/does/not/exist"], "does not exist"),
        (["migrate"], "no database given"),
    ],
)
def test_usage_errors(tmp_path: Path, args: list[str], needle: str) -> None:
    project = copy_project("alembic", tmp_path)
    result = run_cli(*args, cwd=project)
    assert_usage_error(result.stderr, result.returncode, needle)
    assert result.stdout == ""
    assert not (project / "app.db").exists()


def test_nothing_detected(tmp_path: Path) -> None:
    result = run_cli("migrate", "--database-url", "sqlite:///app.db", cwd=tmp_path)
    assert_usage_error(result.stderr, result.returncode, "no migration project found")


def test_two_ecosystems_in_one_folder_is_ambiguous(tmp_path: Path) -> None:
    project = copy_project("alembic", tmp_path)
    for item in (copy_project("django", tmp_path / "d")).iterdir():
        shutil.move(str(item), project)
    result = run_cli("migrate", "--database-url", "sqlite:///app.db", cwd=project)
    assert_usage_error(
        result.stderr, result.returncode, "alembic (alembic.ini", "django (manage.py"
    )
    assert not (project / "app.db").exists()
    chosen = run_cli(
        "migrate", "--ecosystem", "django", "--database-url", "sqlite:///app.db", cwd=project
    )
    assert chosen.returncode == 0, chosen.stderr
    assert "blog_post" in (project / "app.db").read_bytes().decode("latin-1")


def test_tool_not_installed(tmp_path: Path) -> None:
    """(Alembic would be found: it is migrate-gate's own dependency, see test_layouts.py.)"""
    project = copy_project("knex", tmp_path)
    env = {"PATH": "/usr/bin:/bin"}  # the console script is run by absolute path
    result = run_cli("migrate", "--database-url", "sqlite:///app.db", cwd=project, env=env)
    assert_usage_error(result.stderr, result.returncode, "knex is not installed", "npm install")
    assert not (project / "app.db").exists()


def test_password_in_a_bad_url_is_not_echoed(tmp_path: Path) -> None:
    project = copy_project("alembic", tmp_path)
    result = run_cli(
        "migrate", "--database-url", "postgresql://u:S3cretPw@host:notaport/db", cwd=project
    )
    assert result.returncode == 2 and "S3cretPw" not in result.stderr


def test_console_script_is_installed() -> None:
    assert (BIN / "migrate-gate").exists() and (BIN / "migrate-gate-action").exists()
