"""JUnit XML for verify's checks, so GitHub and GitLab show them as test results."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from .walk import PASSED, Check


def write(path: Path, checks: list[Check], *, ecosystem: str, seconds: float) -> None:
    failures = sum(check.result != PASSED for check in checks)
    suite = ElementTree.Element(
        "testsuite",
        name="migrate-gate verify",
        tests=str(len(checks)),
        failures=str(failures),
        errors="0",
        time=f"{seconds:.3f}",
    )
    for check in checks:
        case = ElementTree.SubElement(
            suite, "testcase", classname=f"migrate-gate.verify.{ecosystem}", name=check.migration
        )
        if check.result != PASSED:
            failure = ElementTree.SubElement(
                case, "failure", message=f"{check.result}: {check.message}", type=check.result
            )
            failure.text = "\n".join(check.diff) or check.message
    path.parent.mkdir(parents=True, exist_ok=True)
    root = ElementTree.Element("testsuites")
    root.append(suite)
    ElementTree.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
