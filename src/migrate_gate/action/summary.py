"""Render the Markdown summary (step summary, comment, note) from templates/summary/."""

from __future__ import annotations

import html
import re
from importlib.resources import files
from typing import Any

import jinja2

from ..report import FAILED, Report

TEMPLATE = "summary/report.md.j2"
MAX_FINDINGS = 50  # a comment stays readable (GitHub caps comments at 65,536 characters)


def render(report: dict[str, Any], *, tail: list[str], project: str = "", run_url: str = "") -> str:
    """The Markdown for one report; `tail` is the masked end of the tool's output, `project`
    the folder as the user named it."""
    source = files("migrate_gate.templates").joinpath(TEMPLATE).read_text(encoding="utf-8")
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
    )
    env.filters["cell"] = cell
    text = "\n".join([*tail, *_diff_lines(report)])
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return env.from_string(source).render(
        report=_complete(report),
        project=project or report.get("project_dir") or "",
        tail=tail,
        fence="`" * max(3, longest + 1),
        run_url=run_url,
        max_findings=MAX_FINDINGS,
    )


def cell(value: object) -> str:
    """A value safe inside a Markdown table cell and as HTML."""
    return html.escape(" ".join(str(value).split()), quote=False).replace("|", "\\|")


def _diff_lines(report: dict[str, Any]) -> list[str]:
    return [str(line) for check in report.get("checks") or [] for line in check.get("diff") or []]


def _complete(report: dict[str, Any]) -> dict[str, Any]:
    """Every field the template reads, even when the report came back partial."""
    defaults = Report(command="", ecosystem=None, project_dir="", status=FAILED).to_dict()
    return {
        **defaults,
        "checks": [],
        "findings": [],
        "checked": {},
        "durations": [],
        "blocked_by": [],
        **report,
    }
