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


def test_readme_lists_every_rule_as_it_is() -> None:
    """README's rules table: one row per rule, in order, with the rule's own severity and
    category (a rule added, renamed or re-graded without the README fails here)."""
    readme = (DOCS.parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Lint compared with squawk", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| [MG")]
    listed = [tuple(cell.strip() for cell in row.split("|")[1:4]) for row in rows]
    expected = [(f"[{r.id} {r.name}](docs/rules/{r.id}.md)", r.severity, r.category) for r in RULES]
    assert listed == expected
