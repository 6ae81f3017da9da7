"""A Slack-compatible webhook alert when a migration fails: on-call should know at once."""

from __future__ import annotations

from typing import Any

import requests

TIMEOUT = 15


def payload(report: dict[str, Any], *, where: str, run_url: str) -> dict[str, Any]:
    """Slack incoming-webhook JSON (`text` plus one section block); Mattermost reads it too."""
    text = (
        f":rotating_light: migrate-gate {report.get('command')} {report.get('status')}"
        f" in {where or 'CI'} ({report.get('ecosystem') or 'no ecosystem'})"
    )
    details = [text]
    if report.get("error"):
        details.append(f"Error: {report['error']}")
    if report.get("applied"):
        details.append("Applied before the failure: " + ", ".join(report["applied"]))
    if run_url:
        details.append(f"<{run_url}|Job log>")
    return {
        "text": "\n".join(details),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(details)}}],
    }


def send(url: str, body: dict[str, Any]) -> None:
    """POST the alert; raises on HTTP errors (the caller turns them into a warning)."""
    requests.post(url, json=body, timeout=TIMEOUT).raise_for_status()
