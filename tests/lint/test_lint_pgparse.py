"""The ctypes fast path to libpg_query returns exactly what pglast's parse_sql_json does."""

from __future__ import annotations

import json

import pytest
from pglast import parser

from migrate_gate.lint import pgparse

SQL = "SELECT 'été';\nCREATE INDEX CONCURRENTLY ä ON t (a);\n-- trailing\nDROP TABLE x"


def test_native_parser_is_used_and_matches_pglast() -> None:
    assert pgparse._native() is not None, "pglast's extension no longer exports pg_query_parse"
    assert json.loads(pgparse.parse_json(SQL)) == json.loads(parser.parse_sql_json(SQL))


def test_syntax_error_carries_message_and_character_index() -> None:
    with pytest.raises(pgparse.SqlSyntaxError) as caught:
        pgparse.parse_json("SELECT 'é';\nSELEC 1;")
    assert "syntax error at or near" in caught.value.message
    assert caught.value.index == len("SELECT 'é';\n")
