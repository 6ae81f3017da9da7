"""A throwaway GitLab project (git repository with the component and examples/alembic) and
gitlab-ci-local (shell mode) running its pipeline against real PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

from action_helpers import add_failing_revision
from action_tools import tool
from helpers import BIN, REPO, PgDatabase, copy_project


class Pipeline(NamedTuple):
    returncode: int
    output: str
    repo: Path


def git(repo: Path, *args: str) -> None:
    identity = ["-c", "user.name=migrate-gate tests", "-c", "user.email=tests@example.invalid"]
    subprocess.run(["git", *identity, *args], cwd=repo, check=True, capture_output=True)


def make_repo(
    tmp_path: Path, pipeline: str, *, failing: bool = False, extra: dict[str, str] | None = None
) -> Path:
    """A git repository with one commit and an origin remote, holding the component (as the
    catalog's templates/migrate.yml), the example project and `extra` files (path -> text)."""
    repo = tmp_path / "shop"
    (repo / "templates").mkdir(parents=True)
    shutil.copy(REPO / "templates" / "migrate.yml", repo / "templates" / "migrate.yml")
    project = copy_project("alembic", repo / "examples")
    if failing:
        add_failing_revision(project)
    (repo / ".gitlab-ci.yml").write_text(pipeline)
    for relative, text in (extra or {}).items():
        (repo / relative).parent.mkdir(parents=True, exist_ok=True)
        (repo / relative).write_text(text)
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
