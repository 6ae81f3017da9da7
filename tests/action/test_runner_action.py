"""runner/action.yml's own scripts, run by bash the way the runner runs composite steps: `${{ }}`
expressions evaluated into env (never into the script), GITHUB_OUTPUT per step. The install
step is left to the project's GitHub workflow; here the suite's virtualenv stands in for it."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml
from action_helpers import REVISIONS, github_env, parse_github_file
from helpers import BIN, REPO, PgDatabase, copy_project

STEPS = yaml.safe_load((REPO / "runner" / "action.yml").read_text())["runs"]["steps"]


def step(step_id: str) -> dict[str, Any]:
    return next(s for s in STEPS if s.get("id") == step_id)


def evaluate(expression: str, context: dict[str, str]) -> str:
    """The few expression forms the action uses: ${{ inputs.x }}, ${{ steps.a.outputs.b }}."""
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: context[m.group(1)], expression)


def run_step(
    step_id: str, context: dict[str, str], base_env: dict[str, str], workspace: Path
) -> dict[str, str]:
    spec = step(step_id)
    output = workspace.parent / f"output-{step_id}"
    output.write_text("")
    env = {**base_env, "GITHUB_OUTPUT": str(output)}
    env.update({key: evaluate(value, context) for key, value in spec["env"].items()})
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", spec["run"]],
        cwd=workspace, env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return parse_github_file(output.read_text())


def test_locate_then_run(tmp_path: Path, pg_database: PgDatabase) -> None:
    workspace = tmp_path / "workspace"
    copy_project("alembic", workspace / "examples")
    base = github_env(workspace, tmp_path, {})
    context = {"github.action_path": str(REPO / "runner"), "runner.temp": str(tmp_path)}
    located = run_step("venv", context, base, workspace)
    assert located["path"] == f"{tmp_path}/migrate-gate-venv"
    assert re.fullmatch(r"[0-9a-f]{16}", located["key"])
    assert re.fullmatch(r"py3\.\d+", located["python"])
    defaults = yaml.safe_load((REPO / "runner" / "action.yml").read_text())["inputs"]
    context |= {f"inputs.{name}": str(spec.get("default", "")) for name, spec in defaults.items()}
    context |= {
        "steps.venv.outputs.path": str(BIN.parent),  # the suite's venv stands in for the cache
        "inputs.working-directory": "examples/alembic",
        "inputs.database-url": pg_database.url,
        "inputs.timeout": "120",
        "inputs.github-token": "",
    }
    outputs = run_step("run", context, base, workspace)
    assert outputs["status"] == "success"
    assert json.loads(outputs["applied"]) == REVISIONS
    assert pg_database.password not in json.dumps(outputs)
