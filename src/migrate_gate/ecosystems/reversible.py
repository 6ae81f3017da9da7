"""Does a migration file have a down? Read from its text, per tool's format.

Used for the informational `missing-down` problem: a migration without a down stops
rollback and verify there. Each test errs towards "has a down" where the text is unclear.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

_GOOSE_DOWN = re.compile(r"^--\s*\+goose\s+Down\b(.*)", re.MULTILINE | re.DOTALL)
_SQL_NOISE = re.compile(r"^\s*(--.*)?$")
_RUBY_UP = re.compile(r"^\s*def\s+(?:self\.)?up\b", re.MULTILINE)
_RUBY_DOWN = re.compile(r"^\s*def\s+(?:self\.)?down\b", re.MULTILINE)
_JS_DOWN = re.compile(r"\bdown\b\s*[=:(]|\bfunction\s+down\b|\bdown\s*\(")


def goose_sql_has_down(text: str) -> bool:
    """A `-- +goose Down` section with at least one statement in it."""
    match = _GOOSE_DOWN.search(text)
    if not match:
        return False
    return any(not _SQL_NOISE.match(line) for line in match[1].splitlines())


def rails_has_down(text: str) -> bool:
    """`def change` (Rails reverses it) or `def down`; `def up` alone has none."""
    return not _RUBY_UP.search(text) or bool(_RUBY_DOWN.search(text))


def knex_has_down(text: str) -> bool:
    """An exported `down` (CommonJS, ES module or TypeScript)."""
    return bool(_JS_DOWN.search(text))


def alembic_has_down(path: Path) -> bool:
    """A `downgrade()` that does something (not only `pass`, `...` or a docstring), or an
    `upgrade()` with nothing to revert (a merge revision)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, SyntaxError, ValueError):
        return True
    does = {
        node.name: any(not _is_filler(statement) for statement in node.body)
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    }
    return does.get("downgrade", False) or not does.get("upgrade", True)


def _is_filler(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Pass):
        return True
    if isinstance(statement, ast.Raise):  # raise NotImplementedError(...)
        return "NotImplementedError" in ast.unparse(statement)
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)


def read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
