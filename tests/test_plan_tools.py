"""`migrate-gate plan` for Prisma, Django and Rails on real PostgreSQL: a history whose last two
migrations change data and contract the schema, planned against an empty target database that
must stay empty (the tools only read it; Django and Rails run on the scratch database)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from helpers import PgDatabase, copy_project, pg_rows, run_cli
from node_projects import PRISMA_ENV, node_project
from toolchains import locked_rails_app

_OBJECTS = "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace " \
    "where n.nspname = 'public'"  # fmt: skip


@pytest.fixture
def scratch(pg_admin: psycopg.Connection) -> PgDatabase:  # type: ignore[type-arg]
    database = PgDatabase(pg_admin)
    yield database  # type: ignore[misc]
    database.drop(pg_admin)


def plan(project: Path, target: PgDatabase, *extra: str, env: dict[str, str] | None = None) -> Any:
    result = run_cli("plan", "--database-url", target.url, "--json", *extra, cwd=project, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    result.assert_no_secret(target.password)
    assert pg_rows(target.url, _OBJECTS) == [(0,)]  # nothing written, not even bookkeeping
    return {m["id"]: m for m in result.report["plan"]["migrations"]}


def first(migration: dict[str, Any]) -> dict[str, Any]:
    return migration["statements"][0]  # type: ignore[no-any-return]


def test_prisma(tmp_path: Path, pg_database: PgDatabase) -> None:
    project = node_project("prisma", tmp_path)
    folder = project / "prisma" / "migrations"
    for name, sql in (
        ("20240104000000_fill_email", "UPDATE authors SET email = '' WHERE email IS NULL;\n"),
        ("20240105000000_drop_name", 'ALTER TABLE "authors" DROP COLUMN "name";\n'),
    ):
        (folder / name).mkdir()
        (folder / name / "migration.sql").write_text(sql)

    planned = plan(project, pg_database, env=PRISMA_ENV)

    kinds = [m["classification"] for m in planned.values()]
    assert kinds == ["expand", "expand", "expand", "data", "contract"]
    index = first(planned["20240103000000_index_author_email"])
    assert index["locks"][0]["mode"] == "SHARE" and index["scan"]
    assert "MG001" in {f["rule"] for f in index["findings"]}  # as lint says: it reads each file
    drop = first(planned["20240105000000_drop_name"])
    assert drop["locks"][0] == {"mode": "ACCESS EXCLUSIVE", "table": "authors", "size": None}


DJANGO_NEW = {
    "0003_fill_body.py": ("0002_post_body", "migrations.RunSQL(\"UPDATE blog_post SET body=''\")"),
    "0004_remove_title.py": (
        "0003_fill_body", 'migrations.RemoveField(model_name="post", name="title")'),
}  # fmt: skip


def test_django(tmp_path: Path, pg_database: PgDatabase, scratch: PgDatabase) -> None:
    project = copy_project("django", tmp_path)
    for name, (parent, operation) in DJANGO_NEW.items():
        (project / "blog" / "migrations" / name).write_text(
            "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
            f'    dependencies = [("blog", "{parent}")]\n    operations = [{operation}]\n'
        )

    planned = plan(project, pg_database, "--scratch-url", scratch.url)

    assert planned["blog.0003_fill_body"]["classification"] == "data"
    remove = planned["blog.0004_remove_title"]
    assert remove["classification"] == "contract"
    assert first(remove)["sql"].startswith('ALTER TABLE "blog_post" DROP COLUMN "title"')
    assert "MG008" in {f["rule"] for f in first(remove)["findings"]}
    assert planned["blog.0001_initial"]["classification"] == "expand"


RAILS_NEW = {
    "20240101000400_fill_titles.rb": ("FillTitles", "execute \"UPDATE books SET title = 'x'\""),
    "20240101000500_remove_title.rb": ("RemoveTitle", "remove_column :books, :title, :string"),
}


def test_rails(tmp_path: Path, pg_database: PgDatabase, scratch: PgDatabase) -> None:
    project = locked_rails_app(tmp_path / "rails")
    for name, (klass, body) in RAILS_NEW.items():
        (project / "db" / "migrate" / name).write_text(
            f"class {klass} < ActiveRecord::Migration[6.1]\n  def up\n    {body}\n  end\nend\n"
        )

    planned = plan(project, pg_database, "--scratch-url", scratch.url)

    assert [m["classification"] for m in planned.values()][-2:] == ["data", "contract"]
    books = first(planned["20240101000200"])
    assert books["change"] == "expand"
    assert {"mode": "SHARE ROW EXCLUSIVE", "table": "authors", "size": None} in books["locks"]
    remove = first(planned["20240101000500"])
    assert remove["sql"] == 'ALTER TABLE "books" DROP COLUMN "title"'
