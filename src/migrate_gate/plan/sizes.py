"""The target database's answers a plan needs: its version and the size of each table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..dburl import DatabaseUrl
from .model import Size

_SIZE = (
    "SELECT pg_total_relation_size(c.oid), c.reltuples::bigint FROM pg_class c "
    "WHERE c.oid = to_regclass(%s)"
)

_EXISTS = "SELECT count(*) FROM pg_class WHERE relname = ANY(%s) AND relkind IN ('r', 'p')"


class Target:
    """One read-only connection to the target, opened on first use."""

    def __init__(self, database: DatabaseUrl) -> None:
        self.database = database
        self._connection: Any = None

    def _connect(self) -> Any:
        if self._connection is None:
            from ..db import connect_postgresql

            self._connection = connect_postgresql(self.database)
        return self._connection

    def major(self) -> int:
        """The server's PostgreSQL major version (15 for 15.4)."""
        number = self._connect().execute("SHOW server_version_num").fetchone()[0]
        return int(number) // 10000

    def sizes(self, tables: Iterable[str]) -> dict[str, Size]:
        """Each existing table's total size and row estimate (tables not there are left out)."""
        found: dict[str, Size] = {}
        connection = self._connect()
        for table in tables:
            try:
                row = connection.execute(_SIZE, (table,)).fetchone()
            except Exception:  # a name PostgreSQL cannot read as a relation: no size to show
                continue
            if row is not None and row[0] is not None:
                found[table] = Size(int(row[0]), int(row[1]))
        return found

    def has_any(self, tables: Iterable[str]) -> bool:
        """Whether a table of one of these names exists, in any schema."""
        row = self._connect().execute(_EXISTS, (list(tables),)).fetchone()
        return bool(row and row[0])

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
