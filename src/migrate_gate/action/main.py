"""The `migrate-gate-action` entrypoint: inputs -> migrate-gate subprocess -> outputs, summary,
comment and alert on GitHub Actions and GitLab CI."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import requests

from ..dburl import parse
from ..errors import UsageError
from ..masking import Masker, forms, too_short
from . import alert, comment, deps
from .inputs import InputError, Inputs, read
from .outputs import failed_report, outputs
from .platform import Platform, detect
from .run import run
from .summary import render


def main() -> int:
    """Run one command as the action / component; the exit code is migrate-gate's."""
    platform = detect()
    try:
        inputs = read(platform.name)
    except InputError as error:
        platform.error(str(error))
        return 2
    masker = Masker(_secrets(inputs))
    for secret in _secrets(inputs):
        # like min_mask_length in google-github-actions: a short value would star every match
        if not too_short(secret):
            for form in sorted(forms(secret)):
                platform.mask(form)
    if not inputs.working_directory.is_dir():
        platform.error(f"working-directory {inputs.project!r} does not exist in the repository")
        return 2
    report, returncode, tail = _execute(platform, inputs, masker)
    _publish(platform, inputs, masker, report, tail)
    return returncode if returncode != 0 or report.get("status") == "success" else 1


def _execute(
    platform: Platform, inputs: Inputs, masker: Masker
) -> tuple[dict[str, Any], int, list[str]]:
    try:
        _install_dependencies(platform, inputs)
    except deps.SetupFailed as error:
        return (
            failed_report(inputs.command, str(inputs.working_directory), masker(str(error))),
            1,
            [],
        )
    findings = platform.findings_output() if inputs.command == "lint" else None
    with platform.group(f"migrate-gate {inputs.command} ({inputs.project})"):
        result = run(inputs, masker, sys.stdout, findings=findings)
    if findings is not None:
        platform.show_findings(findings, masker)
    if result.report is not None:
        return result.report, result.returncode, result.tail
    last = result.tail[-1] if result.tail else ""
    message = last or f"migrate-gate exited with code {result.returncode} and printed no report"
    return (
        failed_report(inputs.command, str(inputs.working_directory), message),
        (result.returncode or 1),
        result.tail,
    )


def _install_dependencies(platform: Platform, inputs: Inputs) -> None:
    if not deps.wanted(inputs.install_dependencies, os.environ):
        return
    for argv in deps.commands(inputs.working_directory):
        with platform.group(f"install-dependencies: {deps.describe(argv)}"):
            deps.install(inputs.working_directory, argv)


def _publish(
    platform: Platform, inputs: Inputs, masker: Masker, report: dict[str, Any], tail: list[str]
) -> None:
    # the report's free text and the tail are masked already; masking the whole summary or
    # the outputs again would star the ids (`..._add_author_email` with the password `email`)
    summary = render(report, tail=tail, project=inputs.project, run_url=platform.run_url())
    if inputs.command == "plan":
        from . import plan

        plan.write_report(report)
        summary = plan.summary(report, run_url=platform.run_url()) or summary
    platform.publish(outputs(report), summary, report)
    if report.get("problems"):
        platform.show_problems(report["problems"], inputs.project)
    if report.get("status") != "success":
        platform.error(masker(f"{inputs.command} {report.get('status')}: {report.get('error')}"))
    if inputs.comment:
        _comment(platform, inputs, summary)
    if report.get("status") != "success" and inputs.alert_webhook:
        _alert(platform, inputs, masker, report)


def _comment(platform: Platform, inputs: Inputs, summary: str) -> None:
    pull = platform.pull_request(inputs.token)
    if pull is None:
        platform.warning("comment: no pull/merge request or no token here; nothing posted")
        return
    try:
        done = comment.post(pull, summary, f"{inputs.command} {inputs.project}")
    except requests.RequestException as error:
        platform.warning(f"comment not posted: {_http_error(error)}")
        return
    print(f"migrate-gate: comment {done}", flush=True)


def _alert(platform: Platform, inputs: Inputs, masker: Masker, report: dict[str, Any]) -> None:
    where = os.environ.get("GITHUB_REPOSITORY") or os.environ.get("CI_PROJECT_PATH") or ""
    body = alert.payload(report, where=where, run_url=platform.run_url())
    try:
        alert.send(inputs.alert_webhook, _masked(body, masker))
    except requests.RequestException as error:
        platform.warning(f"alert not sent: {_http_error(error)}")
        return
    print("migrate-gate: alert sent", flush=True)


def _masked(body: dict[str, Any], masker: Masker) -> dict[str, Any]:
    return json.loads(masker(json.dumps(body)))  # type: ignore[no-any-return]


def _http_error(error: requests.RequestException) -> str:
    """Status and reason only: request URLs may hold a webhook's secret path."""
    response = error.response
    if response is not None:
        return f"HTTP {response.status_code} {response.reason}"
    return type(error).__name__


def _secrets(inputs: Inputs) -> list[str]:
    found = [inputs.token, inputs.alert_webhook]
    for url in (inputs.database_url, inputs.scratch_url):
        if not url:
            continue
        try:
            found += parse(url).secrets()
        except UsageError:  # malformed: hide all of it; migrate-gate will say what is wrong
            found.append(url)
    return [secret for secret in found if secret]
