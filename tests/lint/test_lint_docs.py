"""docs/rules/ holds one page per rule, generated from the rule's docstring, and no drift."""

from __future__ import annotations

from pathlib import Path

from migrate_gate.lint import gen_docs
from migrate_gate.lint.rules import RULES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules"


def test_every_rule_has_a_current_page() -> None:
    expected = gen_docs.pages()
    assert {p.name for p in DOCS.glob("*.md")} == set(expected)
    for name, text in expected.items():
        assert (DOCS / name).read_text(encoding="utf-8") == text, (
            f"docs/rules/{name} is stale: run python -m migrate_gate.lint.gen_docs docs/rules"
        )


def test_pages_show_bad_and_good_sql() -> None:
    for rule in RULES:
        text = (DOCS / f"{rule.id}.md").read_text(encoding="utf-8")
        assert "### Anti-pattern" in text and "### Fix" in text, rule.id
        assert text.count("```sql") >= 2 or rule.id == "MG000", rule.id
