"""Generated GitLab pipelines: the vendor.gitlab-ci schema, and real runs under gitlab-ci-local
(shell mode) of the examples/alembic fixture against real PostgreSQL, including the component
from templates/migrate.yml through `include: component:`."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import pg_rows, pg_tables
from scaffold_helpers import (
    DEPLOY_ECHO,
    LOCAL_COMPONENT,
    alembic_project,
    commit_all,
    gitlab_ci_local,
    gitlab_jobs,
    init_repo,
    load,
    monorepo,
    python_tool,
    run,
    scaffold,
    wait_for_component,
)

OPTION_SETS: dict[str, list[str]] = {
    "defaults": [],
    "custom": [
        "--environments",
        "dev,staging,production",
        "--deploy-command",
        'kubectl apply -f k8s/ # "quoted": yes\necho done',
        "--database-url-variable",
        "APP_DATABASE_URL",
        "--component",
        "gitlab.example.com/platform/migrate-gate/migrate@1.2.3",
    ],
    "monorepo": ["--deploy-command", "make deploy"],
}

FAILING_REVISION = '''
"""A migration that fails halfway."""
from alembic import op

revision = "4d6f8b0c2e34"
down_revision = "3c5e7a9b1d23"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("select * from no_such_table")


def downgrade():
    pass
'''


@pytest.mark.parametrize("name", sorted(OPTION_SETS))
def test_gitlab_ci_schema_and_job_graph(tmp_path: Path, name: str) -> None:
    root = monorepo(tmp_path / "repo") if name == "monorepo" else alembic_project(tmp_path)
    text = scaffold(root, "gitlab", *OPTION_SETS[name])[".gitlab-ci.yml"]
    path = tmp_path / ".gitlab-ci.yml"
    path.write_text(text)
    argv = [python_tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(path)]
    done = run(argv, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    _check_graph(load(text), name)


def _check_graph(pipeline: dict[str, Any], name: str) -> None:
    environments = (
        ["dev", "staging", "production"] if name == "custom" else ["staging", "production"]
    )
    suffixes = ["-services-api", "-web"] if name == "monorepo" else [""]
    stages = ["test"] + [f"{s}-{e}" for e in environments for s in ("migrate", "deploy")]
    assert pipeline["stages"] == [*stages, "rollback"]
    included = {item["inputs"]["job-name"]: item for item in pipeline["include"]}
    for suffix in suffixes:
        test, lint = pipeline[f"test-migrations{suffix}"], pipeline[f"lint-migrations{suffix}"]
        for job in (test, lint):
            assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
            assert job["variables"]["MIGRATE_GATE_SINCE"] == "$CI_MERGE_REQUEST_DIFF_BASE_SHA"
            assert job["variables"]["GIT_DEPTH"] == "0"
        assert test["artifacts"]["reports"] == {"junit": "migrate-gate-junit.xml"}
        assert lint["artifacts"]["reports"] == {"codequality": "gl-code-quality-report.json"}
        assert "services" in test
        # Django's SQL comes from sqlmigrate on a live database; Alembic's renders offline
        assert ("services" in lint) == (suffix == "-web")
        previous = None
        for env in environments:
            migrate, deploy = f"migrate-{env}{suffix}", f"deploy-{env}{suffix}"
            assert included[migrate]["inputs"]["command"] == "migrate"
            assert included[migrate]["inputs"]["stage"] == f"migrate-{env}"
            variable = "APP_DATABASE_URL" if name == "custom" else "DATABASE_URL"
            assert included[migrate]["inputs"]["database-url-variable"] == variable
            assert pipeline[migrate]["resource_group"] == f"migrate-{env}{suffix}"
            assert pipeline[migrate]["environment"] == {"name": env, "action": "prepare"}
            assert pipeline[migrate]["needs"] == ([previous] if previous else [])
            assert pipeline[deploy]["needs"] == [{"job": migrate, "artifacts": True}]
            assert pipeline[deploy]["environment"] == {"name": env}
            rollback = pipeline[f"rollback-{env}{suffix}"]
            assert included[f"rollback-{env}{suffix}"]["inputs"]["command"] == "rollback"
            assert rollback["needs"] == [
                {"job": f"rollback-deploy-{env}{suffix}", "artifacts": True}
            ]
            assert pipeline[f"rollback-deploy-{env}{suffix}"]["rules"][0]["when"] == "manual"
            previous = deploy
    if name == "custom":
        assert {i["component"] for i in pipeline["include"]} == {OPTION_SETS[name][-1]}


def _pipeline_repo(tmp_path: Path, *, failing: bool = False) -> tuple[Path, str]:
    """A git repo: the Alembic example at its root (release v1 without the third
    revision), the real component in templates/, the generated .gitlab-ci.yml."""
    repo = alembic_project(tmp_path, "repo")
    init_repo(repo)
    third = repo / "migrations" / "versions" / "3c5e7a9b1d23_add_published_year.py"
    kept = third.read_text()
    third.unlink()
    (repo / "templates").mkdir()
    shutil.copy(wait_for_component(), repo / "templates" / "migrate.yml")
    release = commit_all(repo, "release 1")
    third.write_text(kept)
    if failing:
        (repo / "migrations" / "versions" / "4d6f8b0c2e34_fails.py").write_text(FAILING_REVISION)
    pipeline = scaffold(
        repo, "gitlab", "--component", LOCAL_COMPONENT, "--deploy-command", DEPLOY_ECHO
    )
    (repo / ".gitlab-ci.yml").write_text(pipeline[".gitlab-ci.yml"])
    commit_all(repo, "release 2")
    return repo, release


def _variables_file(tmp_path: Path, staging: str, production: str) -> str:
    """Environment-scoped DATABASE_URL, the way GitLab's CI/CD variables scope it; the path is
    relative to the repo (tmp_path/repo) because gitlab-ci-local joins it to its cwd."""
    path = tmp_path / "variables.yml"
    path.write_text(
        yaml.safe_dump({"DATABASE_URL": {"values": {"staging": staging, "production": production}}})
    )
    return "../variables.yml"


def _job_lines(stdout: str, job: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.split(" ", 1)[0] == job]


def _position(stdout: str, job: str, marker: str) -> int:
    lines = stdout.splitlines()
    return next(i for i, line in enumerate(lines) if line.startswith(job) and marker in line)


def test_pipeline_migrates_then_deploys_each_environment(
    tmp_path: Path, pg_url: str, second_pg_url: str
) -> None:
    repo, _ = _pipeline_repo(tmp_path)
    variables = _variables_file(tmp_path, pg_url, second_pg_url)
    done = gitlab_ci_local(repo, "--variables-file", variables)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    out = done.stdout
    for job in ("migrate-staging", "deploy-staging", "migrate-production", "deploy-production"):
        assert any(f"PASS  {job}" in line for line in out.splitlines()), job
    assert "deployed staging status=success applied=3 current=3c5e7a9b1d23" in out
    assert "deployed production status=success applied=3 current=3c5e7a9b1d23" in out
    assert _position(out, "migrate-staging", "finished") < _position(out, "deploy-staging", "$")
    assert _position(out, "deploy-staging", "finished") < _position(
        out, "migrate-production", "starting"
    )
    for job in ("test-migrations", "rollback-deploy-staging", "rollback-staging"):
        assert not _job_lines(out, job), f"{job} ran in a default-branch pipeline"
    for url in (pg_url, second_pg_url):
        assert {"authors", "books"} <= pg_tables(url)
        assert pg_rows(url, "select version_num from alembic_version") == [("3c5e7a9b1d23",)]
    for url in (pg_url, second_pg_url):
        assert url.split(":")[2].split("@")[0] not in out + done.stderr  # the password


def test_failed_migration_deploys_nothing(tmp_path: Path, pg_url: str, second_pg_url: str) -> None:
    repo, _ = _pipeline_repo(tmp_path, failing=True)
    variables = _variables_file(tmp_path, pg_url, second_pg_url)
    done = gitlab_ci_local(repo, "--variables-file", variables)
    assert done.returncode != 0
    out = done.stdout
    assert any("FAIL" in line and "migrate-staging" in line for line in out.splitlines())
    for job in ("deploy-staging", "migrate-production", "deploy-production"):
        assert not _job_lines(out, job), f"{job} ran after a failed migration"
    assert "deployed" not in out
    assert pg_tables(second_pg_url) == set()  # production untouched


def test_merge_request_pipeline_verifies_and_lints_what_it_adds(
    tmp_path: Path, pg_url: str, second_pg_url: str
) -> None:
    repo, release = _pipeline_repo(tmp_path)
    mr = [
        "--variable",
        "CI_PIPELINE_SOURCE=merge_request_event",
        "--unset-variable",
        "CI_COMMIT_BRANCH",
    ]
    jobs = gitlab_jobs(repo, "--ignore-predefined-vars", "CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH", *mr)
    merge_request_jobs = {
        "test-migrations",
        "lint-migrations",
        "check-migrations",
        "plan-migrations",
    }
    assert {name for name, when in jobs.items() if when != "never"} == merge_request_jobs
    default_branch = {name for name, when in gitlab_jobs(repo).items() if when != "never"}
    assert not merge_request_jobs & default_branch and "deploy-production" in default_branch

    # Run the jobs' own scripts. Their PostgreSQL service container needs a Docker engine,
    # which this machine lacks: the jobs point at the test server instead (the only change).
    pipeline = load((repo / ".gitlab-ci.yml").read_text())
    del pipeline["test-migrations"]["services"]
    del pipeline["check-migrations"]["services"]  # its scratch database: the second one
    check_job = pipeline["check-migrations"]
    check_job["script"] = [
        line.replace("$MIGRATE_GATE_TEST_DATABASE_URL", second_pg_url)
        for line in check_job["script"]
    ]
    (repo / "mr.yml").write_text(yaml.safe_dump(pipeline, sort_keys=False))
    commit_all(repo, "mr file")
    override = f"MIGRATE_GATE_TEST_DATABASE_URL={pg_url}"
    base = f"CI_MERGE_REQUEST_DIFF_BASE_SHA={release}"  # the release without the third revision
    merged = "CI_MERGE_REQUEST_EVENT_TYPE=merged_result"  # the checkout is the merge result
    done = gitlab_ci_local(
        repo,
        "--file",
        "mr.yml",
        *mr,
        "--variable",
        override,
        "--variable",
        base,
        "--variable",
        merged,
    )
    out = done.stdout
    # verify walked only the revision the merge request adds, after applying the others
    test_lines = "\n".join(_job_lines(out, "test-migrations"))
    assert "down of 3c5e7a9b1d23: passed" in test_lines, out[-3000:]
    assert "down of 2b4d6f8a0c12" not in test_lines
    assert pg_rows(pg_url, "select version_num from alembic_version") == [("3c5e7a9b1d23",)]
    # lint read only that revision's SQL, found its blocking index and failed the job
    lint_lines = "\n".join(_job_lines(out, "lint-migrations"))
    assert "3c5e7a9b1d23_add_published_year.py:1: MG001" in lint_lines, lint_lines[-3000:]
    assert "1f3a5c7e9b01" not in lint_lines
    check_lines = "\n".join(_job_lines(out, "check-migrations"))
    assert "migrate-gate check: success (alembic" in check_lines, check_lines[-3000:]
    # plan showed only that revision, as the note would (no token here: the plan is the artifact)
    plan_lines = "\n".join(_job_lines(out, "plan-migrations"))
    assert "1 migration(s) added (alembic)" in plan_lines, plan_lines[-3000:]
    assert "3c5e7a9b1d23" in plan_lines and "SHARE on `books`" in plan_lines
    assert done.returncode != 0  # the lint job's failure fails the pipeline


def test_manual_rollback_redeploys_then_reverts(
    tmp_path: Path, pg_url: str, second_pg_url: str
) -> None:
    repo, release = _pipeline_repo(tmp_path)
    bare = tmp_path / "origin.git"
    run(["git", "clone", "-q", "--bare", str(repo), str(bare)], tmp_path)
    variables = _variables_file(tmp_path, pg_url, second_pg_url)
    assert gitlab_ci_local(repo, "--variables-file", variables).returncode == 0
    # The redeploy fetches from origin: jobs reach the bare clone through git's insteadOf.
    origin = textwrap.dedent(
        f"""\
        GIT_CONFIG_COUNT=1
        GIT_CONFIG_KEY_0=url.{bare}.insteadOf
        GIT_CONFIG_VALUE_0=https://gitlab.example.com/group/app.git
        """
    ).split()
    flags = [arg for pair in origin for arg in ("--variable", pair)]
    manual = ["--variables-file", variables, *flags, "--variable", f"ROLLBACK_REF={release}"]

    refused = gitlab_ci_local(
        repo, *manual, "--variable", "ROLLBACK_CONFIRM=production", "rollback-deploy-staging"
    )
    # A manual job may fail without failing the pipeline (allow_failure): gitlab-ci-local WARNs.
    assert "nothing was done" in refused.stdout and "WARN" in refused.stdout
    assert "deployed" not in refused.stdout and "git fetch" not in refused.stdout

    redeploy = gitlab_ci_local(
        repo,
        *manual,
        "--variable",
        "ROLLBACK_CONFIRM=staging",
        "--variable",
        "ROLLBACK_STEPS=1",
        "rollback-deploy-staging",
    )
    assert redeploy.returncode == 0, redeploy.stdout[-3000:]
    assert f"HEAD is now at {release[:7]} release 1" in redeploy.stdout + redeploy.stderr
    assert "deployed staging status=" in redeploy.stdout
    assert pg_rows(pg_url, "select version_num from alembic_version") == [("3c5e7a9b1d23",)]
    revert = gitlab_ci_local(repo, "--variables-file", variables, "rollback-staging")
    assert revert.returncode == 0, revert.stdout[-3000:]
    assert pg_rows(pg_url, "select version_num from alembic_version") == [("2b4d6f8a0c12",)]
    assert pg_rows(second_pg_url, "select version_num from alembic_version") == [("3c5e7a9b1d23",)]
