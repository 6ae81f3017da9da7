"""SQL written for another database: skipped, with the reason, instead of 'syntax errors'.

goose projects often keep one folder of migrations per dialect (postgres/, mysql/, sqlite/).
A file is another dialect's when a folder on its path is named after that database, or when
PostgreSQL cannot parse it and it uses syntax only that database has.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_FOLDERS = {
    "mysql": "MySQL", "mariadb": "MariaDB", "sqlite": "SQLite", "sqlite3": "SQLite",
    "mssql": "SQL Server", "sqlserver": "SQL Server", "clickhouse": "ClickHouse",
    "oracle": "Oracle", "tidb": "TiDB", "duckdb": "DuckDB", "turso": "SQLite",
    "libsql": "SQLite", "vertica": "Vertica", "ydb": "YDB", "spanner": "Spanner",
}  # fmt: skip
_MARKERS = (
    (re.compile(r"`\w+`"), "MySQL", "backquoted names"),
    (re.compile(r"\bAUTO_INCREMENT\b", re.I), "MySQL", "AUTO_INCREMENT"),
    (re.compile(r"\)\s*ENGINE\s*=", re.I), "MySQL", "ENGINE="),
    (re.compile(r"\bAUTOINCREMENT\b", re.I), "SQLite", "AUTOINCREMENT"),
    (re.compile(r"\bPRAGMA\s+\w+", re.I), "SQLite", "PRAGMA"),
    (re.compile(r"^\s*GO\s*$|\bNVARCHAR\s*\(\s*MAX\s*\)", re.I | re.M), "SQL Server", "GO"),
)


class Skipped(NamedTuple):
    """A source lint did not read, and why."""

    file: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"file": self.file, "reason": self.reason}


def by_path(path: str) -> str | None:
    """'MySQL (folder mysql/)' when a folder on the path names another database."""
    folders = [part for part in path.split("/") if part not in ("", ".")][:-1]  # PurePath's
    for part in folders:
        name = _FOLDERS.get(part.lower())
        if name:
            return f"{name} (folder {part}/)"
    return None


def by_text(text: str) -> str | None:
    """For SQL PostgreSQL cannot parse: 'MySQL (AUTO_INCREMENT)' when another dialect's
    syntax explains it."""
    for pattern, name, what in _MARKERS:
        if pattern.search(text):
            return f"{name} ({what})"
    return None
