"""Shared test helpers: run the real CLI, look into real databases, hunt for leaked secrets."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import psycopg

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "projects"
EXAMPLES = REPO / "examples"
BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get(
    "MIGRATE_GATE_TEST_PG_URL",
    "postgresql://migrate_gate_test:migrate-gate-test@127.0.0.1:5432/postgres",
)


class CliResult(NamedTuple):
    returncode: int
    stdout: str
    stderr: str

    @property
    def report(self) -> dict[str, Any]:
        return json.loads(self.stdout)  # type: ignore[no-any-return]

    def assert_no_secret(self, secret: str) -> None:
        for name, text in (("stdout", self.stdout), ("stderr", self.stderr)):
            assert secret not in text, f"password leaked into {name}"


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 240
) -> CliResult:
    """Run the installed `migrate-gate` console script as a user would."""
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    environment.pop("DATABASE_URL", None)  # only what the test gives
    environment.update(env or {})
    done = subprocess.run(
        [str(BIN / "migrate-gate"), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


def copy_project(name: str, destination: Path) -> Path:
    """A fresh copy of a fixture (tests/fixtures/projects/NAME) or example (examples/NAME)."""
    source = FIXTURES / name if (FIXTURES / name).is_dir() else EXAMPLES / name
    target = destination / name
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def pg_rows(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as connection:
        return list(connection.execute(sql, params).fetchall())  # type: ignore[arg-type]


def pg_tables(url: str) -> set[str]:
    rows = pg_rows(url, "select tablename from pg_tables where schemaname = 'public'")
    return {row[0] for row in rows}


def pg_columns(url: str, table: str) -> set[str]:
    rows = pg_rows(
        url,
        "select column_name from information_schema.columns where table_name = %s",
        (table,),
    )
    return {row[0] for row in rows}


def sqlite_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.execute(sql).fetchall())
    finally:
        connection.close()


def sqlite_tables(path: Path) -> set[str]:
    rows = sqlite_rows(path, "select name from sqlite_master where type = 'table'")
    return {row[0] for row in rows if not row[0].startswith("sqlite_")}


def sqlite_columns(path: Path, table: str) -> set[str]:
    return {row[1] for row in sqlite_rows(path, f"pragma table_info({table})")}


class PgDatabase:
    """A throwaway database: `url` (with the password), `password`, `name`."""

    def __init__(self, admin: psycopg.Connection) -> None:  # type: ignore[type-arg]
        token = secrets.token_hex(6)
        self.name = f"mg_{token}"
        self.password = f"Pw{secrets.token_hex(12)}"
        admin.execute(f"create role {self.name} login createdb password '{self.password}'")
        admin.execute(f"create database {self.name} owner {self.name}")
        host = urlsplit(ADMIN_URL)
        address = f"{host.hostname}:{host.port or 5432}"
        self.url = f"postgresql://{self.name}:{self.password}@{address}/{self.name}"

    def drop(self, admin: psycopg.Connection) -> None:  # type: ignore[type-arg]
        admin.execute(f"drop database if exists {self.name} with (force)")
        admin.execute(f"drop role if exists {self.name}")
