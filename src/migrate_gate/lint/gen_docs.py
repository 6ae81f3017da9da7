"""Write docs/rules/: one page per rule from its module docstring, and an index.

    python -m migrate_gate.lint.gen_docs docs/rules

tests/lint/test_lint_docs.py fails when the pages drift from the rules. Never imported by
lint itself.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .model import Rule
from .rules import RULES

HEADER = "<!-- Generated from the rule's docstring by migrate_gate.lint.gen_docs. DO NOT EDIT. -->"


def page(rule: Rule) -> str:
    """What it catches, why it hurts, the safe way; bad and good SQL as code blocks."""
    title, _, body = rule.doc.partition("\n\n")
    what = " ".join(title.split(":", 1)[1].split())
    lines = [HEADER, f"# {rule.id} {rule.name}", ""]
    lines += [f"**Catches:** {what}", ""]
    lines += [f"Severity: `{rule.severity}` · category: `{rule.category}`", ""]
    lines += [f"Silence one statement: `-- migrate-gate: ignore {rule.id}`", ""]
    lines.append("## Why it hurts, and the safe way")
    lines.append("")
    lines += _blocks(body)
    return "\n".join(lines).rstrip() + "\n"


def _blocks(body: str) -> list[str]:
    """Indented SQL in the docstring becomes fenced ```sql blocks; headings stay words."""
    out: list[str] = []
    for part in body.strip().split("\n\n"):
        if all(line.startswith("    ") or not line for line in part.splitlines()):
            code = "\n".join(line[4:] for line in part.splitlines())
            if out and out[-1] == "```sql":
                out.insert(len(out) - 1, "")
            out += ["```sql", code, "```", ""]
        else:
            text = " ".join(part.split())
            heading = text.endswith(":") and (
                text.startswith(("Anti-pattern", "Fix")) or len(text) < 80
            )
            out += [f"### {text.rstrip(':')}" if heading else text, ""]
    return out


def index() -> str:
    """Every rule: id, name, severity, category, what it catches; each links its page."""
    lines = [HEADER, "# migrate-gate lint rules", ""]
    lines.append("| Rule | Name | Severity | Category | Catches |")
    lines.append("|---|---|---|---|---|")
    for rule in RULES:
        lines.append(
            f"| [{rule.id}]({rule.id}.md) | {rule.name} | {rule.severity} | {rule.category} "
            f"| {rule.summary} |"
        )
    return "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    """File name -> content, for every page of docs/rules."""
    found = {f"{rule.id}.md": page(rule) for rule in RULES}
    found["README.md"] = index()
    return found


def main(argv: list[str]) -> int:
    folder = Path(argv[1] if len(argv) > 1 else "docs/rules")
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pages().items():
        (folder / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
