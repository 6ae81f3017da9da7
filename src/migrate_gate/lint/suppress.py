"""`-- migrate-gate: ignore <rule> [...]` comments: which statement each one silences.

A comment inside a statement, or after it on its last line, applies to that statement;
a comment on its own line applies to the next statement. Comments are found with
PostgreSQL's scanner (so the marker inside a string literal does not count), and only
in the stretch of the file around each marker, which keeps clean files free of cost.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence

from . import pgparse
from .rules import resolve

MARKER = "migrate-gate:"
_MARKER_BYTES = MARKER.encode()
_COMMENTS = {"SQL_COMMENT", "C_COMMENT"}
ALL = "*"

Suppressions = dict[int, set[str]]  # statement index -> rule ids ("*" = every rule)


def collect(data: bytes, starts: Sequence[int], ends: Sequence[int]) -> Suppressions:
    """Suppressions in `data` (UTF-8 SQL) for statements spanning [starts[i], ends[i])."""
    found: Suppressions = {}
    if _MARKER_BYTES not in data or not starts:
        return found
    for chunk in sorted({max(bisect_right(starts, p) - 1, 0) for p in _markers(data)}):
        for offset, text in _comments(data, starts, chunk):
            rules = parse_comment(text)
            if rules:
                target = _target(data, starts, ends, chunk, offset)
                found.setdefault(target, set()).update(rules)
    return found


def parse_comment(text: str) -> set[str]:
    """Rule ids named by one comment: `migrate-gate: ignore MG001, rename -- why`."""
    _, _, rest = text.partition(MARKER)
    words = rest.replace(",", " ").split()
    if not words or words[0].lower() != "ignore":
        return set()
    rules: set[str] = set()
    for word in words[1:]:
        if word.startswith("--") or word.startswith("*/"):
            break  # the reason follows
        if word.lower() == "all":
            rules.add(ALL)
        elif (rule := resolve(word)) is not None:
            rules.add(rule.id)
    return rules


def _markers(data: bytes) -> Iterator[int]:
    position = data.find(_MARKER_BYTES)
    while position >= 0:
        yield position
        position = data.find(_MARKER_BYTES, position + 1)


def _comments(data: bytes, starts: Sequence[int], chunk: int) -> Iterator[tuple[int, str]]:
    """(byte offset, text) of marker comments between statement `chunk` and the next."""
    begin = 0 if chunk == 0 else starts[chunk]
    end = starts[chunk + 1] if chunk + 1 < len(starts) else len(data)
    text = data[begin:end].decode("utf-8", errors="replace")
    for token in pgparse.scan(text):
        comment = text[token.start : token.end + 1]
        if token.name in _COMMENTS and MARKER in comment:
            yield begin + len(text[: token.start].encode()), comment


def _target(data: bytes, starts: Sequence[int], ends: Sequence[int], chunk: int, at: int) -> int:
    if at < starts[chunk] or at < ends[chunk]:
        return chunk  # above the first statement, or inside this one
    same_line = b"\n" not in data[ends[chunk] : at]
    if same_line or chunk + 1 == len(starts):
        return chunk  # trailing comment on the statement's last line
    return chunk + 1
