"""Parse each source with PostgreSQL's grammar and run the rules over its statements."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from . import statements, suppress
from .model import Finding, Hit, Node, Rule, Source, Statement
from .rules import RULES, SYNTAX_ERROR
from .state import Session, State
from .statements import Batch

_EXCERPT = 120
_FIX_SYNTAX = "correct the SQL so PostgreSQL can parse it"
_ALTER = "AlterTableStmt"
_TIMEOUT_RULE = "MG009"  # reported once per file: the engine records that it was
_MARKER = suppress.MARKER.encode()


class Options(NamedTuple):
    """What the user chose: rules to skip, destructive statements downgraded to warnings."""

    ignore: frozenset[str] = frozenset()
    allow_destructive: bool = False
    rules: Sequence[Rule] = RULES


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
    parsed = statements.parse(source.text)
    state = State(session=session, allow_destructive=options.allow_destructive)
    state.tool_transaction = source.transaction == "always" or (
        source.transaction == "multi" and parsed.several
    )
    batches, silenced = _suppressions(parsed)
    lines = _LineCounter(parsed.data)
    found = [
        _finding(source, SYNTAX_ERROR, Hit(message, _FIX_SYNTAX), lines.at(offset), "")
        for offset, message in parsed.errors
        if SYNTAX_ERROR.id not in options.ignore
    ]
    for index, (wrapped, start, end) in enumerate(statements.each(batches)):
        statement = Statement(*wrapped.popitem())  # {"Kind": {fields}}: its only item
        muted = silenced.get(index) if silenced else None
        for rule in dispatch.rules(*statement):
            if muted and (rule.id in muted or suppress.ALL in muted):
                continue
            for hit in rule.check(statement, state):
                if rule.id == _TIMEOUT_RULE:
                    state.timeout_reported = True
                text = parsed.data[start:end].decode("utf-8", "replace")
                found.append(_finding(source, rule, hit, lines.at(start), text))
        state.observe(statement)
    if parsed.errors:
        found.sort(key=_by_line)
    return found


def _suppressions(parsed: statements.Parsed) -> tuple[Iterable[Batch], suppress.Suppressions]:
    """Suppression comments need every statement's range: when a source has any, read it whole."""
    if _MARKER not in parsed.data:
        return parsed.batches, {}
    whole = statements.joined(parsed.batches)
    return [whole], suppress.collect(parsed.data, whole.starts, whole.ends)


def _by_line(finding: Finding) -> int:
    return finding.line


def _finding(source: Source, rule: Rule, hit: Hit, line: int, text: str) -> Finding:
    message = hit.message
    if not source.sql_lines and text:
        line = 1  # generated SQL: point at the migration file, quote the statement
        excerpt = " ".join(text.split())
        message += f" (SQL: {excerpt[:_EXCERPT]}{'…' if len(excerpt) > _EXCERPT else ''})"
    severity = hit.severity or rule.severity
    # positional: a NamedTuple takes keywords at half the speed, and there are thousands
    return Finding(rule.id, rule.name, severity, source.path, line, message, hit.fix, text)


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
