"""MG024 domain-constraint: CREATE DOMAIN with a constraint, or ALTER DOMAIN ADD CONSTRAINT.

Adding a constraint to a domain checks every column of every table that uses it, holding
locks that block writes to each of them; and a constraint created with the domain cannot
be changed later without that same scan. A CHECK on the column can be added NOT VALID and
validated without blocking.

Anti-pattern:

    CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
    ALTER DOMAIN email ADD CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%');

Fix:

    ALTER TABLE orders ADD CONSTRAINT orders_quantity_positive
        CHECK (quantity > 0) NOT VALID;
    ALTER TABLE orders VALIDATE CONSTRAINT orders_quantity_positive;
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Rule, Statement
from ..nodes import strings, unwrap
from ..state import State

_FIX = "put CHECK constraints on the columns (NOT VALID, then VALIDATE) instead of the domain"


def check(statement: Statement, state: State) -> Iterator[Hit]:
    node = statement.node
    if statement.kind == "CreateDomainStmt":
        checks = [c for c in node.get("constraints", ()) if _is_check(c)]
        if checks:
            name = ".".join(strings(node.get("domainname")))
            yield Hit(f"domain {name} is created with a CHECK constraint", _FIX)
    elif node.get("subtype") == "C":
        _, constraint = unwrap(node.get("def", {}))
        if not constraint.get("skip_validation"):
            name = ".".join(strings(node.get("typeName")))
            yield Hit(
                f"adding a constraint to domain {name} checks every column that uses it "
                "while blocking their writes",
                _FIX,
            )


def _is_check(item: dict[str, dict[str, str]]) -> bool:
    return item.get("Constraint", {}).get("contype") == "CONSTR_CHECK"


RULE = Rule(
    id="MG024",
    name="domain-constraint",
    summary="CREATE DOMAIN with a constraint, or ALTER DOMAIN ADD CONSTRAINT",
    severity="warning",
    kinds=("CreateDomainStmt", "AlterDomainStmt"),
    check=check,
    doc=__doc__ or "",
)
