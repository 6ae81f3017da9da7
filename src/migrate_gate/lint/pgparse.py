"""PostgreSQL's parser (libpg_query, as pglast bundles it): SQL to its JSON parse tree.

pglast's parse_sql_json calls libpg_query's pg_query_parse and decodes its result.
Importing pglast also loads its Python AST and enum modules, which lint never uses and
which cost ~30 ms, a sixth of a 10,000-statement run. So the common case calls the same
C function in pglast's own extension through ctypes; when that is unavailable, or the
SQL has a syntax error, pglast itself does the work (and reports the error).
"""

from __future__ import annotations

import ctypes
import importlib.machinery
import importlib.util
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple


class SqlSyntaxError(Exception):
    """PostgreSQL's parser rejected the SQL: message, and character index of the error."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.message, self.index = message, index


class Token(NamedTuple):
    start: int  # character index of the first character
    end: int  # character index of the last character
    name: str  # e.g. SQL_COMMENT, ASCII_59 (";")


class _Error(ctypes.Structure):
    _fields_ = (
        ("message", ctypes.c_char_p),
        ("funcname", ctypes.c_char_p),
        ("filename", ctypes.c_char_p),
        ("lineno", ctypes.c_int),
        ("cursorpos", ctypes.c_int),
        ("context", ctypes.c_char_p),
    )


class _Result(ctypes.Structure):  # libpg_query's PgQueryParseResult
    _fields_ = (
        ("parse_tree", ctypes.c_void_p),
        ("stderr_buffer", ctypes.c_void_p),
        ("error", ctypes.POINTER(_Error)),
    )


def parse_json(text: str) -> str:
    """The JSON parse tree of `text` (locations are UTF-8 byte offsets)."""
    native = _native()
    if native is not None:
        parse, free = native
        result = parse(text.encode("utf-8"))
        try:
            if not result.error and result.parse_tree:
                # decoded here: json.loads(bytes) decodes with a slower error handler
                return ctypes.string_at(result.parse_tree).decode("utf-8")
        finally:
            free(result)
    from pglast import parser

    try:
        return str(parser.parse_sql_json(text))
    except parser.ParseError as error:
        index = int(error.args[1]) if len(error.args) > 1 else 0
        raise SqlSyntaxError(str(error.args[0]), index) from None


def scan(text: str) -> list[Token]:
    """PostgreSQL's scanner: every token and comment, with character positions."""
    from pglast import parser

    try:
        return [Token(t.start, t.end, t.name) for t in parser.scan(text)]
    except parser.ParseError as error:  # e.g. an unterminated quoted string
        index = int(error.args[1]) if len(error.args) > 1 else 0
        raise SqlSyntaxError(str(error.args[0]), index) from None


@cache
def _native() -> tuple[Callable[[bytes], Any], Callable[[Any], None]] | None:
    """pg_query_parse and its free function from pglast's extension, if it exports them."""
    spec = importlib.util.find_spec("pglast")
    folders = list(spec.submodule_search_locations or ()) if spec else []
    for folder in folders:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            library = Path(folder) / f"parser{suffix}"
            if library.is_file():
                return _bind(library)
    return None


def _bind(library: Path) -> tuple[Callable[[bytes], Any], Callable[[Any], None]] | None:
    try:
        loaded = ctypes.CDLL(str(library))
        parse, free = loaded.pg_query_parse, loaded.pg_query_free_parse_result
    except (OSError, AttributeError):
        return None
    parse.argtypes, parse.restype = [ctypes.c_char_p], _Result
    free.argtypes, free.restype = [_Result], None
    return parse, free
