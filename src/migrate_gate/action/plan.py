"""`plan` on a pull/merge request: the plan in Markdown, cut to fit one comment, and its
artifacts (plan.md, written by migrate-gate plan --output; plan.json, the report)."""

from __future__ import annotations

import json
from typing import Any

from ..report import Report
from .run import PLAN_DIR

# GitHub refuses a comment body over 65,536 characters (GitLab's notes allow 1,000,000): the
# plan keeps room for the hidden marker and the heading around it
COMMENT_LIMIT = 64_000


def summary(report: dict[str, Any], *, run_url: str = "") -> str | None:
    """The plan's Markdown for the step summary and the comment; None when there is no plan."""
    if not report.get("plan"):
        return None
    from ..plan.render import markdown

    rebuilt = Report(
        command="plan",
        ecosystem=report.get("ecosystem"),
        project_dir=str(report.get("project_dir") or ""),
        status=str(report.get("status")),
        error=report.get("error"),
        extra={"plan": report["plan"]},
    )
    where = f"`{PLAN_DIR}/plan.md` and `plan.json` in this job's artifacts"
    return markdown(
        rebuilt, limit=COMMENT_LIMIT, artifact=where + (f" ({run_url})" if run_url else "")
    )


def write_report(report: dict[str, Any]) -> None:
    """plan.json beside plan.md: the whole report, for the artifact."""
    PLAN_DIR.mkdir(exist_ok=True)
    (PLAN_DIR / "plan.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
