"""Database URL parsing, the forms each tool gets, and redaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate_gate.dburl import parse
from migrate_gate.errors import UsageError
from migrate_gate.masking import Masker


def test_postgresql_fields_and_redaction() -> None:
    url = parse("postgresql://app:p%40ss:w0rd@db.internal:6543/prod?sslmode=require")
    assert (url.kind, url.user, url.password, url.host, url.port, url.database) == (
        "postgresql",
        "app",
        "p@ss:w0rd",
        "db.internal",
        6543,
        "prod",
    )
    assert url.query == (("sslmode", "require"),)
    assert url.redacted() == "postgresql://app:***@db.internal:6543/prod"
    assert url.url() == "postgresql://app:p%40ss%3Aw0rd@db.internal:6543/prod?sslmode=require"
    assert parse(url.url()) == url


@pytest.mark.parametrize("scheme", ["postgres", "postgresql+psycopg", "POSTGRESQL"])
def test_postgresql_aliases(scheme: str) -> None:
    assert parse(f"{scheme}://u@h/d").kind == "postgresql"


def test_mysql() -> None:
    url = parse("mysql://root:pw@localhost/app")
    assert (url.kind, url.port, url.redacted()) == (
        "mysql",
        None,
        "mysql://root:***@localhost:3306/app",
    )


def test_sqlite_relative_and_absolute(tmp_path: Path) -> None:
    relative = parse("sqlite:///data/app.db")
    assert relative.sqlite_path(tmp_path) == tmp_path / "data" / "app.db"
    absolute = parse("sqlite:////var/lib/app.db")
    assert absolute.sqlite_path(tmp_path) == Path("/var/lib/app.db")
    assert absolute.url() == "sqlite:////var/lib/app.db"


@pytest.mark.parametrize(
    "raw", ["", "app.db", "ftp://h/d", "postgresql://h", "postgresql://u:p@h:99999/d", "sqlite://"]
)
def test_malformed(raw: str) -> None:
    with pytest.raises(UsageError):
        parse(raw)


def test_secrets_cover_every_spelling() -> None:
    url = parse("postgresql://u:a%2Fb%40c@h/d")
    mask = Masker(url.secrets())
    assert mask("pw a/b@c or a%2Fb%40c") == "pw *** or ***"
