"""Reading a Django project's SQL for lint: the real manage.py and Django, a real PostgreSQL
scratch database that lint must leave as it found it, the migration file in each finding."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from helpers import BIN, PgDatabase, copy_project, pg_rows, run_cli
from lint_helpers import run_lint

from migrate_gate.dburl import parse
from migrate_gate.ecosystems import django as tool
from migrate_gate.ecosystems.base import Context
from migrate_gate.lint import django_sql
from migrate_gate.masking import Masker
from migrate_gate.runner import Runner


def migration(after: str, *operations: str) -> str:
    """A Django migration file of blog, after migration `after`."""
    lines = "".join(f"        {operation},\n" for operation in operations)
    return (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        f'    dependencies = [("blog", "{after}")]\n'
        f"    operations = [\n{lines}    ]\n"
    )


RISKY = migration(
    "0002_post_body",
    'migrations.AddIndex("post", models.Index(fields=["title"], name="post_title_idx"))',
    'migrations.RenameField("post", "body", "content")',
    'migrations.AddField("post", "rank", models.IntegerField())',
    'migrations.RemoveField("post", "title")',
)
UNIQUE = migration("0002_post_body", 'migrations.AlterUniqueTogether("post", {("title", "body")})')
NOT_UNIQUE = migration("0003_unique", 'migrations.AlterUniqueTogether("post", set())')
CONCURRENT = """from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = {atomic}
    dependencies = [("blog", "{after}")]
    operations = [
        migrations.RunSQL("SET lock_timeout = '5s'"),
        AddIndexConcurrently("post", models.Index(fields=["{field}"], name="post_{field}_idx")),
    ]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project("django", tmp_path)


def add(project: Path, name: str, text: str) -> str:
    (project / "blog" / "migrations" / f"{name}.py").write_text(text, encoding="utf-8")
    return f"blog/migrations/{name}.py"


def lint(project: Path, url: str, password: str) -> dict[str, Any]:
    result = run_lint("--json", "--database-url", url, cwd=project)
    result.assert_no_secret(password)
    assert result.report["error"] is None or "finding(s)" in result.report["error"], result.stderr
    return result.report


def objects(url: str) -> list[tuple[Any, ...]]:
    """Every table, index, sequence, view and type in the database's public schema."""
    return pg_rows(
        url,
        "select relname from pg_class where relnamespace = 'public'::regnamespace"
        " union all select typname from pg_type where typnamespace = 'public'::regnamespace",
    )


def found(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["file"], f["rule"]) for f in report["findings"] if f["severity"] != "info"]


def test_findings_name_the_migration_file_and_leave_the_database_alone(
    project: Path, pg_database: PgDatabase
) -> None:
    risky = add(project, "0003_risky", RISKY)
    report = lint(project, pg_database.url, pg_database.password)
    assert report["ecosystem"] == "django"
    assert found(report) == [
        ("blog/migrations/0002_post_body.py", "MG009"),  # Django sets no lock_timeout
        (risky, "MG001"),  # AddIndex: CREATE INDEX without CONCURRENTLY
        (risky, "MG009"),
        (risky, "MG007"),  # RenameField
        (risky, "MG003"),  # AddField NOT NULL without a default
        (risky, "MG008"),  # RemoveField: DROP COLUMN
    ]
    first = [f for f in report["findings"] if f["severity"] != "info"][1]
    assert first["line"] == 1 and 'CREATE INDEX "post_title_idx" ON "blog_post"' in first["message"]
    assert {f["severity"] for f in report["findings"] if f["rule"] == "MG008"} == {"error"}
    # shop.0001 creates its table and indexes it: nothing to report; nothing was left
    assert objects(pg_database.url) == []


def test_concurrent_index_only_flagged_inside_djangos_transaction(
    project: Path, pg_database: PgDatabase
) -> None:
    outside = CONCURRENT.format(atomic=False, after="0002_post_body", field="title")
    inside = CONCURRENT.format(atomic=True, after="0003_title", field="body")
    add(project, "0003_title", outside)
    atomic = add(project, "0004_body", inside)  # `migrate` refuses it; lint says why
    report = lint(project, pg_database.url, pg_database.password)
    assert found(report) == [("blog/migrations/0002_post_body.py", "MG009"), (atomic, "MG002")]
    assert (
        "CREATE INDEX CONCURRENTLY"
        in [f for f in report["findings"] if f["severity"] != "info"][1]["message"]
    )
    assert objects(pg_database.url) == []


def test_a_migration_django_cannot_render_fails_the_run_by_name(
    project: Path, pg_database: PgDatabase
) -> None:
    add(project, "0003_broken", migration("0002_post_body", 'migrations.RemoveField("nope", "x")'))
    result = run_lint("--json", "--database-url", pg_database.url, cwd=project)
    assert result.returncode == 1 and result.report["findings"] == []
    assert result.report["error"].startswith("manage.py sqlmigrate blog 0003_broken failed: ")
    assert result.report["ecosystem"] == "django"
    result.assert_no_secret(pg_database.password)
    text = run_lint("--database-url", pg_database.url, cwd=project)  # the text format says why
    assert text.returncode == 1 and "0003_broken failed" in text.stderr


def context(project: Path, url: str) -> Context:
    database = parse(url)
    return Context(project, database, Runner(masker=Masker(database.secrets())))


def manage(project: Path, url: str, *args: str) -> str:
    """The real `manage.py ARGS` output, with the database set the way migrate-gate sets it."""
    done = subprocess.run(
        [sys.executable, "-c", tool._SHIM, *args],
        cwd=project,
        env={"PATH": f"{BIN}:/usr/bin:/bin", **tool.shim_env(parse(url), project)},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def second_database(pg_admin: psycopg.Connection) -> Iterator[PgDatabase]:  # type: ignore[type-arg]
    database = PgDatabase(pg_admin)
    yield database
    database.drop(pg_admin)


def test_sql_is_what_sqlmigrate_prints_even_when_django_reads_the_schema(
    project: Path,
    pg_database: PgDatabase,
    second_database: PgDatabase,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", f"{BIN}:{os.environ['PATH']}")  # where django-admin is
    add(project, "0003_unique", UNIQUE)
    add(project, "0004_not_unique", NOT_UNIQUE)
    rendered = django_sql.render(context(project, pg_database.url))
    names = [(entry["app"], entry["name"]) for entry in rendered]
    assert names == [("blog", "0001_initial"), ("blog", "0002_post_body"),
                     ("blog", "0003_unique"), ("blog", "0004_not_unique"),
                     ("shop", "0001_initial")]  # fmt: skip
    assert rendered[0]["file"] == str((project / "blog/migrations/0001_initial.py").resolve())
    assert all(entry["atomic"] for entry in rendered)
    # sqlmigrate wraps atomic migrations in BEGIN/COMMIT; lint knows the transaction instead
    for entry in rendered[:3]:
        printed = manage(project, pg_database.url, "sqlmigrate", entry["app"], entry["name"])
        assert printed.strip() == f"BEGIN;\n{entry['sql']}\nCOMMIT;"
    # Dropping unique_together needs the constraint's name from the database: sqlmigrate
    # fails on an empty one, and prints the same SQL as lint once 0003 is applied
    with pytest.raises(subprocess.CalledProcessError) as failed:
        manage(project, pg_database.url, "sqlmigrate", "blog", "0004_not_unique")
    assert "Found wrong number (0) of constraints" in failed.value.stderr
    manage(project, second_database.url, "migrate", "blog", "0003", "--noinput")
    printed = manage(project, second_database.url, "sqlmigrate", "blog", "0004_not_unique")
    assert "DROP CONSTRAINT" in rendered[3]["sql"]
    assert printed.strip() == f"BEGIN;\n{rendered[3]['sql']}\nCOMMIT;"
    assert objects(pg_database.url) == []  # sqlmigrate and lint both left it as it was


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (None, "pass --database-url (or set DATABASE_URL) to a scratch PostgreSQL database"),
        ("sqlite:///app.db", "pass a scratch postgresql:// --database-url instead of this sqlite"),
    ],
)
def test_without_a_postgresql_url_nothing_runs(
    project: Path, url: str | None, expected: str
) -> None:
    result = run_cli("lint", *(["--database-url", url] if url else []), cwd=project)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and expected in result.stderr
    assert "$ python manage.py" not in result.stderr  # the runner's echo: nothing ran
    assert not (project / "app.db").exists()


LEAKY = """from django.db import migrations


class Leak(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        password = schema_editor.connection.settings_dict["PASSWORD"]
        raise RuntimeError(f"cannot connect with {{password!r}} {{password}}")


class Migration(migrations.Migration):
    dependencies = [("blog", "0002_post_body")]
    operations = [Leak("select 1")]
"""


@pytest.mark.parametrize("char", ['"', "\\\\", "'", "@:/%#?&"])
def test_a_tool_error_naming_the_password_is_masked(
    project: Path,
    pg_database: PgDatabase,
    pg_admin: psycopg.Connection,  # type: ignore[type-arg]
    char: str,
) -> None:
    """The error comes from Django through the rendered-SQL file, not the tool's output."""
    from urllib.parse import quote

    from psycopg import sql

    password = f"Zebra{char}Secret42"
    pg_admin.execute(
        sql.SQL("alter role {} password {}").format(
            sql.Identifier(pg_database.name), sql.Literal(password)
        )
    )
    url = pg_database.url.replace(pg_database.password, quote(password, safe=""))
    add(project, "0003_leak", LEAKY.format())
    for args in (["--json"], ["--json", "--format", "sarif", "--output", "out.sarif"], []):
        result = run_lint(*args, "--database-url", url, cwd=project)
        assert result.returncode == 1, result.stderr
        for spelling in (password, repr(password)[1:-1], quote(password, safe="")):
            result.assert_no_secret(spelling)
        if args:
            assert "0003_leak failed: RuntimeError: cannot connect with" in result.report["error"]
