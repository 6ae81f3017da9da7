"""Django end to end: the real manage.py on real PostgreSQL and SQLite, two apps."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from backends import Backend, make_backend
from helpers import CliResult, copy_project, run_cli

PLAN = ["blog.0001_initial", "blog.0002_post_body", "shop.0001_initial"]

FAILING_MIGRATION = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunSQL("ALTER TABLE no_such_table ADD COLUMN x integer")]
"""


@pytest.fixture
def backend(request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path) -> Backend:
    return make_backend(request, backend_kind, copy_project("django", tmp_path))


def cli(backend: Backend, *args: str) -> CliResult:
    result = run_cli(*args, "--json", "--database-url", backend.url, cwd=backend.project)
    if backend.password:
        result.assert_no_secret(backend.password)
    return result


def recorded(backend: Backend) -> list[str]:
    """What django_migrations says is applied, in plan order."""
    if "django_migrations" not in backend.tables():
        return []
    rows = backend.rows("select app, name from django_migrations")
    names = {f"{app}.{name}" for app, name in rows}
    return [m for m in [*PLAN, "shop.0002_fails"] if m in names]


def tool_starts(result: CliResult) -> list[str]:
    """The tool runs a command made, as its log announces each ("$ python manage.py ...")."""
    return [line[2:] for line in result.stderr.splitlines() if line.startswith("$ ")]


def test_migrate_status_rollback_migrate(backend: Backend) -> None:
    migrated = cli(backend, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    report = migrated.report
    assert (report["ecosystem"], report["status"], report["error"]) == ("django", "success", None)
    assert report["applied"] == PLAN and report["current"] == PLAN[-1] and report["pending"] == []
    assert recorded(backend) == PLAN
    assert tool_starts(migrated) == ["python manage.py migrate --noinput"]  # one Django start
    assert {"blog_post", "shop_product"} <= backend.tables()

    status = cli(backend, "status").report
    assert (status["current"], status["pending"]) == (PLAN[-1], [])

    rolling = cli(backend, "rollback")
    assert len(tool_starts(rolling)) == 2  # the plan, then the one step
    rolled = rolling.report
    assert rolled["rolled_back"] == ["shop.0001_initial"]
    assert rolled["current"] == "blog.0002_post_body" and rolled["pending"] == ["shop.0001_initial"]
    assert recorded(backend) == PLAN[:2] and "shop_product" not in backend.tables()

    status = cli(backend, "status").report
    assert status["pending"] == ["shop.0001_initial"]

    again = cli(backend, "migrate").report
    assert again["applied"] == ["shop.0001_initial"] and recorded(backend) == PLAN


def test_rollback_crosses_apps_in_plan_order(backend: Backend) -> None:
    assert cli(backend, "migrate").returncode == 0
    rolled = cli(backend, "rollback", "--steps", "2").report
    assert rolled["rolled_back"] == ["shop.0001_initial", "blog.0002_post_body"]
    assert recorded(backend) == ["blog.0001_initial"]
    assert "body" not in backend.columns("blog_post")


def test_failing_migration_reports_what_committed(backend: Backend) -> None:
    (backend.project / "shop" / "migrations" / "0002_fails.py").write_text(FAILING_MIGRATION)
    result = cli(backend, "migrate")
    assert result.returncode == 1
    report = result.report
    assert report["status"] == "failed"
    assert "shop.0002_fails" in report["error"] and "no_such_table" in report["error"]
    assert report["applied"] == recorded(backend) == PLAN  # each Django migration commits alone
    assert report["pending"] == ["shop.0002_fails"]


def test_settings_database_is_overridden(backend: Backend) -> None:
    settings = (backend.project / "mysite" / "settings.py").read_text()
    assert "/nonexistent/should-not-be-used.sqlite3" in settings
    assert cli(backend, "migrate").returncode == 0
    assert "blog_post" in backend.tables()


SUBTITLE_MIGRATION = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("blog", "0002_post_body")]
    operations = [
        migrations.AddField(
            model_name="post", name="subtitle", field=models.TextField(default="")
        ),
    ]
"""


def test_rollback_reverts_the_most_recently_applied_not_the_last_of_the_plan(
    backend: Backend,
) -> None:
    """A later deploy adds blog.0003; Django's plan puts it before shop.0001 (apps in label
    order), but the database applied it last: rollback --steps 1 must revert it alone."""
    assert cli(backend, "migrate").returncode == 0
    backend.execute("insert into shop_product (name) values ('kept')")
    (backend.project / "blog" / "migrations" / "0003_post_subtitle.py").write_text(
        SUBTITLE_MIGRATION
    )
    deployed = cli(backend, "migrate").report
    assert deployed["applied"] == ["blog.0003_post_subtitle"]
    assert deployed["current"] == "blog.0003_post_subtitle"
    assert cli(backend, "status").report["current"] == "blog.0003_post_subtitle"

    rolled = cli(backend, "rollback", "--steps", "1").report
    assert (rolled["status"], rolled["rolled_back"]) == ("success", ["blog.0003_post_subtitle"])
    assert rolled["current"] == "shop.0001_initial"
    assert "subtitle" not in backend.columns("blog_post")
    assert backend.rows("select name from shop_product") == [("kept",)]


SLOW_MIGRATION = """import time

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(lambda apps, schema_editor: time.sleep(30))]
"""


def test_timeout_report_reads_what_committed(backend: Backend) -> None:
    """--timeout stops Django in its fourth migration: the after-read has a budget of its own,
    so the report lists the three that committed instead of an empty state."""
    (backend.project / "shop" / "migrations" / "0002_slow.py").write_text(SLOW_MIGRATION)
    result = run_cli(
        "migrate", "--json", "--timeout", "6", "--database-url", backend.url, cwd=backend.project
    )
    report = result.report
    assert (result.returncode, report["status"]) == (1, "failed")
    assert "timed out" in report["error"]
    assert report["applied"] == recorded(backend) == PLAN
    assert report["current"] == PLAN[-1] and report["pending"] == ["shop.0002_slow"]
    assert "state" not in report


SQUASHED = """from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("blog", "0001_initial"), ("blog", "0002_post_body")]
    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [
        migrations.CreateModel(
            name="Post",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("title", models.CharField(max_length=200)),
                ("body", models.TextField(default="")),
            ],
        ),
    ]
"""
SQUASH = "blog.0001_squashed_0002_post_body"


def djangos_own_plan(backend: Backend, *args: str) -> tuple[list[str], list[str]]:
    """Run Django itself on the backend's database (`showmigrations --plan` unless told
    otherwise): what it marks [X] and [ ], in plan order."""
    from migrate_gate.dburl import parse
    from migrate_gate.ecosystems import django as ecosystem

    argv = [sys.executable, "-c", ecosystem._SHIM, *(args or ("showmigrations", "--plan"))]
    env = {**os.environ, **ecosystem.shim_env(parse(backend.url), backend.project)}
    output = subprocess.run(
        argv, cwd=backend.project, env=env, capture_output=True, text=True, check=True
    ).stdout
    applied: list[str] = []
    pending: list[str] = []
    for line in output.splitlines():
        mark, _, name = line.strip().partition("  ")
        if mark in ("[X]", "[ ]"):
            (applied if mark == "[X]" else pending).append(name.split(" ", 1)[0])
    return applied, pending


def test_squashed_migrations_on_a_fresh_database_as_django_sees_them(backend: Backend) -> None:
    (backend.project / "blog" / "migrations" / "0001_squashed_0002_post_body.py").write_text(
        SQUASHED
    )
    status = cli(backend, "status").report
    assert status["pending"] == djangos_own_plan(backend)[1] == [SQUASH, "shop.0001_initial"]
    migrated = cli(backend, "migrate").report
    assert migrated["status"] == "success", migrated["error"]
    assert migrated["applied"] == djangos_own_plan(backend)[0] == [SQUASH, "shop.0001_initial"]
    assert migrated["pending"] == [] and "body" in backend.columns("blog_post")


def test_a_squash_over_a_partly_applied_history_keeps_the_replaced_migrations(
    backend: Backend,
) -> None:
    djangos_own_plan(backend, "migrate", "blog", "0001_initial")
    (backend.project / "blog" / "migrations" / "0001_squashed_0002_post_body.py").write_text(
        SQUASHED
    )
    applied, pending = djangos_own_plan(backend)
    assert (applied, pending) == (
        ["blog.0001_initial"],
        ["blog.0002_post_body", "shop.0001_initial"],
    )
    status = cli(backend, "status").report
    assert (status["current"], status["pending"]) == (applied[-1], pending)
    migrated = cli(backend, "migrate").report
    assert migrated["status"] == "success", migrated["error"]
    assert migrated["applied"] == pending and migrated["pending"] == []
    assert djangos_own_plan(backend) == ([SQUASH, "shop.0001_initial"], [])
    assert cli(backend, "status").report["current"] == "shop.0001_initial"
