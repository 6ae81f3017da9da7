"""The GitLab component, run by gitlab-ci-local (shell mode) through `include: component:` on
examples/alembic against real PostgreSQL: a downstream job reads the dotenv outputs; a failed
migration fails the job and nothing downstream runs."""

from __future__ import annotations

import json
from pathlib import Path

from action_helpers import REVISIONS, parse_dotenv
from action_tools import run, tool
from gitlab_pipeline import job_lines, make_repo, run_pipeline
from helpers import PgDatabase, pg_tables

PIPELINE = """\
stages: [migrate, deploy]
include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/migrate@$CI_COMMIT_SHA
    inputs:
      stage: migrate
      project-dir: examples/alembic
      database-url-variable: APP_DATABASE_URL
deploy:
  stage: deploy
  needs: [migrate-gate]
  script:
    - echo "deploy saw status=$MIGRATE_GATE_STATUS count=$MIGRATE_GATE_APPLIED_COUNT"
    - echo "deploy saw current=$MIGRATE_GATE_CURRENT pending=$MIGRATE_GATE_PENDING_COUNT"
"""


def test_downstream_job_reads_the_dotenv_outputs(tmp_path: Path, pg_database: PgDatabase) -> None:
    pipeline = run_pipeline(make_repo(tmp_path, PIPELINE), pg_database)
    assert pipeline.returncode == 0, pipeline.output[-3000:]
    deploy = job_lines(pipeline.output, "deploy")
    assert "deploy saw status=success count=3" in deploy
    assert f"deploy saw current={REVISIONS[-1]} pending=0" in deploy
    dotenv = parse_dotenv((pipeline.repo / "migrate-gate.env").read_text())
    assert dotenv["MIGRATE_GATE_ECOSYSTEM"] == "alembic"
    assert float(dotenv["MIGRATE_GATE_DURATION_SECONDS"]) > 0
    assert set(dotenv) == {
        "MIGRATE_GATE_STATUS", "MIGRATE_GATE_ECOSYSTEM", "MIGRATE_GATE_APPLIED_COUNT",
        "MIGRATE_GATE_CURRENT", "MIGRATE_GATE_PENDING_COUNT", "MIGRATE_GATE_DURATION_SECONDS",
        "MIGRATE_GATE_FINDINGS_COUNT", "MIGRATE_GATE_FAILED_CHECK", "MIGRATE_GATE_PROBLEMS_COUNT",
        "MIGRATE_GATE_SLOWEST_MIGRATION", "MIGRATE_GATE_SLOWEST_SECONDS",
    }  # fmt: skip
    assert dotenv["MIGRATE_GATE_SLOWEST_MIGRATION"] in REVISIONS  # from the report's durations
    assert float(dotenv["MIGRATE_GATE_SLOWEST_SECONDS"]) >= 0
    report = pipeline.repo / ".gitlab-ci-local" / "artifacts" / "migrate-gate"
    assert (report / "migrate-gate-report.json").is_file()  # the report as an artifact
    assert "alembic_version" in pg_tables(pg_database.url)


def test_failed_migration_fails_the_job_and_stops_deploy(
    tmp_path: Path, pg_database: PgDatabase
) -> None:
    pipeline = run_pipeline(make_repo(tmp_path, PIPELINE, failing=True), pg_database)
    assert pipeline.returncode != 0
    assert "FAIL  migrate-gate" in pipeline.output
    assert not any("deploy saw" in line for line in job_lines(pipeline.output, "deploy"))
    assert "deploy       starting" not in pipeline.output
    errors = [line for line in job_lines(pipeline.output, "migrate-gate") if "ERROR:" in line]
    assert errors and "no_such_table" in errors[0]
    dotenv = parse_dotenv((pipeline.repo / "migrate-gate.env").read_text())
    assert dotenv["MIGRATE_GATE_STATUS"] == "failed"


FORK = '''"""a second head"""
revision = "aa00000000aa"
down_revision = "1f3a5c7e9b01"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
'''


def test_check_puts_the_history_problems_in_code_quality(
    tmp_path: Path, pg_database: PgDatabase
) -> None:
    check = PIPELINE.replace("stage: migrate\n", "stage: migrate\n      command: check\n")
    fork = {"examples/alembic/migrations/versions/aa_fork.py": FORK}
    pipeline = run_pipeline(make_repo(tmp_path, check, extra=fork), pg_database)
    assert pipeline.returncode != 0 and "FAIL  migrate-gate" in pipeline.output
    # shell mode: the job ran in the repository, where artifacts:reports:codequality reads it
    entries = json.loads((pipeline.repo / "gl-code-quality-report.json").read_text())
    assert sorted(e["check_name"] for e in entries) == ["migrate-gate/multiple-heads"] * 2
    assert {e["location"]["path"] for e in entries} == {"examples/alembic"}
    dotenv = parse_dotenv((pipeline.repo / "migrate-gate.env").read_text())
    assert (dotenv["MIGRATE_GATE_STATUS"], dotenv["MIGRATE_GATE_PROBLEMS_COUNT"]) == ("failed", "2")
    assert "alembic_version" not in pg_tables(pg_database.url)  # check wrote nothing


def test_component_preview_expands_inputs(tmp_path: Path) -> None:
    """gitlab-ci-local's own expansion: the job gets its name, stage and variables."""
    repo = make_repo(tmp_path, PIPELINE)
    done = run(tool("gitlab-ci-local"), "--preview", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert "migrate-gate:" in done.stdout and "stage: migrate" in done.stdout
    assert "MIGRATE_GATE_INPUT_DATABASE_URL_VARIABLE: APP_DATABASE_URL" in done.stdout
    assert "MIGRATE_GATE_INPUT_PROJECT_DIR: examples/alembic" in done.stdout
