"""MG006 table-rewrite: a statement that rewrites an existing table and its indexes.

Changing a column's type (unless binary-coercible, e.g. varchar(n) to text), adding a
column whose default is volatile (gen_random_uuid(), clock_timestamp(), a serial or
identity column), a STORED generated column, VACUUM FULL and CLUSTER all copy the table
under an ACCESS EXCLUSIVE lock: reads and writes wait for the whole copy.

Anti-pattern:

    ALTER TABLE events ALTER COLUMN id TYPE bigint;

Fix (expand and contract):

    ALTER TABLE events ADD COLUMN id_new bigint;
    -- backfill id_new in batches, keep it in sync with a trigger, then swap the
    -- columns in a short transaction
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Node, Rule, Statement
from ..nodes import alter_commands, column_constraints, strings, table_name, type_names, unwrap
from ..state import State
from .mg003_not_null_without_default import SERIAL_TYPES

VOLATILE = {
    "random", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4",
    "clock_timestamp", "timeofday", "nextval", "statement_timestamp",
}  # fmt: skip
_FIX_TYPE = (
    "expand/contract: add a new column, backfill it in batches, switch the code, drop the old "
    "one (varchar(n) to text or to a larger n does not rewrite)"
)
_FIX_ADD = "add the column without the default, set the default, then backfill in batches"


def check(statement: Statement, state: State) -> Iterator[Hit]:
    kind, node = statement.kind, statement.node
    if kind == "AlterTableStmt" and not state.is_new(node.get("relation")):
        yield from _alter(table_name(node.get("relation")), node)
    elif kind == "ClusterStmt" and not state.is_new(node.get("relation")):
        yield Hit("CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock", "use pg_repack")
    elif kind == "VacuumStmt" and _is_full(node):
        yield Hit("VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock", "use pg_repack")


def _alter(table: str, node: Node) -> Iterator[Hit]:
    for cmd in alter_commands(node):
        if cmd.get("subtype") == "AT_AlterColumnType":
            yield Hit(
                f"changing the type of {table}.{cmd.get('name', '?')} rewrites the table "
                "under an ACCESS EXCLUSIVE lock",
                _FIX_TYPE,
            )
        elif cmd.get("subtype") == "AT_AddColumn":
            _, column = unwrap(cmd.get("def", {}))
            reason = _rewriting_column(column)
            if reason:
                name = column.get("colname", "?")
                yield Hit(f"adding {table}.{name} {reason} rewrites the table", _FIX_ADD)


def _rewriting_column(column: Node) -> str | None:
    if SERIAL_TYPES & set(type_names(column)):
        return "as a serial column"
    for constraint in column_constraints(column):
        contype = constraint.get("contype")
        if contype == "CONSTR_IDENTITY":
            return "as an identity column"
        if contype == "CONSTR_GENERATED":
            return "as a STORED generated column"
        if contype == "CONSTR_DEFAULT" and _volatile(constraint.get("raw_expr")):
            return "with a volatile default"
    return None


def _volatile(expr: object) -> bool:
    """True when the expression calls a volatile function anywhere."""
    if isinstance(expr, dict):
        call = expr.get("FuncCall")
        if isinstance(call, dict) and set(strings(call.get("funcname"))[-1:]) & VOLATILE:
            return True
        return any(_volatile(value) for value in expr.values())
    if isinstance(expr, list):
        return any(_volatile(item) for item in expr)
    return False


def _is_full(node: Node) -> bool:
    return any(o.get("DefElem", {}).get("defname") == "full" for o in node.get("options", ()))


RULE = Rule(
    id="MG006",
    name="table-rewrite",
    summary="column type change or volatile default that rewrites the table",
    severity="warning",
    kinds=("AlterTableStmt", "ClusterStmt", "VacuumStmt"),
    check=check,
    doc=__doc__ or "",
    subtypes=frozenset({"AT_AlterColumnType", "AT_AddColumn"}),
)
