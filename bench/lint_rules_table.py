"""Which rules fire, ours and squawk's, on the same corpus: the SQL cases in
tests/lint/cases/*.yml (each rule's must-fail and must-pass examples).

Prints two Markdown tables for the README: per migrate-gate rule, the squawk rules that
fire on its must-fail cases (and how many of them squawk catches); then every case
with both tools' rules. Run with `.venv/bin/python bench/lint_rules_table.py`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from migrate_gate.lint.engine import Options, lint
from migrate_gate.lint.model import Source
from migrate_gate.lint.rules import BY_ID

CASES = Path(__file__).resolve().parent.parent / "tests" / "lint" / "cases"
BIN = Path(sys.executable).parent
# squawk's rules that check the same thing as ours (its other rules fire on almost every
# statement: require-lock-timeout, require-statement-timeout, prefer-robust-stmts, ...).
EQUIVALENT = {
    "MG000": {"syntax-error"},
    "MG001": {"require-concurrent-index-creation", "require-concurrent-index-deletion"},
    "MG002": {"ban-concurrent-index-creation-in-transaction"},
    "MG003": {"adding-required-field"},
    "MG004": {"adding-not-nullable-field"},
    "MG005": {"adding-foreign-key-constraint", "constraint-missing-not-valid"},
    "MG006": {"changing-column-type", "adding-field-with-default"},
    "MG007": {"renaming-column", "renaming-table"},
    "MG008": {"ban-drop-column", "ban-drop-table", "ban-truncate-cascade"},
    "MG009": {"require-lock-timeout"},
    "MG010": {"disallowed-unique-constraint", "adding-serial-primary-key-field"},
    "MG011": set(),  # squawk has no backfill rule
    "MG012": {"ban-char-field"},
    "MG013": {"prefer-bigint-over-int", "prefer-bigint-over-smallint"},
    "MG014": {"prefer-identity"},
    "MG015": {"prefer-timestamp-tz"},
    "MG016": {"prefer-text-field"},
    "MG017": {"prefer-robust-stmts"},
    "MG018": {"ban-duplicate-column-assignments"},
    "MG019": {"ban-uncommitted-transaction"},
    "MG020": {"transaction-nesting"},
    "MG021": {"require-concurrent-partition-detach"},
    "MG022": {"require-statement-timeout"},
    "MG023": {"identifier-too-long"},
    "MG024": {"ban-create-domain-with-constraint", "ban-alter-domain-with-add-constraint"},
    "MG025": {"ban-drop-not-null", "ban-drop-default", "ban-drop-constraint", "ban-drop-view",
              "ban-drop-type", "ban-drop-extension", "ban-drop-function"},
    "MG026": {"require-enum-value-ordering"},
}  # fmt: skip


def load_cases() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(CASES.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in document["cases"]:
            expect = "fail" if "fail" in case else "pass"
            sql = case[expect]
            parts = sql if isinstance(sql, list) else [sql]  # several migrations, oldest first
            cases.append({**case, "rule": document["rule"], "expect": expect, "parts": parts,
                          "sql": "\n".join(parts)})  # fmt: skip
    return cases


def ours(case: dict[str, Any]) -> set[str]:
    transaction = case.get("transaction", "none")
    sources = [Source(f"m{i}.sql", sql, transaction) for i, sql in enumerate(case["parts"])]
    options = Options(
        allow_destructive=case.get("allow_destructive", False),
        pg_version=case.get("pg_version", 13),
        assume_in_transaction=case.get("assume_in_transaction", False),
    )
    return {f.rule for f in lint(sources, options)}


def squawk(cases: list[dict[str, Any]], folder: Path) -> list[set[str]]:
    """squawk's rule names per case, from one run over one file per case."""
    executable = shutil.which("squawk", path=str(BIN)) or shutil.which("squawk")
    if executable is None:
        sys.exit("squawk is not installed: pip install squawk-cli (a dev dependency)")
    files = []
    for index, case in enumerate(cases):
        files.append(folder / f"case{index:03d}.sql")
        files[-1].write_text(case["sql"], encoding="utf-8")
    done = subprocess.run(
        [executable, "--reporter", "json", *map(str, files)], capture_output=True, text=True
    )
    found: dict[str, set[str]] = defaultdict(set)
    for violation in json.loads(done.stdout or "[]"):
        found[Path(violation["file"]).name].add(violation["rule_name"])
    return [found[path.name] for path in files]


def main() -> int:
    cases = load_cases()
    with tempfile.TemporaryDirectory(prefix="migrate-gate-rules-") as scratch:
        theirs = squawk(cases, Path(scratch))
    print("| migrate-gate rule | squawk's equivalent | must-fail cases caught: ours / squawk "
          "| must-pass cases flagged: ours / squawk |")  # fmt: skip
    print("|---|---|---|---|")
    for rule_id, rule in BY_ID.items():
        equivalent = EQUIVALENT[rule_id]
        rows = [(c, t) for c, t in zip(cases, theirs, strict=True) if c["rule"] == rule_id]
        counts = []
        for expect in ("fail", "pass"):
            chosen = [(c, t) for c, t in rows if c["expect"] == expect]
            mine = sum(rule_id in ours(c) for c, _ in chosen)
            squawks = sum(bool(t & equivalent) for _, t in chosen)
            counts.append(f"{mine} / {squawks} of {len(chosen)}")
        theirs_named = ", ".join(sorted(equivalent)) or "(none)"
        print(f"| {rule_id} {rule.name} | {theirs_named} | {' | '.join(counts)} |")
    print()
    print("| case | expected | migrate-gate | squawk |")
    print("|---|---|---|---|")
    for case, their_rules in zip(cases, theirs, strict=True):
        mine = ", ".join(sorted(ours(case))) or "-"
        print(
            f"| {case['rule']} {case['name']} | {case['expect']} | {mine} | "
            f"{', '.join(sorted(their_rules)) or '-'} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
