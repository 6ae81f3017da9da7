"""MG025 breaking-drop: dropping something the code running in production may still use — a
view, function, type, domain, sequence, extension, a column's DEFAULT or NOT NULL, or a
constraint.

During and after the deploy, the previous release keeps running: a query naming a dropped
view or function fails; an INSERT that relied on a dropped DEFAULT now fails or stores NULL.
Dropping NOT NULL or a constraint breaks nothing at once (severity info) but removes a
guarantee the code may assume; so does DROP TYPE or DROP SEQUENCE without CASCADE (it fails
while a column uses the type; what remains are casts and nextval() calls in raw SQL).
Objects and columns created earlier in the same file are exempt (Django adds a NOT NULL
column with a DEFAULT, then drops the default), and so is a DROP that the same file follows
by creating the object again (a new function signature, Prisma's enum swap). Data-deleting
drops are MG008.

Anti-pattern:

    DROP VIEW active_users;
    ALTER TABLE users ALTER COLUMN plan DROP DEFAULT;

Fix (contract only once no deployed code uses it):

    -- release N: stop using active_users and the default; release N+1:
    -- migrate-gate: ignore MG025 -- unused since release N
    DROP VIEW active_users;
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Node, Rule, Severity, Statement
from ..nodes import alter_commands, object_names, table_name
from ..state import State, object_key

_FIX = "drop it only after no deployed code uses it (expand/contract), then suppress deliberately"
_OBJECTS = {"OBJECT_VIEW": ("view", "view"), "OBJECT_MATVIEW": ("materialized view", "view"),
            "OBJECT_FUNCTION": ("function", "function"),
            "OBJECT_PROCEDURE": ("procedure", "function"),
            "OBJECT_TYPE": ("type", "type"), "OBJECT_DOMAIN": ("domain", "type"),
            "OBJECT_SEQUENCE": ("sequence", "sequence"),
            "OBJECT_EXTENSION": ("extension", "extension")}  # fmt: skip
_ALTERS = frozenset({"AT_ColumnDefault", "AT_DropNotNull", "AT_DropConstraint"})


def check(statement: Statement, state: State) -> Iterator[Hit]:
    if statement.kind == "DropStmt":
        yield from _drop(statement.node, state)
    elif not state.is_new(statement.node.get("relation")):
        yield from _alter(statement.node, state)


def _drop(node: Node, state: State) -> Iterator[Hit]:
    what, family = _OBJECTS.get(node.get("removeType", ""), ("", ""))
    for name in object_names(node) if what else ():
        key = object_key(family, name)
        # created or renamed to this name earlier in the file (Prisma's enum swap: X -> X_old)
        if key in state.recreated or name in state.new_tables:
            continue
        yield Hit(f"DROP {what.upper()} {name} breaks code that still uses it", _FIX,
                  _quiet(node, family), unless_recreated=key)  # fmt: skip


def _quiet(node: Node, family: str) -> Severity | None:
    """Without CASCADE, DROP TYPE fails while a column uses the type, and a sequence is the
    column default's business: what remains is a cast or a nextval in raw SQL (info)."""
    if family in ("type", "sequence") and node.get("behavior") != "DROP_CASCADE":
        return "info"
    return None


def _alter(node: Node, state: State) -> Iterator[Hit]:
    table = table_name(node.get("relation"))
    dropped: dict[str, list[str]] = {"default": [], "not null": [], "constraint": []}
    for cmd in alter_commands(node):
        subtype, column = cmd.get("subtype"), str(cmd.get("name", ""))
        if (table, column) in state.new_columns:  # Django: ADD ... DEFAULT x, then DROP DEFAULT
            continue
        if subtype == "AT_ColumnDefault" and "def" not in cmd:
            dropped["default"].append(column)
        elif subtype == "AT_DropNotNull":
            dropped["not null"].append(column)
        elif subtype == "AT_DropConstraint":
            dropped["constraint"].append(column)
    failing = [c for c in dropped["default"] if c not in dropped["not null"]]
    if failing:
        yield Hit(f"DROP DEFAULT on {_columns(table, failing)} breaks inserts that omit it", _FIX)
    relaxed = [c for c in dropped["default"] if c in dropped["not null"]]
    if dropped["not null"]:
        also = f" (and DEFAULT of {', '.join(relaxed)}: inserts that omit it store NULL)"
        yield Hit(
            f"DROP NOT NULL on {_columns(table, dropped['not null'])}{also if relaxed else ''}: "
            "code reading it may not expect NULLs",
            _FIX,
            "info",
        )
    if dropped["constraint"]:
        yield Hit(
            f"DROP CONSTRAINT {', '.join(dropped['constraint'])} on {table} removes a guarantee "
            "the code may assume",
            _FIX,
            "info",
        )


def _columns(table: str, columns: list[str]) -> str:
    return f"{table}.{columns[0]}" if len(columns) == 1 else f"{table} ({', '.join(columns)})"


RULE = Rule(
    id="MG025",
    name="breaking-drop",
    summary="DROP of a view, function, type, extension, default, NOT NULL or constraint",
    severity="warning",
    kinds=("DropStmt", "AlterTableStmt"),
    check=check,
    doc=__doc__ or "",
    subtypes=_ALTERS,
)
