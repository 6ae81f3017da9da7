"""PostgreSQL schema snapshot from the system catalogs (psycopg)."""

from __future__ import annotations

from ..db import connect_postgresql
from ..dburl import DatabaseUrl
from .snapshot import Snapshot

_USER = "n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'"
# schema-qualified only outside `public`, so snapshots read like the migrations that made them
_PREFIX = "case when n.nspname = 'public' then '' else n.nspname || '.' end"

# Each query yields (owning table, name, description).
_QUERIES = {
    "table": f"""
        select c.relname, {_PREFIX} || c.relname, ''
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and {_USER}""",
    "column": f"""
        select c.relname, {_PREFIX} || c.relname || '.' || a.attname,
               format_type(a.atttypid, a.atttypmod)
               || case when a.attnotnull then ' not null' else ' null' end
               || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
        from pg_attribute a
        join pg_class c on c.oid = a.attrelid
        join pg_namespace n on n.oid = c.relnamespace
        left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
        where c.relkind in ('r', 'p', 'v', 'm') and a.attnum > 0 and not a.attisdropped
          and {_USER}""",
    "index": f"""
        select t.relname, {_PREFIX} || t.relname || '.' || i.relname, pg_get_indexdef(i.oid)
        from pg_index x
        join pg_class i on i.oid = x.indexrelid
        join pg_class t on t.oid = x.indrelid
        join pg_namespace n on n.oid = t.relnamespace
        where {_USER}""",
    "constraint": f"""
        select t.relname, {_PREFIX} || coalesce(t.relname || '.', '') || con.conname,
               pg_get_constraintdef(con.oid)
        from pg_constraint con
        join pg_namespace n on n.oid = con.connamespace
        left join pg_class t on t.oid = con.conrelid
        where {_USER}""",
    "sequence": f"""
        select owner.relname, {_PREFIX} || c.relname, format_type(s.seqtypid, null)
        from pg_sequence s join pg_class c on c.oid = s.seqrelid
        join pg_namespace n on n.oid = c.relnamespace
        left join pg_depend dep on dep.objid = c.oid and dep.deptype in ('a', 'i')
            and dep.refclassid = 'pg_class'::regclass
        left join pg_class owner on owner.oid = dep.refobjid
        where {_USER}""",
    "enum": f"""
        select null, {_PREFIX} || t.typname,
               string_agg(e.enumlabel, ', ' order by e.enumsortorder)
        from pg_type t join pg_enum e on e.enumtypid = t.oid
        join pg_namespace n on n.oid = t.typnamespace
        where {_USER}
        group by n.nspname, t.typname""",
    "view": f"""
        select null, {_PREFIX} || c.relname,
               regexp_replace(pg_get_viewdef(c.oid, true), '\\s+', ' ', 'g')
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('v', 'm') and {_USER}""",
}


def snapshot(database: DatabaseUrl, bookkeeping: frozenset[str]) -> Snapshot:
    """Tables, columns, indexes, constraints, sequences, enums and views of user schemas."""
    result: Snapshot = {}
    with connect_postgresql(database) as connection:
        for kind, sql in _QUERIES.items():
            for owner, name, description in connection.execute(sql).fetchall():
                if owner not in bookkeeping:
                    result[f"{kind} {name}"] = description
    return result
