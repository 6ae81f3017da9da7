"""The rule registry: one module per rule, each exposing RULE (see mg001 for the shape)."""

from __future__ import annotations

import importlib
import os
import re

from ..model import Rule

_MODULE = re.compile(r"^(mg\d{3}_\w+)\.py$")  # mg001_non_concurrent_index.py: a rule, in id order


def _load() -> tuple[Rule, ...]:
    # a listing, not pkgutil.iter_modules: that imports inspect, ~5 ms of lint's start-up
    found = (_MODULE.match(entry) for entry in os.listdir(__path__[0]))
    names = sorted(match[1] for match in found if match)
    rules: list[Rule] = [importlib.import_module(f"{__name__}.{name}").RULE for name in names]
    return tuple(rules)


RULES: tuple[Rule, ...] = _load()
BY_ID = {rule.id: rule for rule in RULES}
CATEGORIES = ("safety", "types")
SYNTAX_ERROR = BY_ID["MG000"]


def resolve(reference: str) -> Rule | None:
    """A rule by id (MG001) or name (non-concurrent-index), case-insensitive."""
    wanted = reference.strip().lower()
    return next((r for r in RULES if wanted in (r.id.lower(), r.name)), None)
