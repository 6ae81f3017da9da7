"""MG005 constraint-without-not-valid: a foreign key or check constraint added to an
existing table without NOT VALID.

Adding the constraint validates every row while holding a lock that blocks writes
(and, for a foreign key, writes to the referenced table too). NOT VALID adds it
instantly for new rows; VALIDATE CONSTRAINT then checks old rows under a lock that
lets reads and writes go on — but only once the NOT VALID step has committed: VALIDATE in
the same transaction keeps the first statement's lock through the whole scan.

Anti-pattern:

    ALTER TABLE orders ADD CONSTRAINT orders_user_fk
        FOREIGN KEY (user_id) REFERENCES users (id);

Fix:

    ALTER TABLE orders ADD CONSTRAINT orders_user_fk
        FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
    ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Node, Rule, Statement
from ..nodes import alter_commands, column_constraints, table_name, unwrap
from ..state import State

_KINDS = {"CONSTR_FOREIGN": "foreign key", "CONSTR_CHECK": "check constraint"}


def check(statement: Statement, state: State) -> Iterator[Hit]:
    if state.is_new(statement.node.get("relation")):
        return
    yield from _validated_too_soon(statement.node, state)
    for constraint in _added_constraints(statement.node):
        kind = _KINDS.get(constraint.get("contype", ""))
        if kind and not constraint.get("skip_validation"):
            name = constraint.get("conname", "")
            table = table_name(statement.node.get("relation"))
            yield Hit(
                f"{kind} {name + ' ' if name else ''}added to {table} validates every row "
                "while blocking writes",
                "add it with NOT VALID, then VALIDATE CONSTRAINT in a separate statement "
                "(ideally a separate migration)",
            )


def _validated_too_soon(node: Node, state: State) -> Iterator[Hit]:
    for cmd in alter_commands(node):
        name = cmd.get("name")
        if cmd.get("subtype") == "AT_ValidateConstraint" and name in state.not_valid_here:
            yield Hit(
                f"VALIDATE CONSTRAINT {name} runs in the transaction that added it NOT VALID: "
                "the ADD's lock is held through the whole scan",
                "commit between the two: VALIDATE in a separate migration (or after COMMIT)",
            )


def _added_constraints(node: Node) -> Iterator[Node]:
    for cmd in alter_commands(node):
        kind, body = unwrap(cmd.get("def", {}))
        if cmd.get("subtype") == "AT_AddConstraint" and kind == "Constraint":
            yield body
        elif cmd.get("subtype") == "AT_AddColumn" and kind == "ColumnDef":
            # an inline REFERENCES on a new column can only be added valid
            yield from (c for c in column_constraints(body) if c.get("contype") == "CONSTR_FOREIGN")


RULE = Rule(
    id="MG005",
    name="constraint-without-not-valid",
    summary="foreign key or check constraint added without NOT VALID",
    severity="warning",
    kinds=("AlterTableStmt",),
    check=check,
    doc=__doc__ or "",
    subtypes=frozenset({"AT_AddConstraint", "AT_AddColumn", "AT_ValidateConstraint"}),
)
