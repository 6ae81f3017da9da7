"""Generated GitHub workflows: real validators (actionlint, check-jsonschema, zizmor) and the
job graph they describe. No GitHub runner works here (see ../shared TOOLS.md), so the graph is
checked on the parsed YAML."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from scaffold_helpers import (
    ACTIONLINT,
    alembic_project,
    load,
    monorepo,
    python_tool,
    run,
    scaffold,
    tool,
)

SHA = "0123456789abcdef0123456789abcdef01234567"
OPTION_SETS: dict[str, list[str]] = {
    "defaults": [],
    "custom": [
        "--environments",
        "dev,staging,production",
        "--deploy-command",
        './deploy.sh --env "$DEPLOY_ENVIRONMENT" --token ${{ secrets.DEPLOY_TOKEN }} # x: "y"\n'
        "echo done",
        "--database-url-variable",
        "APP_DATABASE_URL",
        "--action-ref",
        SHA,
    ],
    "monorepo": ["--deploy-command", "make deploy"],
}


def _generate(tmp_path: Path, name: str) -> tuple[Path, dict[str, dict[str, Any]]]:
    root = tmp_path / "repo"
    if name == "monorepo":
        monorepo(root)
    else:
        alembic_project(tmp_path, "repo")
    out = tmp_path / "workflows"
    out.mkdir()
    files = scaffold(root, "github", *OPTION_SETS[name])
    for file_name, text in files.items():
        (out / file_name).write_text(text)
    return out, {file_name: load(text) for file_name, text in files.items()}


@pytest.fixture(params=sorted(OPTION_SETS))
def generated(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str, dict[str, Any]]:
    out, workflows = _generate(tmp_path, request.param)
    return out, request.param, workflows


def test_actionlint_passes(generated: tuple[Path, str, dict[str, Any]]) -> None:
    out, _, _ = generated
    done = run([tool(ACTIONLINT), "*.yml"], out)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 workflow file(s)" in done.stdout


def test_github_workflow_schema_passes(generated: tuple[Path, str, dict[str, Any]]) -> None:
    out, _, _ = generated
    files = sorted(str(p) for p in out.glob("*.yml"))
    argv = [python_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]
    done = run([*argv, *files], out)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_no_template_injection(generated: tuple[Path, str, dict[str, Any]]) -> None:
    """Even the strictest persona flags nothing but the author's own `${{ secrets.* }}`."""
    out, name, workflows = generated
    files = sorted(p.name for p in out.glob("*.yml"))
    for persona in ("regular", "auditor"):
        argv = [python_tool("zizmor"), "--offline", "--persona", persona, "--format", "json"]
        done = run([*argv, *files], out)
        assert done.returncode in (0, *range(10, 15)), done.stderr  # 1x: findings exist
        findings = [f for f in json.loads(done.stdout) if f["ident"] == "template-injection"]
        flagged = [_flagged_value(finding, workflows) for finding in findings]
        if persona == "regular" or name != "custom":
            assert flagged == []
        else:
            assert flagged and all("${{ secrets.DEPLOY_TOKEN }}" in line for line in flagged)


def _flagged_value(finding: dict[str, Any], workflows: dict[str, Any]) -> str:
    """The YAML value a finding points at, found by following its route."""
    location = finding["locations"][-1]
    key = location["symbolic"]["key"]["Local"]
    node: Any = workflows[Path(key.get("given_path") or key["verbatim_path"]).name]
    for part in location["symbolic"]["route"]["route"]:
        node = node[part.get("Key", part.get("Index"))]
    return str(node)


def test_no_expression_inside_generated_scripts(
    generated: tuple[Path, str, dict[str, Any]],
) -> None:
    """Only the author's deploy command may carry `${{ }}` into run:; the only event field read
    is the pull request's base SHA (hex, not author-controlled text), and only into `with:`."""
    _, name, workflows = generated
    options = OPTION_SETS[name]
    deploy = (
        [options[options.index("--deploy-command") + 1]] if "--deploy-command" in options else []
    )
    for workflow in workflows.values():
        text = json.dumps(workflow)
        base_sha = "github.event.pull_request.base.sha"
        assert "github.event." not in text.replace("github.event_name", "").replace(base_sha, "")
        assert "head_ref" not in text
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                if "run" in step and step["run"] not in deploy:
                    assert "${{" not in step["run"]


def test_secrets_only_reach_env(generated: tuple[Path, str, dict[str, Any]]) -> None:
    _, _, workflows = generated
    for workflow in workflows.values():
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                assert "secrets." not in json.dumps(step.get("with", {}))
                for value in step.get("env", {}).values():
                    if "secrets." in str(value):
                        assert re.fullmatch(r"\$\{\{ secrets\.[A-Z_]+ \}\}", value)


def test_job_graph(generated: tuple[Path, str, dict[str, Any]]) -> None:
    _, name, workflows = generated
    workflow = workflows["migrate-gate.yml"]
    assert workflow["permissions"] == {"contents": "read"}
    assert set(workflow[True]) == {"pull_request", "push"}  # YAML 1.1 reads `on` as True
    jobs = workflow["jobs"]
    environments = (
        ["dev", "staging", "production"] if name == "custom" else ["staging", "production"]
    )
    suffixes = ["-services-api", "-web"] if name == "monorepo" else [""]
    variable = "APP_DATABASE_URL" if name == "custom" else "DATABASE_URL"
    for suffix in suffixes:
        test = jobs[f"test-migrations{suffix}"]
        assert test["if"] == "github.event_name == 'pull_request'"
        lint = jobs[f"lint-migrations{suffix}"]
        assert lint["if"] == test["if"]
        for job, command in ((test, "verify"), (lint, "lint")):
            checkout, step = job["steps"]
            assert checkout["with"]["fetch-depth"] == 0  # --since needs the base commit
            assert step["with"]["command"] == command
            assert step["with"]["since"] == "${{ github.event.pull_request.base.sha }}"
        assert "postgres" in test["services"]
        # Django's SQL comes from sqlmigrate on a live database; Alembic's renders offline
        assert ("services" in lint) == (suffix == "-web")
        previous = None
        for env in environments:
            migrate, deploy = jobs[f"migrate-{env}{suffix}"], jobs[f"deploy-{env}{suffix}"]
            if previous is None:
                assert migrate["if"] == "github.event_name == 'push'"
            else:
                assert migrate["needs"] == previous  # only after the previous one deployed
            assert migrate["environment"] == deploy["environment"] == env
            assert migrate["concurrency"] == {
                "group": f"migrate-gate-migrate-{env}{suffix}",
                "cancel-in-progress": False,
            }
            assert deploy["concurrency"]["cancel-in-progress"] is False
            assert deploy["needs"] == f"migrate-{env}{suffix}"
            assert deploy["if"] == f"needs.migrate-{env}{suffix}.outputs.status == 'success'"
            step = migrate["steps"][-1]
            assert step["env"] == {"DATABASE_URL": f"${{{{ secrets.{variable} }}}}"}
            assert migrate["outputs"]["status"] == "${{ steps.migrate.outputs.status }}"
            if name == "custom":
                assert step["uses"] == f"migrate-gate/migrate-gate@{SHA}"
            previous = f"deploy-{env}{suffix}"


def test_rollback_workflow_redeploys_first(generated: tuple[Path, str, dict[str, Any]]) -> None:
    _, name, workflows = generated
    workflow = workflows["migrate-gate-rollback.yml"]
    inputs = workflow[True]["workflow_dispatch"]["inputs"]
    assert {"environment", "release-ref", "steps", "confirm"} <= set(inputs)
    jobs = workflow["jobs"]
    suffixes = ["-services-api", "-web"] if name == "monorepo" else [""]
    assert ("project" in inputs) == (name == "monorepo")
    for suffix in suffixes:
        redeploy, rollback = jobs[f"redeploy{suffix}"], jobs[f"rollback{suffix}"]
        assert redeploy["needs"] == "confirm"
        assert rollback["needs"] == f"redeploy{suffix}"  # seed order: code first, then schema
        assert redeploy["steps"][0]["with"]["ref"] == "${{ inputs.release-ref }}"
        assert rollback["steps"][-1]["with"]["command"] == "rollback"
        assert rollback["steps"][-1]["with"]["steps"] == "${{ inputs.steps }}"
        assert rollback["environment"] == "${{ inputs.environment }}"
    check = jobs["confirm"]["steps"][0]
    assert check["env"]["CONFIRMATION"] == "${{ inputs.confirm }}"
    assert '"$CONFIRMATION" != "$ENVIRONMENT"' in check["run"]


@pytest.mark.parametrize(
    ("confirmation", "steps", "code"),
    [
        ("staging", "2", 0),
        ("Staging", "1", 1),
        ("", "1", 1),
        ("staging", "0", 1),
        ("staging", "x", 1),
    ],
)
def test_typed_confirmation_script(
    tmp_path: Path, confirmation: str, steps: str, code: int
) -> None:
    """The confirm job's script, run by bash with the environment GitHub would give it."""
    _, workflows = _generate(tmp_path, "defaults")
    script = workflows["migrate-gate-rollback.yml"]["jobs"]["confirm"]["steps"][0]["run"]
    env = {
        "ENVIRONMENT": "staging",
        "CONFIRMATION": confirmation,
        "STEPS": steps,
        "PATH": "/usr/bin:/bin",
    }
    done = run(["bash", "-e", "-c", script], tmp_path, env=env)
    assert done.returncode == code, done.stdout
