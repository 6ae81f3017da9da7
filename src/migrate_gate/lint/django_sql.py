"""Render a Django project's migration SQL as `manage.py sqlmigrate` does, in one process.

A few lines run inside Django, through the Django ecosystem's shim (so the URL given to
migrate-gate wins over settings.py): they walk the plan `migrate` follows on an empty
database, collect each migration's SQL with sqlmigrate's collecting schema editor, and keep
the project's own migrations (not those of django.contrib or installed packages).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from ..ecosystems import django as tool
from ..ecosystems.base import Context, own_interpreter_hint
from ..errors import MigrationFailed, UsageError
from .model import Source

_OUTPUT_ENV = "MIGRATE_GATE_SQL_OUTPUT"
NO_URL = (
    "lint reads Django's SQL with manage.py sqlmigrate, which needs a database: pass "
    "--database-url (or set DATABASE_URL) to a scratch PostgreSQL database (left unchanged)"
)
NOT_POSTGRESQL = (
    "lint reads Django's SQL for PostgreSQL only (its rules are about PostgreSQL locks): "
    "pass a scratch postgresql:// --database-url instead of this {kind} one"
)

# Runs inside Django in place of execute_from_command_line, after _SHIM set the database.
# Some SQL Django writes depends on what the database holds (the name of the constraint that
# unique_together had), so each migration's SQL is also run, inside one transaction that is
# rolled back at the end: the next migration sees the schema, the database keeps nothing.
# Inside that transaction Django would refuse to even render AddIndexConcurrently; rendering
# it is harmless: run at once, a migration's statements share one savepoint, and when one
# fails (CREATE INDEX CONCURRENTLY) each runs in its own, so only that one is left out.
# Migrations outside the project (django.contrib, packages) are run but not reported.
_COLLECT = """
import django.core.management as management
def _collect_sql(argv=None):
    import json, os, sys
    import django
    django.setup()
    from django.contrib.postgres.operations import NotInTransactionMixin
    from django.db import DatabaseError, connection, transaction
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.state import ProjectState
    NotInTransactionMixin._ensure_not_in_transaction = lambda self, editor: None
    executor = MigrationExecutor(connection)
    loader = executor.loader
    plan = executor.migration_plan(loader.graph.leaf_nodes(), clean_start=True)
    root = os.path.realpath(os.getcwd()) + os.sep
    state = ProjectState(real_apps=loader.unmigrated_apps)
    found = []
    def run(cursor, sql):
        savepoint = transaction.savepoint()
        try:
            cursor.execute(sql)
        except DatabaseError:
            transaction.savepoint_rollback(savepoint)
            return False
        transaction.savepoint_commit(savepoint)
        return True
    def replay(collected):
        statements = [sql for sql in collected if not sql.startswith("--")]
        with connection.cursor() as cursor:
            if statements and not run(cursor, "\\n".join(statements)):
                for sql in statements:
                    run(cursor, sql)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '5s'")
        for migration, _ in plan:
            path = os.path.realpath(sys.modules[type(migration).__module__].__file__)
            ours = path.startswith(root) and "site-packages" not in path.split(os.sep)
            atomic = bool(migration.atomic and connection.features.can_rollback_ddl)
            entry = {"app": migration.app_label, "name": migration.name, "file": path,
                     "atomic": atomic}
            try:
                with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
                    state = migration.apply(state, editor, collect_sql=True)
                entry["sql"] = "\\n".join(editor.collected_sql)
                replay(editor.collected_sql)
            except Exception as error:  # every later state builds on this one: stop here
                entry["error"] = f"{type(error).__name__}: {error}".splitlines()[0]
                found.append(entry)
                break
            if ours:
                found.append(entry)
        transaction.set_rollback(True)
    with open(os.environ["MIGRATE_GATE_SQL_OUTPUT"], "w", encoding="utf-8") as output:
        json.dump(found, output)
management.execute_from_command_line = _collect_sql
"""


def sources(ctx: Context) -> list[Source]:
    """One Source per project migration, in plan order: its SQL, its file, its transaction."""
    from .sources import display

    return [
        Source(
            display(Path(entry["file"])),
            entry["sql"],
            "always" if entry["atomic"] else "none",
            sql_lines=False,
        )
        for entry in render(ctx)
    ]


def render(ctx: Context) -> list[dict[str, Any]]:
    """Each project migration as {app, name, file, atomic, sql}, in the order migrate runs them."""
    database = ctx.database
    if database is None:
        raise UsageError(NO_URL)
    if database.kind != "postgresql":
        raise UsageError(NOT_POSTGRESQL.format(kind=database.kind))
    tool.check(ctx)
    with tempfile.TemporaryDirectory(prefix="migrate-gate-lint-") as scratch:
        output = Path(scratch) / "migrations.json"
        result = ctx.run(
            [tool._interpreter(ctx), "-c", _COLLECT + tool._SHIM],
            env={**tool.shim_env(database, ctx.project_dir), _OUTPUT_ENV: str(output)},
            label="python manage.py sqlmigrate (every migration)",
            echo=False,
        )
        if not result.ok or not output.is_file():
            hint = own_interpreter_hint(tool._interpreter(ctx), result.output)
            raise MigrationFailed(f"manage.py sqlmigrate failed: {result.last_line()}{hint}")
        rendered: list[dict[str, Any]] = json.loads(output.read_text(encoding="utf-8"))
    for entry in rendered:
        if "error" in entry:
            raise MigrationFailed(
                f"manage.py sqlmigrate {entry['app']} {entry['name']} failed: {entry['error']}"
            )
    return rendered
