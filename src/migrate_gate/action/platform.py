"""The small interface the entrypoint publishes through, picked from GITHUB_ACTIONS / GITLAB_CI."""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    from ..masking import Masker
    from .run import FindingsOutput


class PullRequest(NamedTuple):
    """Where a comment goes: the notes/comments collection URL and the auth headers."""

    collection_url: str
    item_url: str  # with {id} for the comment or note to update
    headers: dict[str, str]
    update_method: str  # PATCH (GitHub) or PUT (GitLab)


class Platform(Protocol):
    name: str

    def mask(self, secret: str) -> None: ...

    def group(self, title: str) -> AbstractContextManager[None]: ...

    def error(self, message: str) -> None: ...

    def warning(self, message: str) -> None: ...

    def publish(self, values: dict[str, str], summary: str, report: dict[str, Any]) -> None: ...

    def pull_request(self, token: str) -> PullRequest | None: ...

    def run_url(self) -> str: ...

    def findings_output(self) -> FindingsOutput:
        """Where and in which format lint writes its findings for this platform."""
        ...

    def show_findings(self, output: FindingsOutput, masker: Masker) -> None:
        """Surface what lint wrote to `output` (annotations, a report artifact)."""
        ...

    def show_problems(self, problems: list[dict[str, Any]], project: str) -> None:
        """Surface the history's problems (annotations, Code Quality entries)."""
        ...


def detect(env: Mapping[str, str] | None = None) -> Platform:
    """GitHub when GITHUB_ACTIONS=true; GitLab when GITLAB_CI is set (gitlab-ci-local sets it
    to "false"); else GitHub's conventions, writing files only where named."""
    env = os.environ if env is None else env
    if env.get("GITHUB_ACTIONS") != "true" and "GITLAB_CI" in env:
        from .gitlab import GitLab

        return GitLab(env)
    from .github import GitHub

    return GitHub(env)
