"""Each --format against its documented shape: GitHub workflow commands (escaping per
actions/toolkit), GitLab Code Quality (docs.gitlab.com/ci/testing/code_quality), SARIF 2.1.0."""

from __future__ import annotations

import json

from migrate_gate.lint import formats
from migrate_gate.lint.model import Finding
from migrate_gate.lint.rules import BY_ID

FINDINGS = [
    Finding("MG008", "destructive", "error", "db/001 a,b.sql", 3, "DROP TABLE x: 100% gone",
            "back up\nfirst", "DROP TABLE x"),
    Finding("MG001", "non-concurrent-index", "warning", "db/002.sql", 7, "CREATE INDEX on t",
            "use CONCURRENTLY", "CREATE INDEX i ON t (a)"),
    Finding("MG001", "non-concurrent-index", "warning", "db/002.sql", 9, "CREATE INDEX on t",
            "use CONCURRENTLY", "CREATE INDEX i ON t (a)"),
]  # fmt: skip


def test_github_workflow_commands_are_escaped() -> None:
    lines = formats.github(FINDINGS).splitlines()
    assert len(lines) == 3
    assert lines[0] == (
        "::error file=db/001 a%2Cb.sql,line=3,title=MG008 destructive::"
        "DROP TABLE x: 100%25 gone%0Afix: back up%0Afirst"
    )
    assert lines[1].startswith(
        "::warning file=db/002.sql,line=7,title=MG001 non-concurrent-index::"
    )


def test_gitlab_code_quality_fields() -> None:
    issues = json.loads(formats.gitlab(FINDINGS))
    assert isinstance(issues, list) and len(issues) == 3
    for issue, finding in zip(issues, FINDINGS, strict=True):
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"] == {"path": finding.file, "lines": {"begin": finding.line}}
        assert finding.message in issue["description"]
    assert [i["severity"] for i in issues] == ["critical", "major", "major"]
    # the same statement twice in one file still gets two distinct fingerprints
    assert len({i["fingerprint"] for i in issues}) == 3


def test_fingerprints_do_not_move_with_line_numbers() -> None:
    moved = [f._replace(line=f.line + 10) for f in FINDINGS]
    assert formats.fingerprints(moved) == formats.fingerprints(FINDINGS)


def test_sarif_required_fields() -> None:
    document = json.loads(formats.sarif(FINDINGS))
    assert document["version"] == "2.1.0"
    assert document["$schema"].endswith("sarif-2.1.0.json")
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "migrate-gate"
    assert {rule["id"] for rule in driver["rules"]} == set(BY_ID)
    for result, finding in zip(run["results"], FINDINGS, strict=True):
        assert result["ruleId"] == finding.rule
        assert driver["rules"][result["ruleIndex"]]["id"] == finding.rule
        assert result["level"] in {"none", "note", "warning", "error"}
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["region"]["startLine"] == finding.line >= 1
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    ]
    assert uris[0] == "db/001%20a%2Cb.sql"


def test_json_and_text() -> None:
    document = json.loads(formats.json_(FINDINGS))
    assert document["findings"][0] == {
        "rule": "MG008", "name": "destructive", "severity": "error", "file": "db/001 a,b.sql",
        "line": 3, "message": "DROP TABLE x: 100% gone", "fix": "back up\nfirst",
        "column": 1, "end_line": 3, "end_column": 1,
        "help_uri": "https://github.com/migrate-gate/migrate-gate/blob/main/docs/rules/MG008.md",
    }  # fmt: skip
    assert json.loads(formats.json_([])) == {"findings": []}
    text = formats.text(FINDINGS)
    assert "db/002.sql:7: MG001 non-concurrent-index (warning): CREATE INDEX on t" in text
    assert text.rstrip().endswith("3 finding(s): 1 error(s), 2 warning(s) in 2 file(s)")
