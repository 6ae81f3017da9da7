"""The action's inputs, read the way each platform passes them and checked before anything runs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .manifest import GITHUB, Input, load


class InputError(Exception):
    """A bad input: one line, exit 2, nothing runs."""


@dataclass(frozen=True)
class Inputs:
    command: str
    ecosystem: str
    project: str  # working-directory as given, e.g. for the comment marker
    working_directory: Path
    database_url: str
    steps: str
    timeout: str
    comment: bool
    token: str
    alert_webhook: str
    install_dependencies: str
    since: str = ""
    allow_nonempty: bool = False
    junit: str = ""  # verify's JUnit XML file; GitLab's component names it (MIGRATE_GATE_JUNIT)
    paths: tuple[str, ...] = ()
    fail_on: str = "warning"
    allow_destructive: bool = False
    allow_out_of_order: bool = False
    allow_unknown_applied: bool = False
    scratch_url: str = ""  # plan: where Django, Knex and Rails run to show their SQL
    lock_wait: str = ""  # these five: CLI flags of the same names, empty: the CLI's default
    lock_timeout: str = ""
    lock_retries: str = ""
    statement_timeout: str = ""
    warn_slower_than: str = ""


def read(platform: str, env: Mapping[str, str] | None = None) -> Inputs:
    """Every input of `platform`, validated against the manifest."""
    env = os.environ if env is None else env
    manifest = load()
    values = {item.name: _value(item, platform, env) for item in manifest.for_platform(platform)}
    for item in manifest.for_platform(platform):
        if item.options and values[item.name] not in item.options:
            raise InputError(
                f"input {item.name} is {values[item.name]!r}; expected one of "
                + ", ".join(item.options)
            )
    # GitLab starts the script in the project folder; GitHub names the workspace
    workspace = Path(env.get("GITHUB_WORKSPACE", ".") if platform == GITHUB else ".")
    return Inputs(
        command=values["command"],
        ecosystem=values["ecosystem"] or "auto",
        project=values["working-directory"] or ".",
        working_directory=workspace / (values["working-directory"] or "."),
        database_url=values["database-url"] or env.get("DATABASE_URL", ""),
        steps=values["steps"] or "1",
        timeout=values["timeout"],
        comment=values["comment"] == "true",
        token=values.get("github-token") or values.get("gitlab-token") or "",
        alert_webhook=values["alert-webhook"],
        install_dependencies=values["install-dependencies"],
        since=values["since"],
        allow_nonempty=values["allow-nonempty"] == "true",
        junit=values.get("junit") or env.get("MIGRATE_GATE_JUNIT", ""),
        paths=tuple(values["paths"].split()),
        fail_on=values["fail-on"] or "warning",
        allow_destructive=values["allow-destructive"] == "true",
        allow_out_of_order=values["allow-out-of-order"] == "true",
        allow_unknown_applied=values["allow-unknown-applied"] == "true",
        scratch_url=values["scratch-url"],
        lock_wait=values["lock-wait"],
        lock_timeout=values["lock-timeout"],
        lock_retries=values["lock-retries"],
        statement_timeout=values["statement-timeout"],
        warn_slower_than=values["warn-slower-than"],
    )


def _value(item: Input, platform: str, env: Mapping[str, str]) -> str:
    if platform == GITHUB:
        return _github_value(item, env)
    return _gitlab_value(item, env)


def _github_value(item: Input, env: Mapping[str, str]) -> str:
    """INPUT_<NAME> upper-cased with hyphens kept (GitHub's form); underscores also accepted."""
    upper = item.name.upper()
    for key in (f"INPUT_{upper}", f"INPUT_{upper.replace('-', '_')}"):
        if key in env:
            return env[key].strip()
    return "" if "${{" in item.default else item.default


def _gitlab_value(item: Input, env: Mapping[str, str]) -> str:
    """MIGRATE_GATE_INPUT_<SPEC_INPUT>; a secret is read from the variable that input names."""
    key = "MIGRATE_GATE_INPUT_" + item.gitlab_input.upper().replace("-", "_")
    fallback = item.variable or "" if item.secret else item.default
    value = env.get(key, fallback).strip()
    return env.get(value, "").strip() if item.secret and value else value
