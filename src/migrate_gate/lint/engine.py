"""Parse each source with PostgreSQL's grammar and run the rules over its statements."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from . import dialects, statements, suppress
from .model import Finding, Hit, Node, Rule, Source, Statement
from .rules import BY_ID, RULES, SYNTAX_ERROR
from .state import DEFAULT_PG_VERSION, History, Session, State
from .statements import Batch

_EXCERPT = 120
_FIX_SYNTAX = "correct the SQL so PostgreSQL can parse it"
_ALTER = "AlterTableStmt"
_TIMEOUT_RULE = "MG009"  # reported once per file: the engine records that it was
_STATEMENT_TIMEOUT_RULE = "MG022"
_UNCOMMITTED = "MG019"  # found by the engine: a BEGIN still open when the session ends
_BEGIN = ("TRANS_STMT_BEGIN", "TRANS_STMT_START")
_MARKER = suppress.MARKER.encode()


class Options(NamedTuple):
    """What the user chose: rules to skip, destructive statements downgraded to warnings, the
    PostgreSQL version the migrations will run on, whether every file runs in a transaction."""

    ignore: frozenset[str] = frozenset()
    allow_destructive: bool = False
    rules: Sequence[Rule] = RULES
    pg_version: int = DEFAULT_PG_VERSION
    assume_in_transaction: bool = False


def lint(
    sources: Iterable[Source],
    options: Options | None = None,
    skipped: list[dialects.Skipped] | None = None,
) -> list[Finding]:
    """Findings for every source, in source order then line order; sources written for another
    database are not linted but added to `skipped` with the reason."""
    skipped = [] if skipped is None else skipped
    options = options or Options()
    dispatch = _Dispatch([rule for rule in options.rules if rule.id not in options.ignore])
    findings: list[Finding] = []
    session = Session()
    history = History()  # migrations run oldest first: what one proves, later ones rely on
    collecting = gc.isenabled()
    # Parse trees are large and acyclic: a full collection walks every node of them again and
    # again for nothing (it doubled the run time on 10,000 statements).
    gc.disable()
    try:
        for source in sources:
            if not source.chained:
                findings.extend(_uncommitted(session, options))
                session = Session()
            reason = dialects.by_path(source.path)
            if reason:
                skipped.append(dialects.Skipped(source.path, f"written for {reason}"))
                continue
            found = _lint_source(source, session, history, dispatch, options)
            reason = _foreign(source, found)
            if reason:
                skipped.append(dialects.Skipped(source.path, f"written for {reason}"))
                continue
            findings.extend(found)
        findings.extend(_uncommitted(session, options))
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


def _foreign(source: Source, found: list[Finding]) -> str | None:
    """Another database's dialect, when that is why PostgreSQL could not parse the source."""
    if not any(f.rule == SYNTAX_ERROR.id for f in found):
        return None
    return dialects.by_text(source.text)


def _uncommitted(session: Session, options: Options) -> list[Finding]:
    """MG019: the session ends inside a BEGIN that nothing committed."""
    if session.begin_at is None or _UNCOMMITTED in options.ignore:
        return []
    path, line = session.begin_at
    session.begin_at = None
    rule = BY_ID[_UNCOMMITTED]
    hit = Hit(
        "BEGIN is never committed: the migration's changes are rolled back when its "
        "connection closes, or the tool waits inside an open transaction",
        "end the transaction with COMMIT in the same migration, or drop the BEGIN and let the "
        "tool manage the transaction",
    )
    return [_finding(Source(path, ""), rule, hit, (line, 1, 0, 0), "")]


def _lint_source(
    source: Source, session: Session, history: History, dispatch: _Dispatch, options: Options
) -> list[Finding]:
    parsed = statements.parse(source.text)
    transaction = "always" if options.assume_in_transaction else source.transaction
    state = State(
        session=session,
        allow_destructive=options.allow_destructive,
        history=history,
        transaction=transaction,
        pg_version=options.pg_version,
    )
    state.data, state.written = parsed.data, source.sql_lines
    state.tool_transaction = transaction == "always" or (transaction == "multi" and parsed.several)
    batches, silenced = _suppressions(parsed)
    lines = _LineCounter(parsed.data)
    pending: list[tuple[str, Finding]] = []  # kept unless the file recreates the object
    found = [
        _finding(source, SYNTAX_ERROR, Hit(message, _FIX_SYNTAX), lines.span(offset, offset), "")
        for offset, message in parsed.errors
        if SYNTAX_ERROR.id not in options.ignore
    ]
    for index, (wrapped, start, end) in enumerate(statements.each(batches)):
        statement = Statement(*wrapped.popitem())  # {"Kind": {fields}}: its only item
        state.span = (start, end)
        muted = silenced.get(index) if silenced else None
        where: tuple[tuple[int, int, int, int], str] | None = None  # once per statement
        for rule in dispatch.rules(*statement):
            if muted and (rule.id in muted or suppress.ALL in muted):
                continue
            for hit in rule.check(statement, state):
                if rule.id == _TIMEOUT_RULE:
                    state.timeout_reported = True
                elif rule.id == _STATEMENT_TIMEOUT_RULE:
                    state.statement_timeout_reported = True
                if where is None:
                    text = parsed.data[start:end].decode("utf-8", "replace")
                    where = (lines.span(start, end), text)
                finding = _finding(source, rule, hit, *where)
                if hit.unless_recreated:
                    state.recreated.discard(hit.unless_recreated)  # only later creations count
                    pending.append((hit.unless_recreated, finding))
                else:
                    found.append(finding)
        if statement.kind == "TransactionStmt" and source.sql_lines:  # tools' own: not MG019
            _note_begin(statement.node, state.session, source.path, lines.span(start, start)[0])
        state.observe(statement)
    if pending:
        found.extend(f for key, f in pending if key not in state.recreated)
        found.sort(key=_by_line)
    elif parsed.errors:
        found.sort(key=_by_line)
    return found


def _note_begin(node: Node, session: Session, path: str, line: int) -> None:
    """Where the outermost open BEGIN is, for MG019 when the session ends without COMMIT."""
    if node.get("kind") in _BEGIN and session.begin_at is None:
        session.begin_at = (path, line)


def _suppressions(parsed: statements.Parsed) -> tuple[Iterable[Batch], suppress.Suppressions]:
    """Suppression comments need every statement's range: when a source has any, read it whole."""
    if _MARKER not in parsed.data:
        return parsed.batches, {}
    whole = statements.joined(parsed.batches)
    return [whole], suppress.collect(parsed.data, whole.starts, whole.ends)


def _by_line(finding: Finding) -> int:
    return finding.line


def _finding(
    source: Source, rule: Rule, hit: Hit, span: tuple[int, int, int, int], text: str
) -> Finding:
    message = hit.message
    line, column, end_line, end_column = span
    if not source.sql_lines and text:
        line, column, end_line, end_column = 1, 1, 0, 0  # generated SQL: point at the file
        excerpt = " ".join(text.split())
        message += f" (SQL: {excerpt[:_EXCERPT]}{'…' if len(excerpt) > _EXCERPT else ''})"
    severity = hit.severity or rule.severity
    # positional: a NamedTuple takes keywords at half the speed, and there are thousands
    return Finding(
        rule.id, rule.name, severity, source.path, line, message, hit.fix, text,
        column, end_line, end_column,
    )  # fmt: skip


class _LineCounter:
    """1-based line and column of increasing byte offsets, counting newlines only once."""

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

    def span(self, start: int, end: int) -> tuple[int, int, int, int]:
        """(line, column, end line, end column) of data[start:end], columns in characters
        and 1-based; the statement's leading blank space is skipped."""
        data = self.data
        while start < end and data[start : start + 1].isspace():
            start += 1
        line = self.at(start)
        end_line = line + data.count(b"\n", start, end)
        return line, self._column(start), end_line, self._column(end)

    def _column(self, offset: int) -> int:
        line_start = self.data.rfind(b"\n", 0, offset) + 1
        head = self.data[line_start:offset]
        return (len(head) if head.isascii() else len(head.decode("utf-8", "replace"))) + 1
