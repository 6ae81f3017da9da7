"""`backend`: each ecosystem test runs once on PostgreSQL and once on SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest
from backends import Backend


@pytest.fixture(params=["postgresql", "sqlite"])
def backend_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def make_backend(request: pytest.FixtureRequest, kind: str, project: Path) -> Backend:
    """A Backend for `project`: a fresh PostgreSQL database or project/app.db."""
    if kind == "sqlite":
        return Backend("sqlite", "sqlite:///app.db", project)
    database = request.getfixturevalue("pg_database")
    return Backend("postgresql", database.url, project, database.password)
