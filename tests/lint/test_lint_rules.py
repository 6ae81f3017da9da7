"""Every rule against its YAML cases (tests/lint/cases/<RULE>.yml): SQL that must pass,
SQL that must fail — one parametrised test, so a new rule is one .py and one .yml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from migrate_gate.lint.engine import Options, lint
from migrate_gate.lint.model import Source
from migrate_gate.lint.rules import BY_ID, RULES

CASES = Path(__file__).parent / "cases"


def _cases() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in document["cases"]:
            params.append(pytest.param(document["rule"], case, id=f"{path.stem}-{case['name']}"))
    return params


@pytest.mark.parametrize(("rule", "case"), _cases())
def test_rule_case(rule: str, case: dict[str, Any]) -> None:
    sql = case.get("fail", case.get("pass"))
    # a list: several migrations, oldest first (state carried across the history)
    texts = sql if isinstance(sql, list) else [sql]
    transaction = case.get("transaction", "none")
    sources = [Source(f"m{i}.sql", text, transaction) for i, text in enumerate(texts)]
    options = Options(
        allow_destructive=case.get("allow_destructive", False),
        pg_version=case.get("pg_version", 13),
        assume_in_transaction=case.get("assume_in_transaction", False),
    )
    found = [f for f in lint(sources, options) if f.rule == rule]
    if "pass" in case:
        assert found == [], [f.message for f in found]
        return
    assert found, f"{rule} did not fire"
    if "lines" in case:
        assert [f.line for f in found] == case["lines"]
    if "severity" in case:
        assert {f.severity for f in found} == {case["severity"]}
    assert all(f.message and f.fix for f in found)


def test_every_rule_has_cases_and_a_documented_fix() -> None:
    """A rule without cases, or without its anti-pattern and fix as SQL, is unfinished."""
    with_cases = {path.stem for path in CASES.glob("*.yml")}
    assert with_cases == set(BY_ID)
    for rule in RULES:
        assert "Anti-pattern:" in rule.doc and "Fix" in rule.doc, rule.id
        assert rule.doc.startswith(f"{rule.id} {rule.name}:"), rule.id
    assert [r.id for r in RULES] == sorted(BY_ID)


def test_every_case_file_has_both_kinds() -> None:
    """Each rule: SQL it must report and similar-looking SQL it must not."""
    for path in sorted(CASES.glob("*.yml")):
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
        kinds = {"fail" if "fail" in case else "pass" for case in cases}
        assert kinds == {"fail", "pass"} or path.stem in ("MG000", "MG019"), path.stem


def test_findings_carry_column_and_end_in_characters() -> None:
    """Columns count characters, not bytes; the end is just past the statement (before its `;`),
    as SARIF's endColumn counts."""
    sql = (
        "SET lock_timeout = '5s'; SET statement_timeout = '1min';\n-- é\n"
        '  ALTER TABLE "ü"\n    DROP COLUMN x;\n'
    )
    (finding,) = [f for f in lint([Source("m.sql", sql)]) if f.rule == "MG008"]
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (3, 3, 4, 18)
