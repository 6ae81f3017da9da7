"""The job outputs every platform publishes, computed once from the report."""

from __future__ import annotations

import json
from typing import Any

from ..report import Report


def outputs(report: dict[str, Any]) -> dict[str, str]:
    """Output name -> value, for every output in the manifest."""
    applied = list(report.get("applied") or [])
    return {
        "status": str(report.get("status") or "failed"),
        "ecosystem": str(report.get("ecosystem") or ""),
        "applied": json.dumps(applied),
        "applied-count": str(len(applied)),
        "rolled-back": json.dumps(list(report.get("rolled_back") or [])),
        "current": str(report.get("current") or ""),
        "pending-count": str(len(report.get("pending") or [])),
        "duration-seconds": f"{float(report.get('duration_seconds') or 0):.2f}",
        "findings-count": str(len(report.get("findings") or [])),
        "failed-check": _failed_check(report.get("checks") or []),
        "problems-count": str(
            sum(1 for p in report.get("problems") or [] if p.get("severity") == "error")
        ),
        **_slowest(report.get("durations") or []),
        "report": json.dumps(report, indent=2),
    }


def _slowest(durations: list[dict[str, Any]]) -> dict[str, str]:
    """migrate, rollback: the migration that took longest (report field durations)."""
    if not durations:
        return {"slowest-migration": "", "slowest-seconds": ""}
    slowest = max(durations, key=lambda entry: float(entry.get("seconds") or 0))
    return {
        "slowest-migration": str(slowest.get("id") or ""),
        "slowest-seconds": f"{float(slowest.get('seconds') or 0):.3f}",
    }


def _failed_check(checks: list[dict[str, Any]]) -> str:
    """verify's first check that did not pass: `<migration>: <result>: <message>`."""
    for check in checks:
        if check.get("result") != "passed":
            return f"{check.get('migration')}: {check.get('result')}: {check.get('message')}"
    return ""


def failed_report(command: str, project_dir: str, error: str) -> dict[str, Any]:
    """The report of a run that never produced one (bad input, setup failure)."""
    report = Report(command=command, ecosystem=None, project_dir=project_dir)
    report.fail(error)
    return report.to_dict()
