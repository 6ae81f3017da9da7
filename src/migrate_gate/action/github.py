"""GitHub Actions: workflow commands, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, the pull request."""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..masking import Masker
from .platform import PullRequest
from .problems import workflow_commands
from .run import FindingsOutput
from .workflow_commands import command


class GitHub:
    name = "github"

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def mask(self, secret: str) -> None:
        _say(command("add-mask", secret))

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        # stop-commands: nothing the tool prints can act as a workflow command
        token = secrets.token_hex(16)
        _say(command("group", title))
        _say(command("stop-commands", token))
        try:
            yield
        finally:
            _say(f"::{token}::")
            _say(command("endgroup"))

    def error(self, message: str) -> None:
        _say(command("error", message, title="migrate-gate"))

    def warning(self, message: str) -> None:
        _say(command("warning", message, title="migrate-gate"))

    def publish(self, values: dict[str, str], summary: str, report: dict[str, Any]) -> None:
        if path := self._env.get("GITHUB_OUTPUT"):
            with open(path, "a", encoding="utf-8") as handle:
                handle.writelines(output_block(name, value) for name, value in values.items())
        if path := self._env.get("GITHUB_STEP_SUMMARY"):
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(summary + "\n")

    def pull_request(self, token: str) -> PullRequest | None:
        number = self._pull_number()
        repo = self._env.get("GITHUB_REPOSITORY")
        if not (number and repo and token):
            return None
        api = self._env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
        return PullRequest(
            collection_url=f"{api}/repos/{repo}/issues/{number}/comments",
            item_url=f"{api}/repos/{repo}/issues/comments/{{id}}",
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            },
            update_method="PATCH",
        )

    def run_url(self) -> str:
        server = self._env.get("GITHUB_SERVER_URL", "https://github.com")
        repo, run = self._env.get("GITHUB_REPOSITORY"), self._env.get("GITHUB_RUN_ID")
        return f"{server}/{repo}/actions/runs/{run}" if repo and run else ""

    def findings_output(self) -> FindingsOutput:
        handle, name = tempfile.mkstemp(prefix="migrate-gate-findings-", suffix=".txt")
        os.close(handle)
        return FindingsOutput("github", Path(name))

    def show_problems(self, problems: list[dict[str, Any]], project: str) -> None:
        for line in workflow_commands(problems):
            _say(line)

    def show_findings(self, output: FindingsOutput, masker: Masker) -> None:
        """Print the `::error file=…,line=…` annotations, outside any stop-commands group."""
        try:
            text = output.path.read_text(encoding="utf-8")
        except OSError:
            return
        finally:
            output.path.unlink(missing_ok=True)
        if text:
            print(masker(text), end="" if text.endswith("\n") else "\n", flush=True)

    def _pull_number(self) -> int | None:
        """From the event payload (pull_request events), else refs/pull/<n>/merge."""
        event_path = self._env.get("GITHUB_EVENT_PATH")
        if event_path and Path(event_path).is_file():
            event = json.loads(Path(event_path).read_text(encoding="utf-8") or "{}")
            number = (event.get("pull_request") or {}).get("number")
            if isinstance(number, int):
                return number
        parts = self._env.get("GITHUB_REF", "").split("/")
        if len(parts) == 4 and parts[:2] == ["refs", "pull"] and parts[2].isdigit():
            return int(parts[2])
        return None


def output_block(name: str, value: str) -> str:
    """name<<DELIM, the value, DELIM: a random delimiter that the value cannot contain."""
    delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
    while delimiter in value:  # pragma: no cover - 128 random bits
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def _say(line: str) -> None:
    # one stream for commands and the tool's output keeps them in order in the log
    print(line, flush=True)
