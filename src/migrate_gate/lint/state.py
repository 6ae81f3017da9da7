"""What the engine knows at each statement: the session (transaction, lock_timeout) and the
file so far (tables it created, NOT NULL checks it validated)."""

from __future__ import annotations

from collections.abc import Callable

from .model import Node, Statement
from .nodes import alter_commands, not_null_column, table_name, unwrap

_BEGIN = {"TRANS_STMT_BEGIN", "TRANS_STMT_START"}
_END = {"TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK", "TRANS_STMT_PREPARE"}


class Session:
    """Carried from one source to the next when they run on the same connection (Alembic)."""

    def __init__(self) -> None:
        self.explicit_transaction = False
        self.lock_timeout = False
        self.lock_timeout_local = False  # SET LOCAL: ends with the transaction


class State:
    """Everything rules may ask about the statements before the current one."""

    def __init__(self, session: Session, *, allow_destructive: bool = False) -> None:
        self.session = session
        self.tool_transaction = False  # the migration tool wraps the whole file in a transaction
        self.allow_destructive = allow_destructive
        self.new_tables: set[str] = set()
        self.new_relnames: set[str] = set()  # unqualified: a cheap first test
        self.new_indexes: set[str] = set()
        self.not_null_checks: dict[str, tuple[str, str]] = {}
        self.proven_not_null: set[tuple[str, str]] = set()
        self.timeout_reported = False

    @property
    def in_transaction(self) -> bool:
        return self.tool_transaction or self.session.explicit_transaction

    def is_new(self, rangevar: Node | None) -> bool:
        """True when the table was created earlier in this file (so it is still empty)."""
        if not rangevar or rangevar.get("relname") not in self.new_relnames:
            return False
        return table_name(rangevar) in self.new_tables

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
    if kind in _BEGIN:
        state.session.explicit_transaction = True
    elif kind in _END:
        state.session.explicit_transaction = False
        if state.session.lock_timeout_local:
            state.session.lock_timeout = state.session.lock_timeout_local = False


def _set(state: State, node: Node) -> None:
    if node.get("name") != "lock_timeout":
        return
    enabled = node.get("kind") == "VAR_SET_VALUE" and not _is_zero(node.get("args", []))
    state.session.lock_timeout = enabled
    state.session.lock_timeout_local = enabled and bool(node.get("is_local"))


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
    state.created(table_name(node.get("relation")))


def _create_as(state: State, node: Node) -> None:
    state.created(table_name(node.get("into", {}).get("rel")))


def _index(state: State, node: Node) -> None:
    if state.is_new(node.get("relation")) and node.get("idxname"):
        state.new_indexes.add(node["idxname"])


def _alter(state: State, node: Node) -> None:
    table = table_name(node.get("relation"))
    for cmd in alter_commands(node):
        subtype = cmd.get("subtype")
        if subtype == "AT_AddConstraint":
            _, constraint = unwrap(cmd.get("def", {}))
            column = not_null_column(constraint.get("raw_expr"))
            if constraint.get("contype") == "CONSTR_CHECK" and column:
                checked = (table, column)
                state.not_null_checks[constraint.get("conname", "")] = checked
                if not constraint.get("skip_validation"):
                    state.proven_not_null.add(checked)
        elif subtype == "AT_ValidateConstraint" and cmd.get("name") in state.not_null_checks:
            state.proven_not_null.add(state.not_null_checks[cmd["name"]])


def _rename(state: State, node: Node) -> None:
    if node.get("renameType") == "OBJECT_TABLE" and state.is_new(node.get("relation")):
        schema = node["relation"].get("schemaname")
        state.created(f"{schema}.{node['newname']}" if schema else node["newname"])


_HANDLERS: dict[str, Callable[[State, Node], None]] = {
    "TransactionStmt": _transaction,
    "VariableSetStmt": _set,
    "CreateStmt": _create,
    "CreateTableAsStmt": _create_as,
    "IndexStmt": _index,
    "AlterTableStmt": _alter,
    "RenameStmt": _rename,
}
