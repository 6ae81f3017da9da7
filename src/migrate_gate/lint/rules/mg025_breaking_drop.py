"""MG025 breaking-drop: dropping something the code running in production may still use — a
view, function, type, domain, sequence, extension, a column's DEFAULT or NOT NULL, or a
constraint.

During and after the deploy, the previous release keeps running: a query naming a dropped
view or function fails; an INSERT that relied on a dropped DEFAULT now fails or stores
NULL. Dropping NOT NULL or a constraint breaks nothing at once (severity info) but removes
a guarantee the code may assume. Objects and columns created earlier in the same file are
exempt (Django adds a NOT NULL column with a DEFAULT, then drops the default).
Data-deleting drops are MG008.

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

from ..model import Hit, Rule, Statement
from ..nodes import alter_commands, object_names, table_name
from ..state import State

_FIX = "drop it only after no deployed code uses it (expand/contract), then suppress deliberately"
_OBJECTS = {"OBJECT_VIEW": "view", "OBJECT_MATVIEW": "materialized view",
            "OBJECT_FUNCTION": "function", "OBJECT_PROCEDURE": "procedure",
            "OBJECT_TYPE": "type", "OBJECT_DOMAIN": "domain", "OBJECT_SEQUENCE": "sequence",
            "OBJECT_EXTENSION": "extension", "OBJECT_TRIGGER": "trigger"}  # fmt: skip
_ALTERS = frozenset({"AT_ColumnDefault", "AT_DropNotNull", "AT_DropConstraint"})


def check(statement: Statement, state: State) -> Iterator[Hit]:
    node = statement.node
    if statement.kind == "DropStmt":
        what = _OBJECTS.get(node.get("removeType", ""))
        names = [n for n in object_names(node) if n not in state.new_tables]
        if what and names:
            yield Hit(
                f"DROP {what.upper()} {', '.join(names)} breaks code that still uses it", _FIX
            )
        return
    if state.is_new(node.get("relation")):
        return
    table = table_name(node.get("relation"))
    for cmd in alter_commands(node):
        subtype, column = cmd.get("subtype"), cmd.get("name")
        if (table, column) in state.new_columns:  # Django: ADD ... DEFAULT x, then DROP DEFAULT
            continue
        if subtype == "AT_ColumnDefault" and "def" not in cmd:
            yield Hit(f"DROP DEFAULT on {table}.{column} breaks inserts that omit it", _FIX)
        elif subtype == "AT_DropNotNull":
            yield Hit(
                f"DROP NOT NULL on {table}.{column}: code reading it may not expect NULLs",
                _FIX,
                "info",
            )
        elif subtype == "AT_DropConstraint":
            yield Hit(
                f"DROP CONSTRAINT {column} on {table} removes a guarantee the code may assume",
                _FIX,
                "info",
            )


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
