"""`-- migrate-gate: ignore <rule>` comments: on the statement, after it, or on the line above."""

from __future__ import annotations

from migrate_gate.lint.engine import lint
from migrate_gate.lint.model import Source
from migrate_gate.lint.suppress import parse_comment


def rules_at(sql: str) -> list[tuple[int, str]]:
    found = lint([Source("s.sql", sql)])
    return [(f.line, f.rule) for f in found if f.rule != "MG009" and f.severity != "info"]


def test_comment_on_the_line_above_silences_the_next_statement_only() -> None:
    sql = (
        "-- migrate-gate: ignore MG008 -- legacy_flag unused since 4.2\n"
        "ALTER TABLE users DROP COLUMN legacy_flag;\n"
        "ALTER TABLE users DROP COLUMN other_flag;\n"
    )
    assert rules_at(sql) == [(3, "MG008")]


def test_trailing_comment_silences_its_own_statement_not_the_next() -> None:
    sql = "DROP TABLE a; -- migrate-gate: ignore destructive\nDROP TABLE b;\n"
    assert rules_at(sql) == [(2, "MG008")]


def test_comment_inside_a_multiline_statement() -> None:
    sql = (
        "CREATE INDEX orders_idx\n"
        "  -- migrate-gate: ignore MG001\n"
        "  ON orders (customer_id);\n"
        "CREATE INDEX other_idx ON orders (status);\n"
    )
    assert rules_at(sql) == [(4, "MG001")]


def test_only_the_named_rule_is_silenced() -> None:
    sql = "-- migrate-gate: ignore MG001\nALTER TABLE users ADD COLUMN plan text NOT NULL;\n"
    assert rules_at(sql) == [(2, "MG003")]


def test_several_rules_and_all() -> None:
    sql = (
        "/* migrate-gate: ignore MG003, MG004 */\n"
        "ALTER TABLE users ADD COLUMN a text NOT NULL, ALTER COLUMN b SET NOT NULL;\n"
        "-- migrate-gate: ignore all\n"
        "DROP TABLE legacy;\n"
    )
    assert rules_at(sql) == []


def test_marker_inside_a_string_literal_does_not_count() -> None:
    sql = "INSERT INTO notes VALUES ('-- migrate-gate: ignore MG008');\nDROP TABLE legacy;\n"
    assert rules_at(sql) == [(2, "MG008")]


def test_unknown_rule_names_silence_nothing() -> None:
    assert parse_comment("-- migrate-gate: ignore MG0O1") == set()
    assert parse_comment("-- migrate-gate: check MG001") == set()
    assert parse_comment("-- migrate-gate: ignore rename MG001 -- why") == {"MG007", "MG001"}


def test_non_ascii_text_keeps_lines_right() -> None:
    sql = (
        "-- créé pour l'été ✓\nCOMMENT ON TABLE t IS 'été';\n"
        "-- migrate-gate: ignore MG007\nALTER TABLE t RENAME TO u;\nDROP TABLE v;\n"
    )
    assert rules_at(sql) == [(5, "MG008")]
