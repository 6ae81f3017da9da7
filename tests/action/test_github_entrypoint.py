"""The container action's entrypoint, run with exactly the environment GitHub gives it, against
real PostgreSQL and the examples/alembic project."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from action_helpers import (
    REVISIONS,
    ActionResult,
    add_failing_revision,
    github_env,
    parse_github_file,
    run_action,
)
from helpers import PgDatabase, copy_project, pg_rows, pg_tables


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """GITHUB_WORKSPACE: a repository with the example project in examples/alembic."""
    root = tmp_path / "workspace"
    copy_project("alembic", root / "examples")
    return root


def action(
    workspace: Path, database: PgDatabase, tmp_path: Path, **inputs: str
) -> tuple[ActionResult, dict[str, str]]:
    runner_temp = tmp_path / f"runner-{len(list(tmp_path.glob('runner-*')))}"
    runner_temp.mkdir()
    given = {"working-directory": "examples/alembic", "database-url": database.url, **inputs}
    result = run_action(github_env(workspace, runner_temp, given), cwd=workspace)
    result.assert_no_secret(database.password)
    return result, parse_github_file(result.files["GITHUB_OUTPUT"])


def applied(database: PgDatabase) -> list[str]:
    return [row[0] for row in pg_rows(database.url, "select version_num from alembic_version")]


def test_migrate_publishes_outputs_and_summary(
    workspace: Path, pg_database: PgDatabase, tmp_path: Path
) -> None:
    result, outputs = action(workspace, pg_database, tmp_path, command="migrate")
    assert result.returncode == 0, result.stdout[-2000:]
    assert outputs["status"] == "success"
    assert outputs["ecosystem"] == "alembic"
    assert json.loads(outputs["applied"]) == REVISIONS
    assert outputs["applied-count"] == "3"
    assert json.loads(outputs["rolled-back"]) == []
    assert outputs["current"] == REVISIONS[-1]
    assert outputs["pending-count"] == "0"
    assert float(outputs["duration-seconds"]) > 0
    report = json.loads(outputs["report"])  # multi-line value survived the delimiter rules
    assert report["applied"] == REVISIONS and "\n" in outputs["report"]
    assert applied(pg_database) == [REVISIONS[-1]]
    summary = result.files["GITHUB_STEP_SUMMARY"]
    assert "migrate-gate migrate: success" in summary
    assert "| Ecosystem | alembic |" in summary
    for index, revision in enumerate(REVISIONS, start=1):
        assert f"| {index} | {revision} |" in summary
        assert re.search(rf"^\| {revision} \| \d+\.\d\d \|$", summary, re.M)  # durations
    assert f"::add-mask::{pg_database.password}" in result.stdout.splitlines()
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("::group::migrate-gate"))
    end = lines.index("::endgroup::")
    assert any("Running upgrade" in line for line in lines[start:end])  # tool output grouped
    assert not any(line.startswith("::error") for line in lines)


def test_status_then_rollback_two_steps(
    workspace: Path, pg_database: PgDatabase, tmp_path: Path
) -> None:
    assert action(workspace, pg_database, tmp_path, command="migrate")[0].returncode == 0
    result, outputs = action(workspace, pg_database, tmp_path, command="rollback", steps="2")
    assert result.returncode == 0
    assert json.loads(outputs["rolled-back"]) == REVISIONS[:0:-1]
    assert outputs["current"] == REVISIONS[0]
    assert outputs["pending-count"] == "2"
    assert "**Rolled back (2)**" in result.files["GITHUB_STEP_SUMMARY"]
    assert applied(pg_database) == [REVISIONS[0]]
    result, outputs = action(workspace, pg_database, tmp_path, command="status")
    assert (result.returncode, outputs["status"], outputs["pending-count"]) == (0, "success", "2")


def test_failed_migration_fails_the_step(
    workspace: Path, pg_database: PgDatabase, tmp_path: Path
) -> None:
    add_failing_revision(workspace / "examples" / "alembic")
    result, outputs = action(workspace, pg_database, tmp_path, command="migrate")
    assert result.returncode == 1
    assert outputs["status"] == "failed"
    # PostgreSQL ran the upgrade in one transaction: nothing committed, all four pending
    assert json.loads(outputs["report"])["pending"] == [*REVISIONS, "4d6f8b0c2e34"]
    assert (outputs["applied-count"], outputs["current"]) == ("0", "")
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "no_such_table" in errors[0]
    assert "connected to postgresql" in result.stdout  # the tool's echo arrived, masked
    summary = result.files["GITHUB_STEP_SUMMARY"]
    assert "migrate-gate migrate: failed" in summary
    assert "**Error:**" in summary and "no_such_table" in summary
    assert "Last lines of the output" in summary


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"command": "explode"}, "input command is 'explode'"),
        ({"comment": "yes"}, "input comment is 'yes'"),
        ({"working-directory": "nowhere"}, "working-directory 'nowhere' does not exist"),
    ],
)
def test_bad_input_is_one_error_and_nothing_runs(
    workspace: Path, pg_database: PgDatabase, tmp_path: Path, inputs: dict[str, str], message: str
) -> None:
    result, outputs = action(workspace, pg_database, tmp_path, **inputs)
    assert result.returncode == 2
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and message in errors[0]
    assert outputs == {}
    assert pg_tables(pg_database.url) == set()


def test_migrate_gate_usage_error_fails_with_outputs(
    workspace: Path, pg_database: PgDatabase, tmp_path: Path
) -> None:
    """migrate-gate itself refuses (exit 2, no report): outputs still say failed."""
    result, outputs = action(workspace, pg_database, tmp_path, ecosystem="cobol")
    assert result.returncode == 2
    assert outputs["status"] == "failed"
    assert "cobol" in json.loads(outputs["report"])["error"]


def test_install_dependencies_runs_before_the_migration(
    workspace: Path, pg_database: PgDatabase, tmp_path: Path
) -> None:
    """requirements.txt already satisfied by the suite's venv: pip runs, offline, then migrate."""
    project = workspace / "examples" / "alembic"
    (project / "requirements.txt").write_text("alembic\n")
    result, outputs = action(workspace, pg_database, tmp_path, **{"install-dependencies": "true"})
    assert result.returncode == 0, result.stdout[-2000:]
    assert (
        "::group::install-dependencies: python -m pip install -r requirements.txt" in result.stdout
    )
    assert "Requirement already satisfied: alembic" in result.stdout
    assert outputs["applied-count"] == "3"


def test_failed_dependency_install_fails_before_migrating(
    workspace: Path, pg_database: PgDatabase, tmp_path: Path
) -> None:
    project = workspace / "examples" / "alembic"
    (project / "requirements.txt").write_text("./no-such-package-dir\n")
    result, outputs = action(workspace, pg_database, tmp_path, **{"install-dependencies": "true"})
    assert result.returncode == 1
    assert outputs["status"] == "failed"
    assert (
        "`python -m pip install -r requirements.txt` failed"
        in json.loads(outputs["report"])["error"]
    )
    assert pg_tables(pg_database.url) == set()  # nothing migrated


def test_install_dependencies_auto_is_off_outside_the_image(
    workspace: Path, pg_database: PgDatabase, tmp_path: Path
) -> None:
    (workspace / "examples" / "alembic" / "requirements.txt").write_text("./no-such-dir\n")
    result, _ = action(workspace, pg_database, tmp_path)
    assert result.returncode == 0 and "install-dependencies" not in result.stdout


def test_check_annotates_the_history_problems(
    workspace: Path, pg_database: PgDatabase, tmp_path: Path
) -> None:
    versions = workspace / "examples" / "alembic" / "migrations" / "versions"
    (versions / "aa_fork.py").write_text(
        'revision = "aa00000000aa"\ndown_revision = "1f3a5c7e9b01"\n\n\n'
        "def upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n"
    )
    result, outputs = action(workspace, pg_database, tmp_path, command="check")
    assert result.returncode == 1, result.stdout[-2000:]
    assert (outputs["status"], outputs["problems-count"]) == ("failed", "2")
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    heads = [line for line in annotations if "title=migrate-gate multiple-heads" in line]
    assert len(heads) == 2 and any("aa00000000aa:" in line for line in heads)
    summary = result.files["GITHUB_STEP_SUMMARY"]
    assert "**History problems (2)**" in summary and "| error | multiple-heads |" in summary
    assert pg_tables(pg_database.url) == set()  # check reads, never writes
