"""The GitLab component, run by gitlab-ci-local (shell mode) through `include: component:` on
examples/alembic against real PostgreSQL: a downstream job reads the dotenv outputs; a failed
migration fails the job and nothing downstream runs."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

from action_helpers import REVISIONS, add_failing_revision, parse_dotenv
from action_tools import run, tool
from helpers import BIN, REPO, PgDatabase, copy_project, pg_tables

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


class Pipeline(NamedTuple):
    returncode: int
    output: str
    repo: Path


def git(repo: Path, *args: str) -> None:
    identity = ["-c", "user.name=migrate-gate tests", "-c", "user.email=tests@example.invalid"]
    subprocess.run(["git", *identity, *args], cwd=repo, check=True, capture_output=True)


def make_repo(tmp_path: Path, *, failing: bool) -> Path:
    """A git repository with one commit and an origin remote, holding the component (as the
    catalog's templates/migrate.yml) and the example project."""
    repo = tmp_path / "shop"
    (repo / "templates").mkdir(parents=True)
    shutil.copy(REPO / "templates" / "migrate.yml", repo / "templates" / "migrate.yml")
    project = copy_project("alembic", repo / "examples")
    if failing:
        add_failing_revision(project)
    (repo / ".gitlab-ci.yml").write_text(PIPELINE)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "shop")
    git(repo, "remote", "add", "origin", "git@gitlab.example.com:acme/shop.git")
    return repo


def run_pipeline(repo: Path, database: PgDatabase) -> Pipeline:
    # The component's image is for real runners; shell mode runs the job here, where the
    # virtual environment's migrate-gate-action on PATH stands in for the image's.
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [str(tool("gitlab-ci-local")), "--force-shell-executor", "--color=false",
         "--variable", f"APP_DATABASE_URL={database.url}"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert database.password not in output, "password leaked into the job log"
    for path in repo.rglob("*"):
        if path.is_file() and ".git" not in path.relative_to(repo).parts[:1]:
            assert database.password not in path.read_text(errors="replace"), f"leak in {path}"
    return Pipeline(done.returncode, output, repo)


def job_lines(output: str, job: str) -> list[str]:
    return [line.split("> ", 1)[1] for line in output.splitlines() if line.startswith(f"{job} ")
            and "> " in line]  # fmt: skip


def test_downstream_job_reads_the_dotenv_outputs(tmp_path: Path, pg_database: PgDatabase) -> None:
    pipeline = run_pipeline(make_repo(tmp_path, failing=False), pg_database)
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
    }  # fmt: skip
    report = pipeline.repo / ".gitlab-ci-local" / "artifacts" / "migrate-gate"
    assert (report / "migrate-gate-report.json").is_file()  # the report as an artifact
    assert "alembic_version" in pg_tables(pg_database.url)


def test_failed_migration_fails_the_job_and_stops_deploy(
    tmp_path: Path, pg_database: PgDatabase
) -> None:
    pipeline = run_pipeline(make_repo(tmp_path, failing=True), pg_database)
    assert pipeline.returncode != 0
    assert "FAIL  migrate-gate" in pipeline.output
    assert not any("deploy saw" in line for line in job_lines(pipeline.output, "deploy"))
    assert "deploy       starting" not in pipeline.output
    errors = [line for line in job_lines(pipeline.output, "migrate-gate") if "ERROR:" in line]
    assert errors and "no_such_table" in errors[0]
    dotenv = parse_dotenv((pipeline.repo / "migrate-gate.env").read_text())
    assert dotenv["MIGRATE_GATE_STATUS"] == "failed"


def test_component_preview_expands_inputs(tmp_path: Path) -> None:
    """gitlab-ci-local's own expansion: the job gets its name, stage and variables."""
    repo = make_repo(tmp_path, failing=False)
    done = run(tool("gitlab-ci-local"), "--preview", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert "migrate-gate:" in done.stdout and "stage: migrate" in done.stdout
    assert "MIGRATE_GATE_INPUT_DATABASE_URL_VARIABLE: APP_DATABASE_URL" in done.stdout
    assert "MIGRATE_GATE_INPUT_PROJECT_DIR: examples/alembic" in done.stdout
