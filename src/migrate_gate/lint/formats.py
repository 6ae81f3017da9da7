"""Findings as text, JSON, GitHub workflow commands, GitLab Code Quality or SARIF 2.1.0."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring_ascii as _quote  # what json.dumps quotes strings with

from .. import __version__
from .model import DOCS_URL, Finding
from .rules import RULES

# GitLab Code Quality severities: info, minor, major, critical, blocker.
GITLAB_SEVERITY = {"error": "critical", "warning": "major", "info": "info"}
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_JSON_FIELDS = (
    "rule", "name", "severity", "file", "line", "message", "fix",
    "column", "end_line", "end_column", "help_uri",
)  # fmt: skip


def text(findings: Sequence[Finding]) -> str:
    """One block per finding (`file:line: RULE name (severity): message` + fix), then a total."""
    lines = []
    for f in findings:
        lines.append(f"{f.file}:{f.line}: {f.rule} {f.name} ({f.severity}): {f.message}")
        lines.append(f"    fix: {f.fix}")
        lines.append(f"    see: {DOCS_URL.format(id=f.rule)}")
    lines.append(summary(findings))
    return "\n".join(lines) + "\n"


def summary(findings: Sequence[Finding]) -> str:
    if not findings:
        return "no findings"
    counts = Counter(f.severity for f in findings)
    files = len({f.file for f in findings})
    info = f", {counts['info']} info" if counts["info"] else ""
    return (
        f"{len(findings)} finding(s): {counts['error']} error(s), {counts['warning']} "
        f"warning(s){info} in {files} file(s)"
    )


def json_(findings: Sequence[Finding]) -> str:
    """{"findings": [...]} on one line, exactly as json.dumps writes it, three times faster:
    the fields that repeat (rule, name, severity, file) are encoded once per combination."""
    if findings and tuple(findings[0].to_dict()) != _JSON_FIELDS:  # Finding changed shape
        return json.dumps({"findings": [f.to_dict() for f in findings]}) + "\n"
    heads: dict[tuple[str, str, str, str], str] = {}
    links: dict[str, str] = {}
    parts = []
    for f in findings:
        key = (f.rule, f.name, f.severity, f.file)
        head = heads.get(key) or heads.setdefault(key, _json_head(*key))
        link = links.get(f.rule) or links.setdefault(f.rule, _quote(DOCS_URL.format(id=f.rule)))
        parts.append(
            f'{head}{f.line}, "message": {_quote(f.message)}, "fix": {_quote(f.fix)}, '
            f'"column": {f.column}, "end_line": {f.end_line or f.line}, '
            f'"end_column": {f.end_column or f.column}, "help_uri": {link}}}'
        )
    return '{"findings": [' + ", ".join(parts) + "]}\n"


def _json_head(rule: str, name: str, severity: str, file: str) -> str:
    return (
        f'{{"rule": {_quote(rule)}, "name": {_quote(name)}, "severity": {_quote(severity)}, '
        f'"file": {_quote(file)}, "line": '
    )


def github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: `::error file=…,line=…,title=…::message`."""
    return "".join(_annotation(f) for f in findings)


def _annotation(f: Finding) -> str:
    title = _property(f"{f.rule} {f.name}")
    body = _data(f"{f.message}\nfix: {f.fix}")
    where = f"file={_property(f.file)},line={f.line}"
    return f"::{GITHUB_COMMAND[f.severity]} {where},title={title}::{body}\n"


def _data(value: str) -> str:
    # GitHub's escaping (actions/toolkit command.ts): % first, so escapes are not re-escaped
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


def gitlab(findings: Sequence[Finding]) -> str:
    """GitLab Code Quality: a JSON array for `artifacts: reports: codequality`."""
    issues = [
        {
            "description": f"{f.message}. Fix: {f.fix}",
            "check_name": f"{f.rule} {f.name}",
            "fingerprint": fingerprint,
            "severity": GITLAB_SEVERITY[f.severity],
            "location": {"path": f.file, "lines": {"begin": f.line}},
        }
        for f, fingerprint in zip(findings, fingerprints(findings), strict=True)
    ]
    return json.dumps(issues) + "\n"


def fingerprints(findings: Sequence[Finding]) -> list[str]:
    """Stable ids: file, rule and the statement's SQL (not its line, which moves with edits)."""
    import hashlib

    seen: Counter[str] = Counter()
    result = []
    for f in findings:
        body = " ".join(f.statement.split()) or f"line {f.line}"
        key = f"{f.file}\0{f.rule}\0{body}\0{f.message}"
        seen[key] += 1
        result.append(hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()[:32])
    return result


def sarif(findings: Sequence[Finding]) -> str:
    """SARIF 2.1.0 (GitHub code scanning and other SARIF consumers)."""
    index = {rule.id: i for i, rule in enumerate(RULES)}
    results = [
        {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.message}. Fix: {f.fix}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(f.file)},
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line or f.line,
                            "endColumn": f.end_column or f.column,
                        },
                    }
                }
            ],
            "partialFingerprints": {"migrateGate/v1": fingerprint},
        }
        for f, fingerprint in zip(findings, fingerprints(findings), strict=True)
    ]
    driver = {
        "name": "migrate-gate",
        "version": __version__,
        "rules": [
            {
                "id": rule.id,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.doc.split("\n\n", 1)[0].replace("\n", " ")},
                "help": {"text": rule.doc},
                "helpUri": rule.help_uri,
                "properties": {"category": rule.category},
                "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity]},
            }
            for rule in RULES
        ],
    }
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }
    return json.dumps(document, indent=2) + "\n"


def _uri(path: str) -> str:
    from urllib.parse import quote

    return ("file://" if path.startswith("/") else "") + quote(path)


FORMATS: dict[str, Callable[[Sequence[Finding]], str]] = {
    "text": text,
    "json": json_,
    "github": github,
    "gitlab": gitlab,
    "sarif": sarif,
}
