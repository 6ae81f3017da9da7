"""PostgreSQL's parser (libpg_query, as pglast bundles it): SQL to its JSON parse tree.

pglast's parse_sql_json calls libpg_query's pg_query_parse and decodes its result.
Importing pglast also loads its Python AST and enum modules, which lint never uses and
which cost ~30 ms, a sixth of a 10,000-statement run. So the common case calls the same
C function in pglast's own extension through ctypes; when that is unavailable, or the
SQL has a syntax error, pglast itself does the work (and reports the error).
statement_batches() then decodes that JSON a slice of statements at a time.
"""

from __future__ import annotations

import ctypes
import importlib.machinery
import importlib.util
import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

# Opens every statement of the JSON document. Only RawStmt has a "stmt" field, and a '"' inside
# a JSON string is always escaped, so this text marks statements and nothing else.
_STATEMENT = '{"stmt":{"'
BATCH_CHARS = 1 << 15
# orjson decodes a parse tree in half json's time (3 ms less per MB) but takes ~6 ms to import
# (datetime, uuid): it pays off from about 2 MB of JSON, some 4,000 statements.
ORJSON_FROM_CHARS = 1 << 21


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
                document: str = _text(result.parse_tree)
                return document
        finally:
            free(result)
    from pglast import parser

    try:
        return str(parser.parse_sql_json(text))
    except parser.ParseError as error:
        raise _syntax_error(error, text) from None


def several_statements(document: str) -> bool:
    """Whether a JSON document from parse_json() holds more than one statement."""
    return document.find(_STATEMENT, document.find(_STATEMENT) + 1) > 0


def statement_batches(document: str, size: int = BATCH_CHARS) -> Iterator[list[dict[str, Any]]]:
    """parse_json()'s statements ({"stmt": {"Kind": {...}}, "stmt_location": .., "stmt_len": ..}),
    decoded about `size` characters at a time. The caller drops each batch before reading the
    next, so the decoder reuses memory instead of faulting in fresh pages, which cost as much
    as the decoding itself: 10,000 statements decode in a third of one whole-document loads."""
    loads = _decoder(len(document))
    end = document.rfind("]")
    position = document.find(_STATEMENT)
    while position >= 0:
        following = document.find(_STATEMENT, position + size, end)
        stop = end if following < 0 else following - 1  # the comma between two statements
        yield loads("[" + document[position:stop] + "]")
        position = following


def _decoder(chars: int) -> Callable[[str], Any]:
    """orjson's loads (the same dicts and lists) for a long document; json's for a short one."""
    if chars >= ORJSON_FROM_CHARS:
        from orjson import loads

        return loads
    return json.loads


def _syntax_error(error: Exception, text: str) -> SqlSyntaxError:
    """pglast's ParseError(message, index); its index is None for "at end of input"."""
    index = error.args[1] if len(error.args) > 1 else None
    return SqlSyntaxError(str(error.args[0]), len(text) if index is None else int(index))


def scan(text: str) -> list[Token]:
    """PostgreSQL's scanner: every token and comment, with character positions."""
    from pglast import parser

    try:
        return [Token(t.start, t.end, t.name) for t in parser.scan(text)]
    except parser.ParseError as error:  # e.g. an unterminated quoted string
        raise _syntax_error(error, text) from None


# PyUnicode_FromString: one copy of the C string into a str (string_at + decode made two).
_text = ctypes.pythonapi.PyUnicode_FromString
_text.argtypes, _text.restype = [ctypes.c_void_p], ctypes.py_object


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
