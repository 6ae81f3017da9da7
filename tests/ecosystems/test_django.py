"""Django end to end: the real manage.py on real PostgreSQL and SQLite, two apps."""

from __future__ import annotations

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


def test_migrate_status_rollback_migrate(backend: Backend) -> None:
    migrated = cli(backend, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    report = migrated.report
    assert (report["ecosystem"], report["status"], report["error"]) == ("django", "success", None)
    assert report["applied"] == PLAN and report["current"] == PLAN[-1] and report["pending"] == []
    assert recorded(backend) == PLAN
    assert {"blog_post", "shop_product"} <= backend.tables()

    status = cli(backend, "status").report
    assert (status["current"], status["pending"]) == (PLAN[-1], [])

    rolled = cli(backend, "rollback").report
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
