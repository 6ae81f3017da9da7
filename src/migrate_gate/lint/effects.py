"""What one parsed statement does to the database: the lock it takes and on which table, whether
it reads the whole table, and whether it expands the schema, contracts it, or changes data.

Lock modes are PostgreSQL's (the "Explicit Locking" and ALTER TABLE pages of its manual, 13-17).
Whether a statement rewrites its table is MG006's business (its findings say so); this module
adds what a plan needs that no rule reports. `contract` means code still running against the old
shape can break (a drop, a rename, a tightened column or constraint); `expand` is additive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple

from .model import Node
from .nodes import alter_commands, has_contype, object_names, table_name, unwrap

Change = Literal["expand", "contract", "data", ""]  # "": neither (an index, statistics, ...)

ACCESS_EXCLUSIVE = "ACCESS EXCLUSIVE"
EXCLUSIVE = "EXCLUSIVE"
SHARE_ROW_EXCLUSIVE = "SHARE ROW EXCLUSIVE"
SHARE = "SHARE"
SHARE_UPDATE_EXCLUSIVE = "SHARE UPDATE EXCLUSIVE"
ROW_EXCLUSIVE = "ROW EXCLUSIVE"
UNKNOWN = "unknown"  # DO blocks, procedures: code migrate-gate cannot read
STRENGTH = ("", ROW_EXCLUSIVE, SHARE_UPDATE_EXCLUSIVE, SHARE, SHARE_ROW_EXCLUSIVE, EXCLUSIVE,
            ACCESS_EXCLUSIVE, UNKNOWN)  # fmt: skip


class Lock(NamedTuple):
    mode: str
    table: str  # as written (schema.table or table); an index's name for DROP INDEX


class Effect(NamedTuple):
    """A statement's locks, whether it scans a whole table, its change and why."""

    locks: tuple[Lock, ...] = ()
    scan: bool = False
    change: Change = ""
    why: str = ""  # e.g. "drops column accounts.email"


def strongest(locks: tuple[Lock, ...]) -> str:
    """The strongest mode among `locks` ("" for none)."""
    return max((lock.mode for lock in locks), key=STRENGTH.index, default="")


def effect(kind: str, node: Node) -> Effect:
    """What the statement `{kind: node}` does (an empty Effect for one that touches no table)."""
    reader = _READERS.get(kind)
    return reader(node) if reader else Effect()


def _create(node: Node) -> Effect:
    table = table_name(node.get("relation"))
    referenced = _referenced(node)
    locks = tuple(Lock(SHARE_ROW_EXCLUSIVE, other) for other in referenced)
    return Effect(locks, False, "expand", f"creates table {table}")


def _referenced(node: Node) -> list[str]:
    """Tables a CREATE TABLE's foreign keys point at (each gets SHARE ROW EXCLUSIVE)."""
    found = []
    for element in node.get("tableElts", ()):
        kind, fields = unwrap(element)
        constraints = fields.get("constraints", ()) if kind == "ColumnDef" else [element]
        for item in constraints:
            constraint = item.get("Constraint", {})
            if constraint.get("contype") == "CONSTR_FOREIGN":
                found.append(table_name(constraint.get("pktable")))
    return found


def _index(node: Node) -> Effect:
    table = table_name(node.get("relation"))
    mode = SHARE_UPDATE_EXCLUSIVE if node.get("concurrent") else SHARE
    unique = bool(node.get("unique"))
    what = f"{'unique ' if unique else ''}index {node.get('idxname') or ''} on {table}"
    return Effect((Lock(mode, table),), True, "contract" if unique else "", f"builds {what}")


def _drop(node: Node) -> Effect:
    kind = str(node.get("removeType", "")).removeprefix("OBJECT_").lower().replace("_", " ")
    names = object_names(node)
    if kind == "index":
        mode = SHARE_UPDATE_EXCLUSIVE if node.get("concurrent") else ACCESS_EXCLUSIVE
        return Effect(tuple(Lock(mode, f"{n} (index)") for n in names), False, "", "drops an index")
    locks: tuple[Lock, ...] = ()
    if kind in ("table", "view", "materialized view"):
        locks = tuple(Lock(ACCESS_EXCLUSIVE, name) for name in names)
    return Effect(locks, False, "contract", f"drops {kind} {', '.join(names)}")


def _rename(node: Node) -> Effect:
    kind = str(node.get("renameType", "")).removeprefix("OBJECT_").lower()
    relation = node.get("relation")
    table = table_name(relation) if relation else ""
    old = node.get("subname") or table or ".".join(object_names({"objects": [node.get("object")]}))
    locks = (Lock(ACCESS_EXCLUSIVE, table),) if table else ()
    change: Change = "" if kind in ("index", "tabconstraint", "trigger") else "contract"
    if kind == "index":
        locks = (Lock(SHARE_UPDATE_EXCLUSIVE, f"{table} (index)"),)
    where = f" of {table}" if kind == "column" else ""
    return Effect(locks, False, change, f"renames {kind} {old}{where} to {node.get('newname')}")


def _alter(node: Node) -> Effect:
    table = table_name(node.get("relation"))
    parts = [_alter_command(table, cmd) for cmd in alter_commands(node)]
    if node.get("objtype") == "OBJECT_INDEX":
        parts = [Effect((Lock(SHARE_UPDATE_EXCLUSIVE, f"{table} (index)"),))]
    locks = tuple(dict.fromkeys(lock for part in parts for lock in part.locks))
    deciding = _deciding(parts)
    return Effect(_merged(locks), any(p.scan for p in parts), deciding.change, deciding.why)


def _deciding(parts: list[Effect]) -> Effect:
    for change in ("contract", "data", "expand"):
        for part in parts:
            if part.change == change:
                return part
    return parts[0] if parts else Effect()


def _merged(locks: tuple[Lock, ...]) -> tuple[Lock, ...]:
    """One lock per table: the strongest one the statement takes on it."""
    best: dict[str, str] = {}
    for lock in locks:
        if STRENGTH.index(lock.mode) > STRENGTH.index(best.get(lock.table, "")):
            best[lock.table] = lock.mode
    return tuple(Lock(mode, table) for table, mode in best.items())


_SHARE_UPDATE = {"AT_SetStatistics", "AT_ClusterOn", "AT_DropCluster", "AT_SetOptions",
                 "AT_ResetOptions", "AT_SetRelOptions", "AT_ResetRelOptions",
                 "AT_ValidateConstraint", "AT_AttachPartition"}  # fmt: skip
_TRIGGERS = "AT_EnableTrig", "AT_DisableTrig", "AT_EnableAlwaysTrig", "AT_EnableReplicaTrig"


def _alter_command(table: str, cmd: Node) -> Effect:
    subtype = str(cmd.get("subtype", ""))
    column = f"{table}.{cmd.get('name')}"
    if subtype == "AT_AddColumn":
        return _add_column(table, unwrap(cmd.get("def", {}))[1])
    if subtype == "AT_AddConstraint":
        return _add_constraint(table, unwrap(cmd.get("def", {}))[1])
    lock = (Lock(ACCESS_EXCLUSIVE, table),)
    simple: dict[str, Effect] = {
        "AT_DropColumn": Effect(lock, False, "contract", f"drops column {column}"),
        "AT_AlterColumnType": Effect(lock, False, "contract", f"changes the type of {column}"),
        "AT_SetNotNull": Effect(lock, True, "contract", f"makes {column} NOT NULL"),
        "AT_DropNotNull": Effect(lock, False, "expand", f"makes {column} nullable"),
        "AT_DropConstraint": Effect(lock, False, "expand", f"drops constraint {cmd.get('name')}"),
        "AT_DetachPartition": Effect(lock, False, "contract", f"detaches a partition of {table}"),
    }
    if subtype in simple:
        return simple[subtype]
    if subtype == "AT_ValidateConstraint":
        return Effect((Lock(SHARE_UPDATE_EXCLUSIVE, table),), True, "", "validates a constraint")
    if subtype in _SHARE_UPDATE or subtype == "AT_DetachPartitionFinalize":
        return Effect((Lock(SHARE_UPDATE_EXCLUSIVE, table),))
    if subtype.startswith(_TRIGGERS):
        return Effect((Lock(SHARE_ROW_EXCLUSIVE, table),))
    return Effect(lock)


def _add_column(table: str, column: Node) -> Effect:
    name = f"{table}.{column.get('colname')}"
    lock = (Lock(ACCESS_EXCLUSIVE, table),)
    filled = has_contype(column, "CONSTR_DEFAULT", "CONSTR_IDENTITY", "CONSTR_GENERATED")
    if has_contype(column, "CONSTR_NOTNULL", "CONSTR_PRIMARY") and not filled:
        why = f"adds {name} NOT NULL without a default (writes that omit it fail)"
        return Effect(lock, False, "contract", why)
    if has_contype(column, "CONSTR_UNIQUE", "CONSTR_CHECK", "CONSTR_FOREIGN"):
        return Effect(lock, True, "contract", f"adds {name} with a constraint")
    return Effect(lock, False, "expand", f"adds column {name}")


def _add_constraint(table: str, constraint: Node) -> Effect:
    contype = str(constraint.get("contype", ""))
    kind = contype.removeprefix("CONSTR_").lower().replace("foreign", "foreign key")
    name = constraint.get("conname") or ""
    locks: tuple[Lock, ...] = (Lock(ACCESS_EXCLUSIVE, table),)
    if contype == "CONSTR_FOREIGN":
        referenced = table_name(constraint.get("pktable"))
        locks = (Lock(SHARE_ROW_EXCLUSIVE, table), Lock(SHARE_ROW_EXCLUSIVE, referenced))
    scan = not constraint.get("skip_validation") and not constraint.get("indexname")
    later = " NOT VALID" if constraint.get("skip_validation") else ""
    return Effect(locks, scan, "contract", f"adds {kind} constraint {name}{later} on {table}")


def _dml(verb: str, *, filtered: bool) -> Callable[[Node], Effect]:
    """INSERT, UPDATE, DELETE, MERGE; `filtered`: without a WHERE it reads every row."""

    def read(node: Node) -> Effect:
        table = table_name(node.get("relation"))
        scan = filtered and "whereClause" not in node
        return Effect((Lock(ROW_EXCLUSIVE, table),), scan, "data", f"{verb} {table}")

    return read


def _truncate(node: Node) -> Effect:
    tables = [table_name(r["RangeVar"]) for r in node.get("relations", ())]
    locks = tuple(Lock(ACCESS_EXCLUSIVE, table) for table in tables)
    return Effect(locks, False, "data", f"deletes every row of {', '.join(tables)}")


def _enum(node: Node) -> Effect:
    name = ".".join(object_names({"objects": [{"TypeName": {"names": node.get("typeName")}}]}))
    if node.get("oldVal"):
        return Effect((), False, "contract", f"renames value {node['oldVal']} of type {name}")
    return Effect((), False, "expand", f"adds value {node.get('newVal')} to type {name}")


def _created(what: str) -> Callable[[Node], Effect]:
    def read(node: Node) -> Effect:
        return Effect((), False, "expand", f"creates {what}")

    return read


def _unknown(node: Node) -> Effect:
    return Effect((Lock(UNKNOWN, "?"),), False, "data", "runs code migrate-gate cannot read")


def _vacuum(node: Node) -> Effect:
    tables = [table_name(r["VacuumRelation"].get("relation")) for r in node.get("rels", ())]
    full = any(o.get("DefElem", {}).get("defname") == "full" for o in node.get("options", ()))
    mode = ACCESS_EXCLUSIVE if full else SHARE_UPDATE_EXCLUSIVE
    return Effect(tuple(Lock(mode, t) for t in tables), True)


def _refresh(node: Node) -> Effect:
    view = table_name(node.get("relation"))
    mode = EXCLUSIVE if node.get("concurrent") else ACCESS_EXCLUSIVE
    return Effect((Lock(mode, view),), True, "", f"refreshes {view}")


def _cluster(node: Node) -> Effect:
    table = table_name(node.get("relation"))
    return Effect((Lock(ACCESS_EXCLUSIVE, table),), True)


_READERS: dict[str, Callable[[Node], Effect]] = {
    "CreateStmt": _create,
    "IndexStmt": _index,
    "DropStmt": _drop,
    "RenameStmt": _rename,
    "AlterTableStmt": _alter,
    "InsertStmt": _dml("inserts into", filtered=False),
    "UpdateStmt": _dml("updates", filtered=True),
    "DeleteStmt": _dml("deletes from", filtered=True),
    "MergeStmt": _dml("merges into", filtered=False),
    "TruncateStmt": _truncate,
    "AlterEnumStmt": _enum,
    "CreateEnumStmt": _created("a type"),
    "CompositeTypeStmt": _created("a type"),
    "CreateDomainStmt": _created("a domain"),
    "CreateFunctionStmt": _created("a function"),
    "CreateSeqStmt": _created("a sequence"),
    "CreateExtensionStmt": _created("an extension"),
    "ViewStmt": _created("a view"),
    "CreateTableAsStmt": _created("a table from a query"),
    "CreateSchemaStmt": _created("a schema"),
    "DoStmt": _unknown,
    "CallStmt": _unknown,
    "VacuumStmt": _vacuum,
    "RefreshMatViewStmt": _refresh,
    "ClusterStmt": _cluster,
}
