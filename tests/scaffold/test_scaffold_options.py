"""Options, quoting and usage errors of `migrate-gate scaffold`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import run_cli
from scaffold_helpers import alembic_project, load, monorepo, scaffold

from migrate_gate.scaffold.names import Name, finalize
from migrate_gate.scaffold.render import yaml_quote

HOSTILE = [
    'say "hi": now # not a comment',
    "it's: a - [list] & *alias !tag | > %",
    "line one\nline two\n  indented: yes\n- item",
    "tab\there, backslash \\ and \\n literal",
    "unicode: caf\u00e9 \u2028 separator \u0085 nel \U0001f600 \ufeff bom \x07 bell",
    "--- \n... \n{flow: map}",
    "${{ secrets.DEPLOY_TOKEN }} and $HOME and `date`",
    "",
    " leading and trailing spaces ",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_quote_reads_back_exactly(value: str) -> None:
    assert yaml.safe_load(f"key: {yaml_quote(value)}\n") == {"key": value}
    assert "\n" not in yaml_quote(value)


def test_templates_cannot_print_unquoted_strings() -> None:
    with pytest.raises(TypeError, match=r"\|q"):
        finalize("plain: value")
    assert finalize(Name("staging")) == "staging"
    with pytest.raises(ValueError):
        Name("bad name")


@pytest.mark.parametrize("value", [v for v in HOSTILE if v.strip() and "${{" not in v])
def test_hostile_deploy_command_parses_back(tmp_path: Path, value: str) -> None:
    project = alembic_project(tmp_path)
    github = scaffold(project, "github", "--deploy-command", value)
    workflows = {name: load(text) for name, text in github.items()}
    runs = [
        step["run"]
        for workflow in workflows.values()
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if step.get("name") in ("deploy", "deploy the previous release")
    ]
    assert runs and all(run == value for run in runs)
    gitlab = load(scaffold(project, "gitlab", "--deploy-command", value)[".gitlab-ci.yml"])
    deploys = [job["script"][-1] for name, job in gitlab.items() if "deploy-" in name]
    assert len(deploys) == 4 and all(script == value for script in deploys)


def test_deploy_command_keeps_its_own_expressions(tmp_path: Path) -> None:
    command = "./deploy --token ${{ secrets.DEPLOY_TOKEN }} --to ${{ vars.TARGET }}"
    files = scaffold(alembic_project(tmp_path), "github", "--deploy-command", command)
    jobs = load(files["migrate-gate.yml"])["jobs"]
    assert jobs["deploy-staging"]["steps"][-1]["run"] == command


def test_hostile_component_and_project_path_parse_back(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    odd = 'it\'s a #path "x" & [y]'  # (a ': ' in the folder defeats Alembic's own detection)
    alembic_project(root, odd)
    alembic_project(root, "plain")
    component = "gitlab.example.com:8443/g/p/migrate@1.0 # 'not' \"a\": comment"
    pipeline = load(scaffold(root, "gitlab", "--component", component)[".gitlab-ci.yml"])
    includes = pipeline["include"]
    assert {item["component"] for item in includes} == {component}
    assert {item["inputs"]["project-dir"] for item in includes} == {odd, "plain"}
    workflow = load(scaffold(root, "github")["migrate-gate.yml"])
    directories = {
        step["with"]["working-directory"]
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "with" in step and "working-directory" in step["with"]
    }
    assert directories == {odd, "plain"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--environments", "staging,prod uction"], "environment name"),
        (["--environments", "staging,,production"], "empty name"),
        (["--environments", "staging,staging"], "twice"),
        (["--database-url-variable", "DATABASE-URL"], "not a variable name"),
        (["--database-url-variable", "GITHUB_DB"], "GITHUB_"),
        (["--ecosystem", "flyway"], "unknown ecosystem"),
        (["--deploy-command", "deploy ${{ github.event.head_commit.message }}"], "pull"),
        (["--deploy-command", "deploy ${{ github.head_ref }}"], "branch"),
        (["--deploy-command", "  "], "empty"),
        (["--action-ref", "v1 ; rm"], "--action-ref"),
        (["--component", "a\nb"], "one non-empty line"),
    ],
)
def test_bad_options_are_one_line_and_write_nothing(
    tmp_path: Path, options: list[str], message: str
) -> None:
    project = alembic_project(tmp_path)
    result = run_cli("scaffold", "github", "--project-dir", str(project), *options)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not (project / ".github").exists()


def test_nothing_detected_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("scaffold", "gitlab", "--project-dir", str(tmp_path))
    assert result.returncode == 2
    assert "no migration project found" in result.stderr
    assert not (tmp_path / ".gitlab-ci.yml").exists()


def test_writes_into_the_repository_root_and_refuses_to_overwrite(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)  # the root is found by its .git
    project = alembic_project(root, "backend")
    first = run_cli("scaffold", "github", "--project-dir", str(project))
    assert first.returncode == 0, first.stderr
    workflows = root / ".github" / "workflows"
    written = sorted(p.name for p in workflows.iterdir())
    assert written == ["migrate-gate-rollback.yml", "migrate-gate.yml"]
    jobs = load((workflows / "migrate-gate.yml").read_text())["jobs"]
    assert jobs["migrate-staging"]["steps"][-1]["with"]["working-directory"] == "backend"

    (workflows / "migrate-gate.yml").write_text("# mine\n")
    again = run_cli("scaffold", "github", "--project-dir", str(project))
    assert again.returncode == 2 and "--force" in again.stderr
    assert (workflows / "migrate-gate.yml").read_text() == "# mine\n"
    forced = run_cli("scaffold", "github", "--project-dir", str(project), "--force")
    assert forced.returncode == 0 and "# mine" not in (workflows / "migrate-gate.yml").read_text()

    gitlab = run_cli("scaffold", "gitlab", "--project-dir", str(project))
    assert gitlab.returncode == 0 and (root / ".gitlab-ci.yml").is_file()


def test_monorepo_gets_one_set_per_project(tmp_path: Path) -> None:
    root = monorepo(tmp_path / "repo")
    jobs = load(scaffold(root, "github")["migrate-gate.yml"])["jobs"]
    assert {"migrate-staging-services-api", "deploy-production-web"} <= set(jobs)
    assert jobs["migrate-staging-web"]["steps"][-1]["with"]["ecosystem"] == "django"
    pipeline = load(scaffold(root, "gitlab")[".gitlab-ci.yml"])
    assert {"test-migrations-services-api", "rollback-production-web"} <= set(pipeline)
    filtered = load(scaffold(root, "gitlab", "--ecosystem", "django")[".gitlab-ci.yml"])
    assert "migrate-staging" in filtered and "migrate-staging-services-api" not in filtered
