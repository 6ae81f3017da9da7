"""verify and lint through the CI surface: the GitHub entrypoint (exactly GitHub's environment)
and the GitLab component under gitlab-ci-local, on examples/alembic and real PostgreSQL."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import yaml
from action_helpers import (
    REVISIONS,
    ActionResult,
    github_env,
    parse_dotenv,
    parse_github_file,
    run_action,
)
from gitlab_pipeline import job_lines, make_repo, run_pipeline
from helpers import REPO, PgDatabase, copy_project

UNSAFE_SQL = "SET lock_timeout = '5s';\nCREATE INDEX books_title_idx ON books (title);\n"
LOSSY_DOWN = (
    '    op.drop_table("books")\n    op.add_column("authors", sa.Column("legacy", sa.Text))'
)


def workspace_with_project(tmp_path: Path) -> Path:
    """GITHUB_WORKSPACE: examples/alembic plus a hand-written SQL file in sql/."""
    root = tmp_path / "workspace"
    copy_project("alembic", root / "examples")
    (root / "sql").mkdir()
    (root / "sql" / "001_index.sql").write_text(UNSAFE_SQL)
    return root


def github_action(
    workspace: Path, database: PgDatabase, tmp_path: Path, **inputs: str
) -> tuple[ActionResult, dict[str, str]]:
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    given = {"working-directory": "examples/alembic", "database-url": database.url, **inputs}
    result = run_action(github_env(workspace, runner_temp, given), cwd=workspace)
    result.assert_no_secret(database.password)
    return result, parse_github_file(result.files["GITHUB_OUTPUT"])


def test_github_verify_publishes_checks_and_junit(tmp_path: Path, pg_database: PgDatabase) -> None:
    workspace = workspace_with_project(tmp_path)
    result, outputs = github_action(
        workspace, pg_database, tmp_path, command="verify", junit="verify.xml", timeout="300"
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert (outputs["status"], outputs["failed-check"]) == ("success", "")
    checks = json.loads(outputs["report"])["checks"]
    assert [check["migration"] for check in checks] == list(reversed(REVISIONS))
    summary = result.files["GITHUB_STEP_SUMMARY"]
    assert "migrate-gate verify: success" in summary
    assert f"| {REVISIONS[1]} | passed |" in summary
    suite = ElementTree.parse(workspace / "verify.xml").getroot().find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("3", "0")


def test_github_verify_names_the_lossy_down(tmp_path: Path, pg_database: PgDatabase) -> None:
    workspace = workspace_with_project(tmp_path)
    script = workspace / "examples/alembic/migrations/versions/2b4d6f8a0c12_create_books.py"
    script.write_text(script.read_text().replace('    op.drop_table("books")', LOSSY_DOWN))
    result, outputs = github_action(workspace, pg_database, tmp_path, command="verify")
    assert result.returncode == 1
    assert outputs["status"] == "failed"
    assert outputs["failed-check"].startswith(f"{REVISIONS[1]}: failed: its down does not restore")
    summary = result.files["GITHUB_STEP_SUMMARY"]
    assert f"Schema difference after the down of {REVISIONS[1]}" in summary
    assert "legacy" in summary  # the diff names the column the down left behind
    assert any(line.startswith("::error") for line in result.stdout.splitlines())


def test_github_lint_annotates_the_sql_file(tmp_path: Path, pg_database: PgDatabase) -> None:
    workspace = workspace_with_project(tmp_path)
    # timeout and steps are not lint flags: the entrypoint must leave them out
    result, outputs = github_action(
        workspace, pg_database, tmp_path, command="lint", paths="sql", timeout="30", steps="2"
    )
    assert result.returncode == 1, result.stdout[-2000:]
    assert outputs["status"] == "failed" and int(outputs["findings-count"]) >= 1
    lines = result.stdout.splitlines()
    after_group = lines[len(lines) - lines[::-1].index("::endgroup::") :]
    annotation = next(line for line in after_group if "file=sql/001_index.sql" in line)
    assert annotation.startswith(("::error ", "::warning ")) and ",line=2," in annotation
    findings = json.loads(outputs["report"])["findings"]
    assert {"MG001"} <= {finding["rule"] for finding in findings}
    assert "| MG001 |" in result.files["GITHUB_STEP_SUMMARY"]


GITLAB_PIPELINE = """\
stages: [verify, lint]
include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/migrate@$CI_COMMIT_SHA
    inputs:
      job-name: verify
      stage: verify
      command: verify
      project-dir: examples/alembic
      database-url-variable: APP_DATABASE_URL
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/migrate@$CI_COMMIT_SHA
    inputs:
      job-name: lint
      stage: lint
      command: lint
      paths: sql
      project-dir: examples/alembic
      database-url-variable: APP_DATABASE_URL
"""


def test_gitlab_component_writes_junit_and_code_quality(
    tmp_path: Path, pg_database: PgDatabase
) -> None:
    repo = make_repo(tmp_path, GITLAB_PIPELINE, extra={"sql/001_index.sql": UNSAFE_SQL})
    pipeline = run_pipeline(repo, pg_database)
    assert pipeline.returncode != 0  # the lint job fails on its finding, after verify passed
    assert any(
        "checks" in line or "up, down, up" in line for line in job_lines(pipeline.output, "verify")
    )
    # gitlab-ci-local keeps only dotenv reports as artifacts; in shell mode the jobs write into
    # the checkout, and the component declares these files as the junit and codequality reports
    job = yaml.safe_load((REPO / "templates" / "migrate.yml").read_text().split("---\n")[1])
    reports = job["$[[ inputs.job-name ]]"]["artifacts"]["reports"]
    suite = ElementTree.parse(repo / reports["junit"]).getroot().find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("3", "0")
    quality = json.loads((repo / reports["codequality"]).read_text())
    issue = next(item for item in quality if item["location"]["path"] == "sql/001_index.sql")
    assert issue["location"]["lines"]["begin"] == 2 and issue["check_name"].startswith("MG001")
    assert (
        parse_dotenv((repo / "migrate-gate.env").read_text())["MIGRATE_GATE_FINDINGS_COUNT"] != "0"
    )
