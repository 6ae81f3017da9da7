"""Parse each source with PostgreSQL's grammar and run the rules over its statements."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from . import pgparse, suppress
from .model import Finding, Hit, Node, Rule, Source, Statement
from .rules import RULES, SYNTAX_ERROR
from .state import Session, State

_EXCERPT = 120
_FIX_SYNTAX = "correct the SQL so PostgreSQL can parse it"
_ALTER = "AlterTableStmt"
_TIMEOUT_RULE = "MG009"  # reported once per file: the engine records that it was


class Options(NamedTuple):
    """What the user chose: rules to skip, destructive statements downgraded to warnings."""

    ignore: frozenset[str] = frozenset()
    allow_destructive: bool = False
    rules: Sequence[Rule] = RULES


class _Raw:
    """One source's statements as parsed: byte offsets into its UTF-8 text."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.nodes: list[Node] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.errors: list[tuple[int, str]] = []  # (byte offset, parser message)

    def add(self, node: Node, start: int, length: int) -> None:
        self.nodes.append(node)
        self.starts.append(start)
        self.ends.append(start + length if length else len(self.data))


def lint(sources: Iterable[Source], options: Options | None = None) -> list[Finding]:
    """Findings for every source, in source order then line order."""
    options = options or Options()
    dispatch = _Dispatch([rule for rule in options.rules if rule.id not in options.ignore])
    findings: list[Finding] = []
    session = Session()
    collecting = gc.isenabled()
    # Parse trees are large and acyclic: a full collection walks every node of them again and
    # again for nothing (it doubled the run time on 10,000 statements).
    gc.disable()
    try:
        for source in sources:
            session = session if source.chained else Session()
            findings.extend(_lint_source(source, session, dispatch, options))
    finally:
        if collecting:
            gc.enable()
    return findings


class _Dispatch:
    """Which rules see a statement: by node type and, for ALTER TABLE, by subcommand."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.by_kind: dict[str, list[Rule]] = {}
        for rule in rules:
            for kind in rule.kinds:
                self.by_kind.setdefault(kind, []).append(rule)
        self.alter = self.by_kind.get(_ALTER, [])
        subtypes = {subtype for rule in self.alter for subtype in rule.subtypes}
        self.by_subtype = {s: self._alter_rules({s}) for s in subtypes}
        self.generic = self._alter_rules(set())

    def rules(self, kind: str, node: Node) -> Sequence[Rule]:
        if kind != _ALTER:
            return self.by_kind.get(kind, ())
        commands = node.get("cmds", ())
        if len(commands) == 1:  # the common case, precomputed
            subtype = commands[0]["AlterTableCmd"].get("subtype")
            return self.by_subtype.get(subtype, self.generic)
        return self._alter_rules({c["AlterTableCmd"].get("subtype") for c in commands})

    def _alter_rules(self, present: set[str]) -> list[Rule]:
        return [rule for rule in self.alter if not rule.subtypes or rule.subtypes & present]


def _lint_source(
    source: Source, session: Session, dispatch: _Dispatch, options: Options
) -> list[Finding]:
    raw = parse(source.text)
    state = State(session=session, allow_destructive=options.allow_destructive)
    state.tool_transaction = source.transaction == "always" or (
        source.transaction == "multi" and len(raw.nodes) > 1
    )
    silenced = suppress.collect(raw.data, raw.starts, raw.ends)
    lines = _LineCounter(raw.data)
    found = [
        _finding(source, SYNTAX_ERROR, Hit(message, _FIX_SYNTAX), lines.at(offset), "")
        for offset, message in raw.errors
        if SYNTAX_ERROR.id not in options.ignore
    ]
    for index, wrapped in enumerate(raw.nodes):
        statement = Statement(*wrapped.popitem())  # {"Kind": {fields}}: its only item
        muted = silenced.get(index) if silenced else None
        for rule in dispatch.rules(*statement):
            if muted and (rule.id in muted or suppress.ALL in muted):
                continue
            for hit in rule.check(statement, state):
                if rule.id == _TIMEOUT_RULE:
                    state.timeout_reported = True
                start = raw.starts[index]
                text = raw.data[start : raw.ends[index]].decode("utf-8", "replace")
                found.append(_finding(source, rule, hit, lines.at(start), text))
        state.observe(statement)
    if raw.errors:
        found.sort(key=_by_line)
    return found


def _by_line(finding: Finding) -> int:
    return finding.line


def _finding(source: Source, rule: Rule, hit: Hit, line: int, text: str) -> Finding:
    message = hit.message
    if not source.sql_lines and text:
        line = 1  # generated SQL: point at the migration file, quote the statement
        excerpt = " ".join(text.split())
        message += f" (SQL: {excerpt[:_EXCERPT]}{'…' if len(excerpt) > _EXCERPT else ''})"
    return Finding(
        rule=rule.id,
        name=rule.name,
        severity=hit.severity or rule.severity,
        file=source.path,
        line=line,
        message=message,
        fix=hit.fix,
        statement=text,
    )


class _LineCounter:
    """1-based line of increasing byte offsets, counting newlines only once."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0
        self.line = 1

    def at(self, offset: int) -> int:
        if offset < self.offset:  # syntax errors come before statements: start over
            self.offset, self.line = 0, 1
        self.line += self.data.count(b"\n", self.offset, offset)
        self.offset = offset
        return self.line


def parse(text: str) -> _Raw:
    """Every statement of `text`; on a syntax error, every statement that does parse."""
    raw = _Raw(text.encode("utf-8"))
    try:
        tree = _loads(pgparse.parse_json(text))
    except pgparse.SqlSyntaxError:
        _parse_each(text, raw)
        return raw
    for item in tree.get("stmts", ()):
        raw.add(item["stmt"], item.get("stmt_location", 0), item.get("stmt_len", 0))
    return raw


def _loads(document: str) -> Node:
    collecting = gc.isenabled()
    gc.disable()  # one big acyclic allocation burst: the cycle collector only slows it down
    try:
        tree: Node = json.loads(document)
        return tree
    finally:
        if collecting:
            gc.enable()


def _parse_each(text: str, raw: _Raw) -> None:
    """Split at top-level semicolons with the scanner, parse piece by piece."""
    try:
        pieces = list(_pieces(text))
    except pgparse.SqlSyntaxError as error:  # the scanner itself failed (unterminated quote)
        raw.errors.append((_byte_offset(text, error.index), _message(error)))
        return
    for start, end in pieces:
        piece = text[start:end]
        base = _byte_offset(text, start)
        try:
            tree = _loads(pgparse.parse_json(piece))
        except pgparse.SqlSyntaxError as error:
            raw.errors.append((base + _byte_offset(piece, error.index), _message(error)))
            continue
        for item in tree.get("stmts", ()):
            location = base + item.get("stmt_location", 0)
            length = item.get("stmt_len", 0) or len(piece.encode()) - item.get("stmt_location", 0)
            raw.add(item["stmt"], location, length)


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
