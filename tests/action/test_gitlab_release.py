""".gitlab-ci.yml, the GitLab copy's pipeline: GitLab's schema, which jobs run for a branch and
for a release tag (gitlab-ci-local's rule evaluation), and a real shell-mode run of the branch
pipeline (component test + downstream outputs) and of the release-notes job.

Shell mode has no images and no service containers: the derived file drops the PostgreSQL
service (the job points at the test server instead) and the two `pip install .` lines (this
virtual environment's migrate-gate, this commit's, is on PATH already); nothing else changes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from action_tools import check_schema, run, tool
from gitlab_pipeline import git
from helpers import BIN, REPO, PgDatabase

PIPELINE = REPO / ".gitlab-ci.yml"
COPY = ["src", "scripts", "templates", "examples/alembic", "entrypoint", "runner", "docs",
        "action.yml", ".gitlab-ci-component.yml", "README.md", "CHANGELOG.md",
        "pyproject.toml"]  # fmt: skip
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.db")


def project(tmp_path: Path, database_url: str = "") -> Path:
    """A git repository holding what the pipeline reads, with the shell-mode file as
    .gitlab-ci.yml."""
    repo = tmp_path / "migrate-gate"
    for relative in COPY:
        source, target = REPO / relative, repo / relative
        if source.is_dir():
            shutil.copytree(source, target, ignore=IGNORE)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    data = yaml.safe_load(PIPELINE.read_text())
    job = data["component-migrate"]
    del job["services"], job["before_script"]
    job["variables"] = {"COMPONENT_TEST_DATABASE_URL": database_url}
    generated = data["generated"]["script"]
    assert "pip install" in generated[0]
    data["generated"]["script"] = generated[1:]
    (repo / ".gitlab-ci.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "release")
    git(repo, "remote", "add", "origin", "git@gitlab.example.com:migrate-gate/migrate-gate.git")
    return repo


def gitlab_ci_local(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env.pop("DATABASE_URL", None)
    argv = [str(tool("gitlab-ci-local")), "--force-shell-executor", "--color=false", *args]
    return subprocess.run(
        argv, cwd=repo, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def jobs(repo: Path, *args: str) -> dict[str, str]:
    done = gitlab_ci_local(repo, "--list-json", *args)
    assert done.returncode == 0, done.stderr
    return {job["name"]: job["when"] for job in json.loads(done.stdout)}


def test_pipeline_matches_gitlabs_schema() -> None:
    check_schema("vendor.gitlab-ci", PIPELINE, "--data-transform", "gitlab-ci")


def test_release_jobs_run_only_for_a_version_tag(tmp_path: Path) -> None:
    repo = project(tmp_path)
    tests = {"generated", "component-migrate", "component-outputs"}
    branch = jobs(repo)
    assert {name for name, when in branch.items() if when != "never"} == tests
    tag = ["--variable", "CI_COMMIT_TAG=1.2.3", "--unset-variable", "CI_COMMIT_BRANCH"]
    tagged = jobs(repo, "--ignore-predefined-vars", "CI_COMMIT_TAG,CI_COMMIT_BRANCH", *tag)
    assert {n for n, w in tagged.items() if w != "never"} == tests | {
        "release-notes",
        "create-release",
    }
    not_semver = ["--variable", "CI_COMMIT_TAG=v1.2.3", "--unset-variable", "CI_COMMIT_BRANCH"]
    other = jobs(repo, "--ignore-predefined-vars", "CI_COMMIT_TAG,CI_COMMIT_BRANCH", *not_semver)
    assert other["create-release"] == "never"
    release = yaml.safe_load(PIPELINE.read_text())["create-release"]
    assert release["release"]["tag_name"] == "$CI_COMMIT_TAG"
    assert release["release"]["description"] == "release-notes.md"
    assert release["image"].startswith("registry.gitlab.com/gitlab-org/release-cli:v")


def test_branch_pipeline_tests_the_component_and_reads_its_outputs(
    tmp_path: Path, pg_database: PgDatabase
) -> None:
    repo = project(tmp_path, pg_database.url)
    done = gitlab_ci_local(repo)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-4000:]
    for job in ("generated", "component-migrate", "component-outputs"):
        assert f"PASS  {job}" in out, job
    assert "status=success applied=3 current=3c5e7a9b1d23 pending=0" in out
    assert pg_database.password not in out


def test_release_notes_job_writes_the_changelog_section(tmp_path: Path) -> None:
    repo = project(tmp_path)
    stamped = run(sys.executable, repo / "scripts/bump_version.py", "--root", repo, "7.0.0")
    assert stamped.returncode == 0, stamped.stdout + stamped.stderr
    git(repo, "commit", "-q", "-am", "7.0.0")
    done = gitlab_ci_local(repo, "release-notes", "--variable", "CI_COMMIT_TAG=7.0.0")
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    expected = run(sys.executable, repo / "scripts/release/changelog.py", "7.0.0").stdout
    notes = repo / ".gitlab-ci-local" / "artifacts" / "release-notes" / "release-notes.md"
    assert notes.read_text() == expected and expected.strip()
