"""The two databases every ecosystem is tested on, behind one small interface."""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from helpers import pg_columns, pg_rows, pg_tables, sqlite_columns, sqlite_rows, sqlite_tables


@dataclass
class Backend:
    """A database a test project migrates: its URL and ways to look inside it."""

    kind: str  # "postgresql" | "sqlite"
    url: str
    project: Path
    password: str | None = None

    @property
    def sqlite_file(self) -> Path:
        return self.project / self.url.removeprefix("sqlite:///")

    def tables(self) -> set[str]:
        if self.kind == "sqlite":
            return sqlite_tables(self.sqlite_file) if self.sqlite_file.exists() else set()
        return pg_tables(self.url)

    def columns(self, table: str) -> set[str]:
        if self.kind == "sqlite":
            return sqlite_columns(self.sqlite_file, table)
        return pg_columns(self.url, table)

    def execute(self, sql: str) -> None:
        """Run one statement that returns no rows, committed (test data the tools must keep)."""
        if self.kind == "sqlite":
            with contextlib.closing(sqlite3.connect(self.sqlite_file)) as connection:
                connection.execute(sql)
                connection.commit()
            return
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(sql)  # type: ignore[arg-type]

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.kind == "sqlite":
            return sqlite_rows(self.sqlite_file, sql)
        return pg_rows(self.url, sql)


def make_backend(request: pytest.FixtureRequest, kind: str, project: Path) -> Backend:
    """A Backend for `project`: a fresh PostgreSQL database or project/app.db."""
    if kind == "sqlite":
        return Backend("sqlite", "sqlite:///app.db", project)
    database = request.getfixturevalue("pg_database")
    return Backend("postgresql", database.url, project, database.password)
