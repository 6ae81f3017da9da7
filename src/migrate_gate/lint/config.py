"""Project settings for lint from `.migrate-gate.yml` (one file for all six ecosystems):

lint:
  ignore: [MG009, rename]    # rule ids or names, never reported
  allow_destructive: false   # true: MG008 findings are warnings, not errors
  types: false               # turn off the type rules (MG012-MG016: char, int keys, ...)
  pg_version: 15             # the PostgreSQL major version production runs
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from ..errors import UsageError
from .rules import RULES, resolve

CONFIG_FILE = ".migrate-gate.yml"


class LintConfig(NamedTuple):
    ignore: frozenset[str] = frozenset()
    allow_destructive: bool = False
    pg_version: int | None = None


def load(project_dir: Path) -> LintConfig:
    """The `lint:` section of the project's .migrate-gate.yml; defaults when there is none."""
    path = project_dir / CONFIG_FILE
    if not path.is_file():
        return LintConfig()
    import yaml  # only projects with a config file pay for the import

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise UsageError(f"{path} is not valid YAML: {' '.join(str(error).split())}") from None
    section = document.get("lint", {}) if isinstance(document, dict) else None
    if not isinstance(section, dict):
        raise UsageError(f"{path}: `lint` must be a mapping with `ignore` and `allow_destructive`")
    ignore = rule_ids(_list(section.get("ignore", []), path), f"{path}: lint.ignore")
    if not _bool(section.get("types", True), path, "types"):
        ignore |= {rule.id for rule in RULES if rule.category == "types"}
    return LintConfig(
        ignore=ignore,
        allow_destructive=_bool(section.get("allow_destructive", False), path),
        pg_version=_version(section.get("pg_version"), path),
    )


def _version(value: Any, path: Path) -> int | None:
    if value is None:
        return None
    try:
        return int(str(value).split(".")[0])
    except ValueError:
        raise UsageError(f"{path}: lint.pg_version must be a major version, e.g. 15") from None


def rule_ids(references: list[str], where: str) -> frozenset[str]:
    """Rule ids for ids or names; an unknown one is a usage error naming it."""
    ids = set()
    for reference in references:
        rule = resolve(str(reference))
        if rule is None:
            raise UsageError(
                f"{where}: unknown rule {reference!r} (see `migrate-gate lint --help`)"
            )
        ids.add(rule.id)
    return frozenset(ids)


def _list(value: Any, path: Path) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise UsageError(f"{path}: lint.ignore must be a list of rule ids, e.g. [MG009]")
    return [str(item) for item in value]


def _bool(value: Any, path: Path, key: str = "allow_destructive") -> bool:
    if not isinstance(value, bool):
        raise UsageError(f"{path}: lint.{key} must be true or false")
    return value
