"""Render the Jinja templates in templates/scaffold/ into the files of one Plan."""

from __future__ import annotations

import unicodedata
from importlib.resources import files

import jinja2

from .names import Quoted, finalize
from .options import Plan

GITHUB_FILES = {
    "migrate-gate.yml": "github/migrations.yml.j2",
    "migrate-gate-rollback.yml": "github/rollback.yml.j2",
}
GITLAB_TEMPLATE = "gitlab/gitlab-ci.yml.j2"

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def yaml_quote(value: object) -> Quoted:
    """One double-quoted YAML scalar that reads back as exactly `str(value)`.

    Printable characters stay as written; quotes, backslashes, line breaks (including
    Unicode ones such as U+2028, which YAML would fold) and other controls are escaped.
    """
    return Quoted('"' + "".join(_escape(char) for char in str(value)) + '"')


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if " " <= char <= "~" or (char > "\x7f" and _printable(char)):
        return char
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _printable(char: str) -> bool:
    # Control, format, surrogate, private-use, unassigned and line/paragraph separators
    # are escaped: YAML either rejects them in a stream or treats them as line breaks.
    return unicodedata.category(char)[0] != "C" and unicodedata.category(char) not in ("Zl", "Zp")


def _load(name: str) -> tuple[str, None, None]:
    source = files("migrate_gate.templates").joinpath("scaffold").joinpath(name).read_text("utf-8")
    return source, None, None


def environment() -> jinja2.Environment:
    """The Jinja environment: strict about undefined names, one quoting filter `q`."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # YAML, not HTML: values go through `q` instead
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize,  # every printed value is quoted by `q` or a checked Name
        # GitHub's own `${{ }}` stays literal in the templates: Jinja prints with [[ ]].
        variable_start_string="[[",
        variable_end_string="]]",
    )
    env.filters["q"] = yaml_quote
    return env


def render_files(plan: Plan) -> dict[str, str]:
    """File name -> content; github gives two workflows, gitlab one pipeline."""
    env = environment()
    if plan.platform == "github":
        return {name: env.get_template(t).render(plan=plan) for name, t in GITHUB_FILES.items()}
    return {".gitlab-ci.yml": env.get_template(GITLAB_TEMPLATE).render(plan=plan)}
