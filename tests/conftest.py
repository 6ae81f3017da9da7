"""Fixtures: a real PostgreSQL database per test, owned by a throwaway role whose random
password the tests then hunt for in every output."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from helpers import ADMIN_URL, PgDatabase


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[psycopg.Connection]:  # type: ignore[type-arg]
    """The test server's superuser connection; a missing server fails the run, never skips."""
    try:
        connection = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL for the tests is not reachable ({error}); run `make setup`")
    yield connection
    connection.close()


@pytest.fixture
def pg_database(pg_admin: psycopg.Connection) -> Iterator[PgDatabase]:  # type: ignore[type-arg]
    database = PgDatabase(pg_admin)
    yield database
    database.drop(pg_admin)


@pytest.fixture
def pg_url(pg_database: PgDatabase) -> str:
    """postgresql:// URL of an empty database owned by a role with a random password."""
    return pg_database.url


@pytest.fixture
def sqlite_url() -> str:
    """A SQLite URL relative to the project folder (the file is project/app.db)."""
    return "sqlite:///app.db"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture(params=["postgresql", "sqlite"])
def backend_kind(request: pytest.FixtureRequest) -> str:
    """Each test using it runs once on PostgreSQL and once on SQLite."""
    return str(request.param)
