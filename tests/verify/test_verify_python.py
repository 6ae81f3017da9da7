"""verify with the real alembic and Django on PostgreSQL and SQLite: reversible histories
pass; a lossy or missing down fails, naming the migration with the schema difference."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from backends import Backend, make_backend
from helpers import CliResult, copy_project, run_cli

ALEMBIC = ["1f3a5c7e9b01", "2b4d6f8a0c12", "3c5e7a9b1d23"]

LOSSY_DJANGO = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.RunSQL(
            "ALTER TABLE blog_post ADD COLUMN views integer;"
            " CREATE INDEX blog_post_views ON blog_post (views)",
            reverse_sql="DROP INDEX blog_post_views",
        )
    ]
"""

IRREVERSIBLE_DJANGO = """from django.db import migrations


def noop(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(noop)]
"""


def verify(backend: Backend, *extra: str) -> CliResult:
    result = run_cli("verify", "--json", "--database-url", backend.url, *extra, cwd=backend.project)
    if backend.password:
        result.assert_no_secret(backend.password)
    return result


@pytest.fixture
def alembic(request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path) -> Backend:
    return make_backend(request, backend_kind, copy_project("alembic", tmp_path))


@pytest.fixture
def django(request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path) -> Backend:
    return make_backend(request, backend_kind, copy_project("django", tmp_path))


def test_reversible_alembic_history_passes(alembic: Backend, tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    result = verify(alembic, "--junit", str(junit))
    assert result.returncode == 0, result.stderr
    report = result.report
    assert report["status"] == "success" and report["command"] == "verify"
    assert [c["migration"] for c in report["checks"]] == list(reversed(ALEMBIC))
    assert {c["result"] for c in report["checks"]} == {"passed"}
    assert report["applied"] == ALEMBIC and report["pending"] == []
    assert "published_year" in alembic.columns("books")  # left migrated, like after `migrate`
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("3", "0")


def test_alembic_down_that_leaves_a_column_fails_naming_it(alembic: Backend) -> None:
    script = alembic.project / "migrations" / "versions" / "2b4d6f8a0c12_create_books.py"
    lossy = '    op.drop_table("books")\n    op.add_column("authors", sa.Column("legacy", sa.Text))'
    script.write_text(script.read_text().replace('    op.drop_table("books")', lossy))
    result = verify(alembic)
    assert result.returncode == 1
    report = result.report
    assert report["status"] == "failed" and report["error"].startswith("2b4d6f8a0c12:")
    failed = report["checks"][-1]
    assert (failed["migration"], failed["result"]) == ("2b4d6f8a0c12", "failed")
    assert failed["diff"] == ["+ column authors.legacy (text null)"]
    assert report["checks"][0] == {
        "migration": "3c5e7a9b1d23",
        "result": "passed",
        "message": "",
        "diff": [],
    }


def test_alembic_down_that_forgets_an_index(alembic: Backend) -> None:
    script = alembic.project / "migrations" / "versions" / "3c5e7a9b1d23_add_published_year.py"
    index = '    op.create_index("ix_books_title", "books", ["title"])\n'
    script.write_text(
        script.read_text().replace("\n\ndef downgrade", f"\n{index}\n\ndef downgrade")
    )
    report = verify(alembic).report
    failed = report["checks"][0]
    assert (failed["migration"], failed["result"]) == ("3c5e7a9b1d23", "failed")
    assert len(failed["diff"]) == 1
    assert failed["diff"][0].startswith("+ index books.ix_books_title (CREATE INDEX ix_books_title")


def test_refuses_a_database_with_application_tables(alembic: Backend) -> None:
    assert run_cli("migrate", "--database-url", alembic.url, cwd=alembic.project).returncode == 0
    result = verify(alembic)
    assert result.returncode == 2 and result.stdout == ""
    assert "already holds application tables (authors, books)" in result.stderr
    assert verify(alembic, "--allow-nonempty").returncode == 0  # nothing pending: nothing walked


def test_reversible_django_history_passes(django: Backend) -> None:
    result = verify(django)
    assert result.returncode == 0, result.stderr
    checks = result.report["checks"]
    assert [c["migration"] for c in checks] == [
        "shop.0001_initial",
        "blog.0002_post_body",
        "blog.0001_initial",
    ]


def test_django_lossy_reverse_sql_fails(django: Backend) -> None:
    (django.project / "shop" / "migrations" / "0002_views.py").write_text(LOSSY_DJANGO)
    report = verify(django).report
    failed = report["checks"][0]
    assert (failed["migration"], failed["result"]) == ("shop.0002_views", "failed")
    assert failed["diff"] == ["+ column blog_post.views (integer null)"]


def test_django_irreversible_operation_is_reported_as_such(django: Backend) -> None:
    (django.project / "shop" / "migrations" / "0002_noop.py").write_text(IRREVERSIBLE_DJANGO)
    result = verify(django)
    assert result.returncode == 1
    failed = result.report["checks"][0]
    assert (failed["migration"], failed["result"]) == ("shop.0002_noop", "irreversible")


def test_since_walks_only_migrations_added_after_the_ref(tmp_path: Path) -> None:
    """A real git repository: revisions 1 and 2 committed, 3 added after; only 3 is walked."""
    project = copy_project("alembic", tmp_path)
    versions = project / "migrations" / "versions"
    third = versions / "3c5e7a9b1d23_add_published_year.py"
    text = third.read_text()
    third.unlink()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "."], cwd=project, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=project, check=True)
    third.write_text(text)
    backend = Backend("sqlite", "sqlite:///app.db", project)
    result = verify(backend, "--since", "HEAD")
    assert result.returncode == 0, result.stderr
    report = result.report
    assert [c["migration"] for c in report["checks"]] == ["3c5e7a9b1d23"]
    assert report["applied"] == ALEMBIC  # the older two applied first, unchecked
    unknown = verify(Backend("sqlite", "sqlite:///other.db", project), "--since", "no-such-ref")
    assert unknown.returncode == 2 and "unknown git ref 'no-such-ref'" in unknown.stderr


def test_a_step_that_exits_0_without_reaching_its_target_fails(
    alembic: Backend, tmp_path: Path
) -> None:
    """env.py connects elsewhere: every `alembic upgrade <rev>` exits 0 and the scratch database
    stays empty. verify must not call that a pass (its snapshots would all be equal)."""
    elsewhere = tmp_path / "elsewhere.sqlite3"
    env_py = alembic.project / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "    connectable = engine_from_config(",
            f'    config.set_main_option("sqlalchemy.url", "sqlite:///{elsewhere}")\n'
            "    connectable = engine_from_config(",
        )
    )
    result = verify(alembic)
    assert result.returncode == 1 and result.report["status"] == "failed"
    first = result.report["checks"][0]
    assert (first["migration"], first["result"]) == (ALEMBIC[-1], "failed")
    assert "records nothing as the newest applied" in first["message"]
    assert "env.py" in first["message"] and elsewhere.exists()
