"""Issue 15's bad input, each through the real console script: one line, exit 2, nothing run
(no database file written, no tool started)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import copy_project, run_cli
from test_cli_errors import assert_usage_error

VERSIONS = Path("migrations/versions")
BOOKS = VERSIONS / "2b4d6f8a0c12_create_books.py"


def _ini(text: bytes) -> Callable[[Path], None]:
    return lambda project: (project / "alembic.ini").write_bytes(text)


def _append(path: Path, text: bytes) -> Callable[[Path], None]:
    def change(project: Path) -> None:
        with open(project / path, "ab") as handle:
            handle.write(text)

    return change


def _zero_link(project: Path) -> None:
    (project / VERSIONS / "4d_zero.py").symlink_to("/dev/zero")


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (_ini(b"[alembic]\nscript_location = migrations\n# caf\xe9\n"), "is not UTF-8"),
        (_ini(b"script_location = migrations\n"), "no section headers"),
        (_ini(b"[alembic]\nscript_location = migrations\nscript_location = m\n"), "already exists"),
        (_append(BOOKS, b"\ndef (:\n"), "is not valid Python"),
        (_append(BOOKS, b"\nTITLE = 'caf\xe9'\n"), "is not valid Python"),
        (_zero_link, "is not a regular file"),
    ],
    ids=["ini-latin1", "ini-no-section", "ini-duplicate", "syntax", "latin1-string", "dev-zero"],
)
def test_broken_alembic_project(
    tmp_path: Path, change: Callable[[Path], None], needle: str
) -> None:
    project = copy_project("alembic", tmp_path)
    change(project)
    result = run_cli("migrate", "--database-url", "sqlite:///app.db", cwd=project, timeout=60)
    assert_usage_error(result.stderr, result.returncode, needle)
    assert "$ alembic" not in result.stderr
    assert not (project / "app.db").exists()


def test_latin1_comment_is_fine_as_it_is_for_python(tmp_path: Path) -> None:
    """Python reads a stray Latin-1 byte in a comment; so does migrate-gate (Alembic ran)."""
    project = copy_project("alembic", tmp_path)
    _append(BOOKS, b"\n# caf\xe9\n")(project)
    result = run_cli("migrate", "--database-url", "sqlite:///app.db", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "app.db").exists()


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("postgresql://u:SecretPw99@127.0.0.1:5432/db?foo=bar", "parameter 'foo' is unknown"),
        ("postgresql://u:SecretPw99@127.0.0.1:5432/db?sslmode=bogus", "sslmode must be one of"),
        ("mysql://u:SecretPw99@127.0.0.1:3306/db", "not mysql"),
        ("", "--database-url is empty"),
        ("postgresql://u:SecretPw99@" + "h" * 300 + "/db", "host name is too long"),
    ],
)
@pytest.mark.parametrize("command", ["status", "migrate"])
def test_bad_urls_stop_before_the_tool(tmp_path: Path, url: str, needle: str, command: str) -> None:
    project = copy_project("alembic", tmp_path)
    env = {"DATABASE_URL": "sqlite:///fallback.db"}  # an empty flag must not fall back to it
    result = run_cli(command, "--database-url", url, cwd=project, env=env)
    assert_usage_error(result.stderr, result.returncode, needle)
    result.assert_no_secret("SecretPw99")
    assert not (project / "fallback.db").exists()


def test_prisma_parameters_stay_accepted(tmp_path: Path) -> None:
    """`?schema=` and friends are Prisma's, not libpq's: accepted, never given to psycopg."""
    from migrate_gate.dburl import parse

    url = parse("postgresql://u:p@h/db?schema=app&connection_limit=5&sslmode=require")
    assert url.libpq_options() == {"sslmode": "require"}


@pytest.mark.parametrize(
    "make",
    [
        lambda folder: folder.symlink_to(folder),
        lambda folder: None,
    ],
    ids=["symlink-to-itself", "too-long"],
)
def test_unusable_project_folder(tmp_path: Path, make: Callable[[Path], None]) -> None:
    folder = tmp_path / "loop"
    make(folder)
    path = str(folder) if os.path.islink(folder) else "x/" * 3000
    for command in (["detect"], ["status", "--database-url", "sqlite:///app.db"]):
        result = run_cli(*command, "--project-dir", path, cwd=tmp_path)
        assert_usage_error(result.stderr, result.returncode, "cannot be used")
        assert len(result.stderr) < 400  # the long path is shortened, not echoed whole


@pytest.mark.parametrize("command", ["rollback", "verify", "check", "lint", "plan"])
def test_empty_database_url_never_falls_back(tmp_path: Path, command: str) -> None:
    project = copy_project("alembic", tmp_path)
    env = {"DATABASE_URL": "sqlite:///fallback.db"}
    result = run_cli(command, "--database-url", "", cwd=project, env=env)
    assert_usage_error(result.stderr, result.returncode, "--database-url is empty")
    assert not (project / "fallback.db").exists()


def test_a_socket_not_named_like_a_tools_file_is_left_alone(tmp_path: Path) -> None:
    """A database's own socket in the checkout is nobody's business; /dev/zero as env.py is."""
    import socket

    project = copy_project("alembic", tmp_path)
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(project / ".s.PGSQL.5432"))
        result = run_cli("migrate", "--database-url", "sqlite:///app.db", cwd=project)
    assert result.returncode == 0, result.stderr


def test_linting_given_files_ignores_special_files_elsewhere(tmp_path: Path) -> None:
    """`lint FILE` starts no tool, so /dev/zero linked as a migration elsewhere in the folder is
    not refused (it was: linting from /tmp failed on another program's FIFO); linting the
    project itself, which may run the tool on a scratch database, still refuses it."""
    project = copy_project("alembic", tmp_path)
    _zero_link(project)
    given = project / "given.sql"
    given.write_text("ALTER TABLE books ADD COLUMN note text;\n", encoding="utf-8")
    linted = run_cli("lint", "--fail-on", "error", str(given), cwd=project, timeout=60)
    assert linted.returncode == 0, linted.stderr
    assert "in 1 file(s)" in linted.stdout + linted.stderr
    whole = run_cli("lint", cwd=project, timeout=60)
    assert_usage_error(whole.stderr, whole.returncode, "is not a regular file")
