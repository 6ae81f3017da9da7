"""What the engine knows at each statement: the session (transaction, timeouts), the file so
far (tables it created or emptied, constraints added NOT VALID in the open transaction) and
the history before it (NOT NULL checks validated by earlier migrations)."""

from __future__ import annotations

from collections.abc import Callable

from . import coltypes
from .model import Node, Statement, Transaction
from .nodes import alter_commands, not_null_column, table_name, unwrap

_BEGIN = {"TRANS_STMT_BEGIN", "TRANS_STMT_START"}
_END = {"TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK", "TRANS_STMT_PREPARE"}
_TIMEOUTS = ("lock_timeout", "statement_timeout")
DEFAULT_PG_VERSION = 13  # the oldest PostgreSQL release still supported upstream (Nov 2025)


class Session:
    """Carried from one source to the next when they run on the same connection (Alembic)."""

    def __init__(self) -> None:
        self.explicit_transaction = False
        self.begin_at: tuple[str, int] | None = None  # (file, line) of the open BEGIN
        self.lock_timeout = False
        self.lock_timeout_local = False  # SET LOCAL: ends with the transaction
        self.statement_timeout = False
        self.statement_timeout_local = False


class History:
    """Carried across every migration of one run, oldest first: what earlier ones proved."""

    def __init__(self) -> None:
        self.not_null_checks: dict[str, tuple[str, str]] = {}
        self.proven_not_null: set[tuple[str, str]] = set()
        # (table, column) -> its type, from CREATE TABLE, ADD COLUMN and ALTER TYPE so far
        self.columns: dict[tuple[str, str], coltypes.ColumnType] = {}
        self.declared: dict[str, str] = {}  # function name -> volatile, stable or immutable

    def function(self, node: Node) -> None:
        """Record a CREATE FUNCTION's volatility (VOLATILE unless it says otherwise)."""
        names = node.get("funcname", ())
        name = names[-1].get("String", {}).get("sval", "") if names else ""
        volatility = "volatile"
        for option in node.get("options", ()):
            element = option.get("DefElem", {})
            if element.get("defname") == "volatility":
                volatility = element.get("arg", {}).get("String", {}).get("sval", volatility)
        self.declared[name] = volatility

    def column(self, table: str, column: str) -> coltypes.ColumnType | None:
        return self.columns.get(coltypes.key(table, column))

    def typed(self, table: str, column: Node, name: str | None = None) -> None:
        kind = coltypes.of(column)
        if kind is not None:
            self.columns[coltypes.key(table, name or column.get("colname", ""))] = kind


class State:
    """Everything rules may ask about the statements before the current one."""

    def __init__(
        self,
        session: Session,
        *,
        allow_destructive: bool = False,
        history: History | None = None,
        transaction: Transaction = "none",
        pg_version: int = DEFAULT_PG_VERSION,
    ) -> None:
        self.session = session
        self.history = history or History()
        self.transaction = transaction  # how the tool runs the file
        self.tool_transaction = False  # the migration tool wraps the whole file in a transaction
        self.allow_destructive = allow_destructive
        self.pg_version = pg_version
        self.new_tables: set[str] = set()
        self.new_relnames: set[str] = set()  # unqualified: a cheap first test
        self.new_indexes: set[str] = set()
        self.emptied: set[str] = set()  # TRUNCATE or DELETE without WHERE earlier in the file
        self.not_valid_here: set[str] = set()  # added NOT VALID in the open transaction
        self.timeout_reported = False
        self.statement_timeout_reported = False
        self.written = True  # hand-written SQL (not generated or captured from a tool)
        self.new_columns: set[tuple[str, str]] = set()  # added by this file
        # "function:name", "view:name", "type:name": created (or renamed to) by this file
        self.recreated: set[str] = set()
        self.data = b""  # the source's UTF-8 text, and the current statement's range in it
        self.span = (0, 0)

    def text(self) -> bytes:
        """The current statement's SQL as written (the parse tree truncates long names)."""
        return self.data[self.span[0] : self.span[1]]

    @property
    def in_transaction(self) -> bool:
        return self.tool_transaction or self.session.explicit_transaction

    @property
    def proven_not_null(self) -> set[tuple[str, str]]:
        return self.history.proven_not_null

    def is_new(self, rangevar: Node | None) -> bool:
        """True when the table was created earlier in this file (so it is still empty)."""
        if not rangevar or rangevar.get("relname") not in self.new_relnames:
            return False
        return table_name(rangevar) in self.new_tables

    def is_empty(self, rangevar: Node | None) -> bool:
        """Created, truncated or emptied by DELETE earlier in this file."""
        return self.is_new(rangevar) or (bool(rangevar) and table_name(rangevar) in self.emptied)

    def created(self, table: str) -> None:
        """Record a table this file created."""
        self.new_tables.add(table)
        self.new_relnames.add(table.rsplit(".", 1)[-1])

    def observe(self, statement: Statement) -> None:
        """Update the state with a statement the rules have seen."""
        handler = _HANDLERS.get(statement.kind)
        if handler:
            handler(self, statement.node)


def _transaction(state: State, node: Node) -> None:
    kind = node.get("kind")
    session = state.session
    if kind in _BEGIN:
        session.explicit_transaction = True
    elif kind in _END:
        # goose runs the file in its own transaction: a COMMIT ends it (the documented escape
        # for CREATE INDEX CONCURRENTLY). A multi-statement query's implicit block does not end.
        if state.transaction == "always":
            state.tool_transaction = False
        session.explicit_transaction = False
        session.begin_at = None
        state.not_valid_here.clear()
        if session.lock_timeout_local:
            session.lock_timeout = session.lock_timeout_local = False
        if session.statement_timeout_local:
            session.statement_timeout = session.statement_timeout_local = False


def _set(state: State, node: Node) -> None:
    name = node.get("name")
    if name not in _TIMEOUTS:
        return
    enabled = node.get("kind") == "VAR_SET_VALUE" and not _is_zero(node.get("args", []))
    local = enabled and bool(node.get("is_local"))
    if name == "lock_timeout":
        state.session.lock_timeout, state.session.lock_timeout_local = enabled, local
    else:
        state.session.statement_timeout, state.session.statement_timeout_local = enabled, local


def _is_zero(args: list[Node]) -> bool:
    """lock_timeout = 0 (or '0', '0ms', ...) disables the timeout."""
    if not args or "A_Const" not in args[0]:
        return False
    const = args[0]["A_Const"]
    if "ival" in const:
        return not const["ival"].get("ival", 0)
    text = str(const.get("sval", {}).get("sval", "")).strip().lower()
    return text.rstrip("mshind ") == "0"


def _create(state: State, node: Node) -> None:
    table = table_name(node.get("relation"))
    state.created(table)
    for element in node.get("tableElts", ()):
        if "ColumnDef" in element:
            state.history.typed(table, element["ColumnDef"])


def _create_as(state: State, node: Node) -> None:
    state.created(table_name(node.get("into", {}).get("rel")))


def _index(state: State, node: Node) -> None:
    if state.is_new(node.get("relation")) and node.get("idxname"):
        state.new_indexes.add(node["idxname"])


def _truncate(state: State, node: Node) -> None:
    state.emptied.update(table_name(r["RangeVar"]) for r in node.get("relations", ()))


def _delete(state: State, node: Node) -> None:
    if "whereClause" not in node:
        state.emptied.add(table_name(node.get("relation")))


def _alter(state: State, node: Node) -> None:
    table = table_name(node.get("relation"))
    history = state.history
    for cmd in alter_commands(node):
        subtype = cmd.get("subtype")
        if subtype == "AT_AddConstraint":
            _, constraint = unwrap(cmd.get("def", {}))
            name = constraint.get("conname", "")
            if constraint.get("skip_validation") and name and state.in_transaction:
                state.not_valid_here.add(name)
            column = not_null_column(constraint.get("raw_expr"))
            if constraint.get("contype") == "CONSTR_CHECK" and column:
                checked = (table, column)
                history.not_null_checks[name] = checked
                if not constraint.get("skip_validation"):
                    history.proven_not_null.add(checked)
        elif subtype == "AT_ValidateConstraint" and cmd.get("name") in history.not_null_checks:
            history.proven_not_null.add(history.not_null_checks[cmd["name"]])
        elif subtype == "AT_AddColumn":
            added = unwrap(cmd.get("def", {}))[1]
            history.typed(table, added)
            state.new_columns.add((table, added.get("colname", "")))
        elif subtype == "AT_AlterColumnType":
            history.typed(table, unwrap(cmd.get("def", {}))[1], cmd.get("name"))


def _rename(state: State, node: Node) -> None:
    kind = node.get("renameType")
    if kind == "OBJECT_TABLE" and state.is_new(node.get("relation")):
        schema = node["relation"].get("schemaname")
        state.created(f"{schema}.{node['newname']}" if schema else node["newname"])
    elif kind in _KEYS:
        state.recreated.add(f"{_KEYS[kind]}:{node.get('newname')}")


_KEYS = {"OBJECT_TYPE": "type", "OBJECT_DOMAIN": "type", "OBJECT_VIEW": "view",
         "OBJECT_MATVIEW": "view", "OBJECT_FUNCTION": "function", "OBJECT_PROCEDURE": "function",
         "OBJECT_SEQUENCE": "sequence"}  # fmt: skip


def object_key(kind: str, name: str) -> str:
    """The key MG025 and the creations below share: `type:mood` for schema.mood too."""
    return f"{kind}:{name.rsplit('.', 1)[-1]}"


def _names(items: list[Node] | None) -> str:
    return ".".join(i["String"]["sval"] for i in items or () if "String" in i)


def _created_object(state: State, kind: str, name: str) -> None:
    state.recreated.add(object_key(kind, name))


def _view(state: State, node: Node) -> None:
    _created_object(state, "view", str(node.get("view", {}).get("relname", "")))


def _matview(state: State, node: Node) -> None:
    if node.get("objtype") == "OBJECT_MATVIEW":
        _created_object(state, "view", str(node.get("into", {}).get("rel", {}).get("relname")))


def _enum(state: State, node: Node) -> None:
    _created_object(state, "type", _names(node.get("typeName")))


def _composite(state: State, node: Node) -> None:
    _created_object(state, "type", str(node.get("typevar", {}).get("relname", "")))


def _domain(state: State, node: Node) -> None:
    _created_object(state, "type", _names(node.get("domainname")))


def _sequence(state: State, node: Node) -> None:
    _created_object(state, "sequence", str(node.get("sequence", {}).get("relname", "")))


def _function(state: State, node: Node) -> None:
    state.history.function(node)
    _created_object(state, "function", _names(node.get("funcname")))


def _create_as_and_matview(state: State, node: Node) -> None:
    _create_as(state, node)
    _matview(state, node)


_HANDLERS: dict[str, Callable[[State, Node], None]] = {
    "CreateFunctionStmt": _function,
    "TransactionStmt": _transaction,
    "VariableSetStmt": _set,
    "CreateStmt": _create,
    "CreateTableAsStmt": _create_as_and_matview,
    "ViewStmt": _view,
    "CreateEnumStmt": _enum,
    "CompositeTypeStmt": _composite,
    "CreateDomainStmt": _domain,
    "CreateSeqStmt": _sequence,
    "IndexStmt": _index,
    "TruncateStmt": _truncate,
    "DeleteStmt": _delete,
    "AlterTableStmt": _alter,
    "RenameStmt": _rename,
}
