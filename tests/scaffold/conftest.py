"""A second throwaway database, for pipelines that migrate two environments."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import pytest
from helpers import ADMIN_URL


@pytest.fixture
def second_pg_url(pg_admin: psycopg.Connection) -> Iterator[str]:  # type: ignore[type-arg]
    """Like pg_url: an empty database owned by a role with a random password."""
    name = f"mg_{secrets.token_hex(6)}"
    password = f"Pw{secrets.token_hex(12)}"
    pg_admin.execute(f"create role {name} login password '{password}'")
    pg_admin.execute(f"create database {name} owner {name}")
    host = urlsplit(ADMIN_URL)
    yield f"postgresql://{name}:{password}@{host.hostname}:{host.port or 5432}/{name}"
    pg_admin.execute(f"drop database if exists {name} with (force)")
    pg_admin.execute(f"drop role if exists {name}")
