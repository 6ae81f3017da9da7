"""A source's statements as PostgreSQL parses them: parse-tree nodes and byte ranges, in batches.

The JSON tree is decoded a batch of statements at a time, when the engine reaches it, and each
batch is dropped once linted: a 10,000-statement file never holds its whole tree in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any, NamedTuple

from . import pgparse
from .model import Node


class Batch(NamedTuple):
    """Consecutive statements: their nodes ({"Kind": {fields}}) and UTF-8 byte ranges."""

    nodes: list[Node]
    starts: list[int]
    ends: list[int]


class Parsed:
    """One source, parsed: its UTF-8 bytes, statement batches and syntax errors."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.several = False  # more than one statement
        self.batches: Iterable[Batch] = ()  # read once
        self.errors: list[tuple[int, str]] = []  # (byte offset, parser message)


def parse(text: str) -> Parsed:
    """Every statement of `text`; on a syntax error, every statement that does parse."""
    parsed = Parsed(text.encode("utf-8"))
    try:
        document = pgparse.parse_json(text)
    except pgparse.SqlSyntaxError:
        batch = _parse_each(text, parsed)
        parsed.several, parsed.batches = len(batch.nodes) > 1, [batch]
        return parsed
    parsed.several = pgparse.several_statements(document)
    size = len(parsed.data)
    parsed.batches = (_batch(items, 0, size) for items in pgparse.statement_batches(document))
    return parsed


def each(batches: Iterable[Batch]) -> Iterator[tuple[Node, int, int]]:
    """(node, start, end) of every statement, in order."""
    return chain.from_iterable(zip(b.nodes, b.starts, b.ends, strict=True) for b in batches)


def joined(batches: Iterable[Batch]) -> Batch:
    """All the batches as one (when something needs every statement's range up front)."""
    whole = Batch([], [], [])
    for batch in batches:
        _extend(whole, batch)
    return whole


def _batch(items: list[dict[str, Any]], start: int, stop: int) -> Batch:
    """Statements parsed from data[start:stop] (their offsets count from `start`)."""
    starts = [start + item.get("stmt_location", 0) for item in items]
    ends = [
        first + length if (length := item.get("stmt_len", 0)) else stop
        for first, item in zip(starts, items, strict=True)
    ]
    return Batch([item["stmt"] for item in items], starts, ends)


def _parse_each(text: str, parsed: Parsed) -> Batch:
    """Split at top-level semicolons with the scanner, parse piece by piece."""
    batch = Batch([], [], [])
    try:
        pieces = list(_pieces(text))
    except pgparse.SqlSyntaxError as error:  # the scanner itself failed (unterminated quote)
        parsed.errors.append((_byte_offset(text, error.index), _message(error)))
        return batch
    for start, end in pieces:
        piece = text[start:end]
        base = _byte_offset(text, start)
        try:
            document = pgparse.parse_json(piece)
        except pgparse.SqlSyntaxError as error:
            parsed.errors.append((base + _byte_offset(piece, error.index), _message(error)))
            continue
        items = json.loads(document).get("stmts", [])
        _extend(batch, _batch(items, base, base + len(piece.encode())))
    return batch


def _extend(batch: Batch, more: Batch) -> None:
    batch.nodes.extend(more.nodes)
    batch.starts.extend(more.starts)
    batch.ends.extend(more.ends)


def _pieces(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for token in pgparse.scan(text):
        if token.name == "ASCII_59":  # ';'
            yield start, token.end + 1
            start = token.end + 1
    if text[start:].strip():
        yield start, len(text)


def _message(error: pgparse.SqlSyntaxError) -> str:
    return f"PostgreSQL cannot parse this: {error.message}"


def _byte_offset(text: str, index: int) -> int:
    return len(text[: max(index, 0)].encode())
