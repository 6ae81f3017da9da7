"""Two kinds of value the templates may print: quoted scalars and validated names."""

from __future__ import annotations

import re

_NAME = re.compile(r"[A-Za-z0-9_.-]*\Z")


class Name(str):
    """Letters, digits, '-', '_' and '.' only (checked): safe bare in YAML keys and job names."""

    def __new__(cls, value: str) -> Name:
        if not _NAME.match(value):
            raise ValueError(f"not a plain name: {value!r}")
        return super().__new__(cls, value)


class Quoted(str):
    """A double-quoted YAML scalar made by the `q` filter."""


def finalize(value: object) -> object:
    """Jinja finalize hook: any other string printed by a template is a template bug."""
    if isinstance(value, (Name, Quoted, bool, int)):
        return value
    raise TypeError(f"template prints {value!r} without the |q filter")
