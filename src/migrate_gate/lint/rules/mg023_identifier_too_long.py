"""MG023 identifier-too-long: a name longer than 63 bytes.

PostgreSQL silently truncates identifiers to 63 bytes (NAMEDATALEN - 1): the object gets a
name the code and later migrations do not use, and two long names with the same first 63
bytes collide.

Anti-pattern:

    CREATE INDEX orders_customer_id_created_at_status_shipping_country_region_idx
        ON orders (customer_id, created_at, status, shipping_country, region);

Fix:

    CREATE INDEX orders_customer_created_status_idx
        ON orders (customer_id, created_at, status, shipping_country, region);
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Hit, Rule, Statement
from ..state import State

LIMIT = 63
_LONG = re.compile(rb"[\w$\x80-\xff]{64,}|\"[^\"]{64,}\"")  # bytes: UTF-8 names count
_NAMES = ("relname", "colname", "idxname", "conname", "newname", "indexname", "schemaname")


def check(statement: Statement, state: State) -> Iterator[Hit]:
    text = state.text()
    if not _LONG.search(text):  # a C scan of the text: nearly every statement stops here
        return
    # the parser has already cut long names to 63 bytes: find what the SQL really says
    for cut in sorted(set(_long_names(statement.node))):
        written = re.search(re.escape(cut.encode()) + rb"[\w$]+", text)
        if written:
            name = written.group().decode("utf-8", "replace")
            yield Hit(
                f"{name!r} is {len(written.group())} bytes: PostgreSQL truncates it to {cut!r}",
                f"use a name of at most {LIMIT} bytes",
            )


def _long_names(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _NAMES and isinstance(value, str):
                if len(value.encode()) == LIMIT:
                    yield value
            elif isinstance(value, dict | list):
                yield from _long_names(value)
    elif isinstance(node, list):
        for item in node:
            yield from _long_names(item)


RULE = Rule(
    id="MG023",
    name="identifier-too-long",
    summary="identifier longer than 63 bytes (PostgreSQL truncates it)",
    severity="warning",
    kinds=("CreateStmt", "IndexStmt", "AlterTableStmt", "RenameStmt", "ViewStmt"),
    check=check,
    doc=__doc__ or "",
)
