"""GitLab CI: collapsible sections, a dotenv report, the report JSON file, the merge request."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..masking import Masker
from .manifest import load
from .platform import PullRequest
from .problems import code_quality
from .run import FindingsOutput

DOTENV_DEFAULT = "migrate-gate.env"
REPORT_DEFAULT = "migrate-gate-report.json"
JUNIT_DEFAULT = "migrate-gate-junit.xml"  # verify's checks: the job's junit report
CODE_QUALITY_DEFAULT = "gl-code-quality-report.json"  # lint's findings: the codequality report
_RED, _YELLOW, _RESET = "\033[31;1m", "\033[33;1m", "\033[0m"


class GitLab:
    name = "gitlab"

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def mask(self, secret: str) -> None:
        """GitLab masks only variables declared masked; migrate-gate masks its own output."""

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        name = f"migrate_gate_{int(time.time() * 1000)}"
        _say(f"\033[0Ksection_start:{int(time.time())}:{name}\r\033[0K{title}")
        try:
            yield
        finally:
            _say(f"\033[0Ksection_end:{int(time.time())}:{name}\r\033[0K")

    def error(self, message: str) -> None:
        _say(f"{_RED}ERROR: migrate-gate: {message}{_RESET}")

    def warning(self, message: str) -> None:
        _say(f"{_YELLOW}WARNING: migrate-gate: {message}{_RESET}")

    def publish(self, values: dict[str, str], summary: str, report: dict[str, Any]) -> None:
        _say(summary)
        dotenv = Path(self._env.get("MIGRATE_GATE_DOTENV") or DOTENV_DEFAULT)
        dotenv.write_text(dotenv_text(values), encoding="utf-8")
        report_file = Path(self._env.get("MIGRATE_GATE_REPORT") or REPORT_DEFAULT)
        report_file.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    def pull_request(self, token: str) -> PullRequest | None:
        iid, project = self._env.get("CI_MERGE_REQUEST_IID"), self._env.get("CI_PROJECT_ID")
        api = self._env.get("CI_API_V4_URL", "").rstrip("/")
        if not (iid and project and api and token):
            return None
        base = f"{api}/projects/{quote(project, safe='')}/merge_requests/{iid}/notes"
        return PullRequest(
            collection_url=base,
            item_url=base + "/{id}",
            headers={"PRIVATE-TOKEN": token},
            update_method="PUT",
        )

    def run_url(self) -> str:
        return self._env.get("CI_JOB_URL", "")

    def findings_output(self) -> FindingsOutput:
        return FindingsOutput(
            "gitlab", Path(self._env.get("MIGRATE_GATE_CODE_QUALITY") or CODE_QUALITY_DEFAULT)
        )

    def show_findings(self, output: FindingsOutput, masker: Masker) -> None:
        """The Code Quality file is the job's artifact; GitLab shows it in the merge request."""

    def show_problems(self, problems: list[dict[str, Any]], project: str) -> None:
        """Into the Code Quality report lint also writes (one command per job)."""
        path = self.findings_output().path
        path.write_text(json.dumps(code_quality(problems, project), indent=2) + "\n", "utf-8")


def dotenv_text(values: dict[str, str]) -> str:
    """MIGRATE_GATE_* lines for the outputs the manifest marks for GitLab (single-line values)."""
    lines = [
        f"{output.dotenv_name}={' '.join(values[output.name].split())}"
        for output in load().outputs
        if output.gitlab
    ]
    return "\n".join(lines) + "\n"


def _say(line: str) -> None:
    print(line, flush=True)
