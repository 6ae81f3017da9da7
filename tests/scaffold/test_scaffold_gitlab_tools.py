"""`scaffold gitlab`'s merge-request jobs for the tools python:3.12-slim lacked (Knex needs
Node.js, Rails needs Ruby): they run in migrate-gate's image, the component's default, and
under gitlab-ci-local their scripts pass against real PostgreSQL.

gitlab-ci-local runs in shell mode here (no Docker engine), so the jobs use this machine's
Node.js, Ruby and migrate-gate where the image would supply them, and their PostgreSQL
service points at the test server instead (the only change to the generated file)."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest
import yaml
from helpers import PgDatabase
from node_projects import node_project
from scaffold_helpers import (
    DEPLOY_ECHO,
    LOCAL_COMPONENT,
    commit_all,
    gitlab_ci_local,
    init_repo,
    load,
    scaffold,
    wait_for_component,
)
from toolchains import locked_rails_app

import migrate_gate
from migrate_gate.action.manifest import load as load_manifest

IMAGE = f"ghcr.io/migrate-gate/migrate-gate:{migrate_gate.__version__}"
MERGE_REQUEST_JOBS = ["test-migrations", "lint-migrations", "plan-migrations"]
# The migration the merge request adds (the rest is the target branch): its id, its file.
NEWEST = {
    "knex": (
        "20240103000000_index_author_email.js",
        "migrations/20240103000000_index_author_email.js",
    ),
    "rails": ("20240101000300", "db/migrate/20240101000300_index_books_title.rb"),
}


def project(ecosystem: str, repo: Path) -> Path:
    if ecosystem == "knex":
        return node_project("knex", repo)
    return locked_rails_app(repo)


def test_the_component_and_the_merge_request_jobs_default_to_the_image() -> None:
    assert load_manifest().component[2].name == "image"
    assert load_manifest().component[2].default == IMAGE


@pytest.mark.parametrize("ecosystem", ["knex", "rails"])
def test_merge_request_jobs_run_for(
    tmp_path: Path,
    pg_url: str,
    second_pg_url: str,
    ecosystem: str,
    pg_admin: psycopg.Connection,  # type: ignore[type-arg]
    request: pytest.FixtureRequest,
) -> None:
    repo = project(ecosystem, tmp_path / "repo")
    (repo / "templates").mkdir()
    shutil.copy(wait_for_component(), repo / "templates" / "migrate.yml")
    # The target branch without the newest migration; the merge request adds it.
    newest_id, newest_file = NEWEST[ecosystem]
    added = (repo / newest_file).read_text()
    (repo / newest_file).unlink()
    init_repo(repo)
    base = commit_all(repo, "app")
    (repo / newest_file).write_text(added)
    commit_all(repo, "the merge request's migration")
    text = scaffold(repo, "gitlab", "--component", LOCAL_COMPONENT, "--deploy-command", DEPLOY_ECHO)
    pipeline = load(text[".gitlab-ci.yml"])
    for job in MERGE_REQUEST_JOBS:
        assert pipeline[job]["image"] == {"name": IMAGE, "entrypoint": [""]}, job
        assert pipeline[job]["variables"]["MIGRATE_GATE_INSTALL_DEPENDENCIES"] == "auto"
        assert any("migrate_gate.action.install" in line for line in pipeline[job]["script"])
        pipeline[job].pop("services", None)
    # each job had its own service: here each its own database on the test server
    pipeline["test-migrations"]["variables"]["MIGRATE_GATE_TEST_DATABASE_URL"] = pg_url
    pipeline["lint-migrations"]["variables"]["MIGRATE_GATE_TEST_DATABASE_URL"] = second_pg_url
    scratch = PgDatabase(pg_admin)
    request.addfinalizer(lambda: scratch.drop(pg_admin))
    pipeline["plan-migrations"]["variables"]["MIGRATE_GATE_TEST_DATABASE_URL"] = scratch.url
    (repo / "mr.yml").write_text(yaml.safe_dump(pipeline, sort_keys=False))
    commit_all(repo, "mr file")
    done = gitlab_ci_local(
        repo, "--file", "mr.yml", *MERGE_REQUEST_JOBS,
        "--variable", "CI_PIPELINE_SOURCE=merge_request_event",
        "--variable", f"CI_MERGE_REQUEST_DIFF_BASE_SHA={base}",
    )  # fmt: skip
    out = done.stdout
    assert "PASS  test-migrations" in out, out[-4000:] + done.stderr[-2000:]
    test_lines = [line for line in out.splitlines() if line.startswith("test-migrations")]
    assert any(f"down of {newest_id}: passed" in line for line in test_lines), out[-4000:]
    assert sum("down of " in line for line in test_lines) == 1  # only what the request adds
    # lint ran the tool's SQL (reading it needs the database): a finding fails the job, a
    # missing toolchain would fail it before any SQL was read
    lint_lines = "\n".join(line for line in out.splitlines() if line.startswith("lint-migrations"))
    assert "not installed" not in lint_lines and "MG0" in lint_lines, lint_lines[-3000:]
    # plan ran the tool on its own scratch database: the one migration the request adds
    plan_lines = "\n".join(line for line in out.splitlines() if line.startswith("plan-migrations"))
    assert "1 migration(s) added" in plan_lines and newest_file in plan_lines, plan_lines[-3000:]
    for url in (pg_url, second_pg_url, scratch.url):
        assert url.split(":")[2].split("@")[0] not in out + done.stderr  # the password
