"""The history's problems (report field `problems`) as each platform shows them: GitHub
annotations, GitLab Code Quality entries."""

from __future__ import annotations

import hashlib
from typing import Any

from .workflow_commands import command

_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
_GITLAB_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def workflow_commands(problems: list[dict[str, Any]]) -> list[str]:
    """One `::error title=…::…` line per problem (info: a notice)."""
    return [
        command(
            _GITHUB_LEVEL.get(str(p.get("severity")), "error"),
            _text(p),
            title=f"migrate-gate {p.get('kind')}",
        )
        for p in problems
    ]


def code_quality(problems: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    """Code Quality entries located at the migration project's folder (`path`): a problem is
    about the history, so no single line holds it."""
    return [
        {
            "description": f"{p.get('kind')}: {_text(p)}",
            "check_name": f"migrate-gate/{p.get('kind')}",
            "fingerprint": hashlib.sha256(
                f"{p.get('kind')}\0{p.get('migration')}\0{path}".encode()
            ).hexdigest(),
            "severity": _GITLAB_SEVERITY.get(str(p.get("severity")), "major"),
            "location": {"path": path, "lines": {"begin": 1}},
        }
        for p in problems
    ]


def _text(problem: dict[str, Any]) -> str:
    where = f"{problem['migration']}: " if problem.get("migration") else ""
    return f"{where}{problem.get('detail')}"
