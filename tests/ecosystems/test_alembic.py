"""Alembic end to end: the real alembic CLI on real PostgreSQL and SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest
from backends import Backend, make_backend
from helpers import CliResult, copy_project, run_cli

REVISIONS = ["1f3a5c7e9b01", "2b4d6f8a0c12", "3c5e7a9b1d23"]

FAILING_REVISION = '''"""fails"""
from alembic import op

revision = "4d6f8b0c2e34"
down_revision = "3c5e7a9b1d23"


def upgrade() -> None:
    op.execute("ALTER TABLE no_such_table ADD COLUMN x integer")


def downgrade() -> None:
    pass
'''


@pytest.fixture
def backend(request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path) -> Backend:
    return make_backend(request, backend_kind, copy_project("alembic", tmp_path))


def cli(backend: Backend, *args: str) -> CliResult:
    result = run_cli(*args, "--json", "--database-url", backend.url, cwd=backend.project)
    if backend.password:
        result.assert_no_secret(backend.password)
    return result


def applied_in_database(backend: Backend) -> list[str]:
    if "alembic_version" not in backend.tables():
        return []
    return [row[0] for row in backend.rows("select version_num from alembic_version")]


def test_migrate_status_rollback_migrate(backend: Backend) -> None:
    migrated = cli(backend, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    report = migrated.report
    assert report["tool"] == "migrate-gate" and report["command"] == "migrate"
    assert report["ecosystem"] == "alembic" and report["status"] == "success"
    assert report["applied"] == REVISIONS and report["rolled_back"] == []
    assert report["current"] == REVISIONS[-1] and report["pending"] == []
    assert report["error"] is None and report["duration_seconds"] > 0
    assert report["project_dir"] == str(backend.project)
    assert applied_in_database(backend) == [REVISIONS[-1]]
    assert "published_year" in backend.columns("books")

    status = cli(backend, "status").report
    assert (status["current"], status["pending"], status["applied"]) == (REVISIONS[-1], [], [])

    rolled = cli(backend, "rollback")
    assert rolled.returncode == 0, rolled.stderr
    assert rolled.report["rolled_back"] == [REVISIONS[-1]]
    assert rolled.report["current"] == REVISIONS[1]
    assert rolled.report["pending"] == [REVISIONS[-1]]
    assert applied_in_database(backend) == [REVISIONS[1]]
    assert "published_year" not in backend.columns("books")

    status = cli(backend, "status").report
    assert (status["current"], status["pending"]) == (REVISIONS[1], [REVISIONS[-1]])

    again = cli(backend, "migrate").report
    assert again["applied"] == [REVISIONS[-1]] and again["current"] == REVISIONS[-1]


def test_rollback_steps_reverts_exactly_n_newest_first(backend: Backend) -> None:
    assert cli(backend, "migrate").returncode == 0
    rolled = cli(backend, "rollback", "--steps", "2").report
    assert rolled["rolled_back"] == [REVISIONS[2], REVISIONS[1]]
    assert rolled["current"] == REVISIONS[0]
    assert backend.tables() >= {"authors"} and "books" not in backend.tables()


def test_rollback_more_than_applied_fails_without_change(backend: Backend) -> None:
    assert cli(backend, "migrate").returncode == 0
    result = cli(backend, "rollback", "--steps", "5")
    assert result.returncode == 1
    assert "only 3 applied" in result.report["error"]
    assert applied_in_database(backend) == [REVISIONS[-1]]


def test_failing_revision_reports_what_really_committed(backend: Backend) -> None:
    versions = backend.project / "migrations" / "versions"
    (versions / "4d6f8b0c2e34_fails.py").write_text(FAILING_REVISION)
    result = cli(backend, "migrate")
    assert result.returncode == 1
    report = result.report
    assert report["status"] == "failed"
    assert "4d6f8b0c2e34" in report["error"] and "no_such_table" in report["error"]
    # PostgreSQL ran the whole upgrade in one transaction, SQLite committed each revision:
    # whatever the database holds is what the report must say.
    in_database = applied_in_database(backend)
    expected = REVISIONS[: REVISIONS.index(in_database[0]) + 1] if in_database else []
    assert report["applied"] == expected
    assert "4d6f8b0c2e34" in report["pending"]
    assert "Traceback" not in result.stdout


def test_stock_ini_url_is_overridden(backend: Backend) -> None:
    ini = (backend.project / "alembic.ini").read_text()
    assert "sqlalchemy.url = driver://user:pass@localhost/dbname" in ini
    assert cli(backend, "migrate").returncode == 0
    assert "authors" in backend.tables()


def test_database_url_from_environment(backend: Backend) -> None:
    result = run_cli("migrate", "--json", cwd=backend.project, env={"DATABASE_URL": backend.url})
    assert result.returncode == 0, result.stderr
    assert result.report["applied"] == REVISIONS
    if backend.password:
        result.assert_no_secret(backend.password)


def test_env_py_that_connects_elsewhere_fails_the_truth_check(
    backend: Backend, tmp_path: Path
) -> None:
    """Like the FastAPI template, env.py builds its URL from its own settings and ignores
    sqlalchemy.url: alembic exits 0 having migrated another database. The report must not
    say success, and must say what the given database shows and why."""
    elsewhere = tmp_path / "elsewhere.sqlite3"
    env_py = backend.project / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "    connectable = engine_from_config(",
            f'    config.set_main_option("sqlalchemy.url", "sqlite:///{elsewhere}")\n'
            "    connectable = engine_from_config(",
        )
    )
    result = cli(backend, "migrate")
    report = result.report
    assert (result.returncode, report["status"]) == (1, "failed")
    assert report["applied"] == [] and report["pending"] == REVISIONS
    assert "exited 0 but" in report["error"] and "3 pending" in report["error"]
    assert "env.py" in report["error"]
    assert applied_in_database(backend) == []
    assert elsewhere.exists()  # it really went elsewhere: the check is what caught it


def _revision(revision: str, down: str) -> str:
    return f'''"""{revision}"""
revision = "{revision}"
down_revision = {down}


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
'''


def test_two_heads_are_refused_and_a_merge_revision_is_fine(backend: Backend) -> None:
    versions = backend.project / "migrations" / "versions"
    (versions / "aa_fork.py").write_text(_revision("aa00000000aa", '"2b4d6f8a0c12"'))
    status = cli(backend, "status")
    assert (status.returncode, status.report["status"]) == (1, "failed")
    heads = sorted(p["migration"] for p in status.report["problems"])
    assert heads == sorted([REVISIONS[-1], "aa00000000aa"])
    assert {p["kind"] for p in status.report["problems"]} == {"multiple-heads"}
    refused = cli(backend, "migrate").report
    assert (refused["status"], refused["applied"]) == ("failed", [])
    assert applied_in_database(backend) == []

    merge = _revision("bb00000000bb", f'("{REVISIONS[-1]}", "aa00000000aa")')
    (versions / "bb_merge.py").write_text(merge)
    merged = cli(backend, "migrate").report
    assert (merged["status"], merged["problems"]) == ("success", [])
    assert merged["current"] == "bb00000000bb"


def test_deliberate_branches_with_labels_are_not_a_fork(backend: Backend) -> None:
    """A second base with `branch_labels` (a separate branch by design): one head each, both
    applied by `upgrade heads`; a fork inside that branch is still refused."""
    versions = backend.project / "migrations" / "versions"
    audit = _revision("cc00000000cc", "None").replace(
        "down_revision = None", 'down_revision = None\nbranch_labels = ("audit",)'
    )
    (versions / "cc_audit.py").write_text(audit)
    (versions / "dd_audit.py").write_text(_revision("dd00000000dd", '"cc00000000cc"'))
    migrated = cli(backend, "migrate").report
    assert (migrated["status"], migrated["problems"]) == ("success", []), migrated["error"]
    assert sorted(applied_in_database(backend)) == sorted([REVISIONS[-1], "dd00000000dd"])
    (versions / "ee_audit.py").write_text(_revision("ee00000000ee", '"cc00000000cc"'))
    forked = cli(backend, "status").report
    assert forked["status"] == "failed"
    assert sorted(p["migration"] for p in forked["problems"]) == ["dd00000000dd", "ee00000000ee"]
    assert "of branch audit" in forked["problems"][0]["detail"]
