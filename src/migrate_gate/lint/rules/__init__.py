"""The rule registry: one module per rule, each exposing RULE (see mg001 for the shape)."""

from __future__ import annotations

import importlib
import pkgutil
import re

from ..model import Rule

_MODULE = re.compile(r"^mg\d{3}_\w+$")  # mg001_non_concurrent_index.py: a rule, in id order


def _load() -> tuple[Rule, ...]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if _MODULE.match(m.name))
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
