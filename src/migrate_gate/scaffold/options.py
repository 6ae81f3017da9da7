"""Turn the scaffold command's options into a validated Plan; every mistake is a UsageError."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..action.manifest import IMAGE
from ..errors import UsageError
from ..folders import project_folder
from .names import Name
from .projects import ScaffoldProject, find_projects, repository_root
from .projects import default_branch as read_default_branch

ACTION_REPOSITORY = "migrate-gate/migrate-gate"
DEFAULT_COMPONENT = f"gitlab.com/migrate-gate/migrate-gate/migrate@{__version__}"
WORKFLOWS_DIR = ".github/workflows"
GITLAB_FILE = ".gitlab-ci.yml"

_ENVIRONMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
# Contexts an attacker can fill (event payloads, branch names, dispatch inputs): a deploy
# command that expands them inside `run:` is a script injection, so it is refused.
_UNTRUSTED = re.compile(r"\b(github\s*\.\s*(event|head_ref)|inputs\s*\.)", re.IGNORECASE)
DEPLOY_PLACEHOLDER = (
    'echo "migrate-gate: no deploy command for $DEPLOY_ENVIRONMENT yet:'
    ' rerun migrate-gate scaffold with --deploy-command" >&2; exit 1'
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Plan:
    """Everything the templates need, already validated."""

    platform: str
    root: Path
    projects: list[ScaffoldProject]
    environments: list[Name]
    deploy_command: str  # DEPLOY_PLACEHOLDER when none was given
    database_url_variable: Name
    action: str
    component: str
    default_branch: str
    output: Path | None  # None: print to stdout
    version: Name = field(default_factory=lambda: Name(__version__))
    image: str = IMAGE  # GitLab merge-request jobs run in the component's image


def plan_from_args(args: argparse.Namespace) -> Plan:
    """Validate the options and look at the project; nothing is written yet."""
    directory = project_folder(args.project_dir)
    root = repository_root(directory)
    return Plan(
        platform=args.platform,
        root=root,
        projects=find_projects(directory, root, args.ecosystem),
        environments=parse_environments(args.environments),
        deploy_command=check_deploy_command(args.deploy_command),
        database_url_variable=check_variable(args.database_url_variable, args.platform),
        action=action_reference(args.action_ref),
        component=single_line("--component", args.component or DEFAULT_COMPONENT),
        default_branch=read_default_branch(root),
        output=output_path(args.output, args.platform, root),
    )


def parse_environments(text: str) -> list[Name]:
    """`staging,production` -> ["staging", "production"], each a plain name, no repeats."""
    names = [part.strip() for part in text.split(",")]
    if not all(names):
        raise UsageError(f"--environments {text!r} has an empty name: e.g. staging,production")
    for name in names:
        if not _ENVIRONMENT.match(name):
            raise UsageError(
                f"environment name {name!r} is not allowed: use letters, digits, '-' and '_'"
            )
    if len(set(names)) != len(names):
        raise UsageError(f"--environments {text!r} names an environment twice")
    return [Name(name) for name in names]


def check_variable(name: str, platform: str) -> Name:
    """The secret / CI/CD variable name that holds the database URL."""
    if not _VARIABLE.match(name):
        raise UsageError(
            f"--database-url-variable {name!r} is not a variable name: use letters, digits and '_'"
        )
    if platform == "github" and name.upper().startswith("GITHUB_"):
        raise UsageError("GitHub secret names cannot start with GITHUB_: choose another name")
    return Name(name)


def check_deploy_command(command: str | None) -> str:
    """The deploy command as written, unless it expands attacker-controlled data."""
    if command is None:
        return DEPLOY_PLACEHOLDER
    if not command.strip():
        raise UsageError("--deploy-command is empty: give the shell command that deploys")
    for expression in _EXPRESSION.findall(command):
        if _UNTRUSTED.search(expression):
            raise UsageError(
                f"--deploy-command expands {expression.strip()!r}, which whoever opens a pull "
                "request or names a branch can fill: read it from an environment variable"
            )
    return command


def action_reference(ref: str | None) -> str:
    """The `uses:` value: OWNER/REPO@REF as given, or the migrate-gate action at REF."""
    ref = single_line("--action-ref", ref or f"v{__version__}")
    if re.search(r"\s", ref) or "${{" in ref:
        raise UsageError(f"--action-ref {ref!r} must be a tag, a SHA or OWNER/REPO@REF")
    if "@" in ref or ref.startswith(("./", "docker://")):
        return ref
    return f"{ACTION_REPOSITORY}@{ref}"


def single_line(option: str, value: str) -> str:
    """Values that end up on one line: no control characters, not empty."""
    if not value or _CONTROL.search(value):
        raise UsageError(f"{option} {value!r} must be one non-empty line")
    return value


def output_path(value: str | None, platform: str, root: Path) -> Path | None:
    """Where to write: the workflows folder (github) or the pipeline file (gitlab)."""
    if value == "-":
        return None
    if value is not None:
        return Path(value).resolve()
    return root / (WORKFLOWS_DIR if platform == "github" else GITLAB_FILE)
