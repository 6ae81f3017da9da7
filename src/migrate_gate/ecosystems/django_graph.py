"""Django's migration graph read from the files, without starting Django.

Enough of the graph for the history checks: each app's leaves (more than one is a
conflict `migrate` refuses, "Conflicting migrations detected") and the operations that
cannot be reverted. Files are parsed, never imported: a project's settings are not needed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from .. import folders
from ..history import Problem, missing_down, unknown_applied

PATTERNS = ("*/migrations/[0-9]*.py", "*/*/migrations/[0-9]*.py")
_SKIPPED = frozenset({".venv", "venv", "env", "node_modules", "site-packages"})


class Node(NamedTuple):
    app: str
    name: str
    path: Path
    dependencies: tuple[tuple[str, str], ...]
    replaces: tuple[tuple[str, str], ...]
    irreversible: bool

    @property
    def key(self) -> tuple[str, str]:
        return self.app, self.name


def conflicting_leaves(project_dir: Path) -> list[Problem]:
    """Apps whose migrations end in more than one leaf: two branches nobody merged."""
    problems: list[Problem] = []
    for app, leaves in sorted(_leaves(list(_nodes(project_dir))).items()):
        if len(leaves) < 2:
            continue
        names = ", ".join(leaves)
        problems.extend(
            Problem(
                "conflicting-leaves",
                f"{app}.{leaf}",
                f"one of {len(leaves)} leaf migrations of app {app} ({names}); merge them: "
                f"python manage.py makemigrations --merge {app}",
            )
            for leaf in leaves
        )
    return problems


def irreversible(project_dir: Path) -> list[Problem]:
    """Migrations with RunPython / RunSQL and no reverse: `migrate <app> <previous>` fails."""
    names = sorted(f"{n.app}.{n.name}" for n in _nodes(project_dir) if n.irreversible)
    return missing_down(names, "RunPython or RunSQL without a reverse: it cannot be unapplied")


def unknown_recorded(project_dir: Path, recorded: list[str]) -> list[Problem]:
    """django_migrations rows (`app.name`) of this checkout's apps that no file (nor a
    squash's `replaces`) names. Rows of apps without migrations here are left alone: Django
    ignores them too (an app removed from INSTALLED_APPS)."""
    nodes = list(_nodes(project_dir))
    apps = {node.app for node in nodes}
    known = {f"{a}.{n}" for node in nodes for a, n in (node.key, *node.replaces)}
    ours = [name for name in recorded if name.partition(".")[0] in apps]
    return unknown_applied(ours, known)


def read_files(project_dir: Path) -> None:
    """Parse every migration file now (each parse is memoized on the file's version): done
    while Django starts, the history checks after it find them read."""
    for _node in _nodes(project_dir):
        pass


def _leaves(nodes: list[Node]) -> dict[str, list[str]]:
    """Per app, the migrations no other migration of the app depends on (squashed ones
    stand in for those they replace)."""
    replaced = {key for node in nodes for key in node.replaces}
    standing = [node for node in nodes if node.key not in replaced]
    stand_in = {key: node.key for node in standing for key in node.replaces}
    has_child = {
        stand_in.get(dependency, dependency)
        for node in standing
        for dependency in node.dependencies
        if dependency[0] == node.app
    }
    leaves: dict[str, list[str]] = {}
    for node in sorted(standing):
        if node.key not in has_child:
            leaves.setdefault(node.app, []).append(node.name)
    return leaves


def _nodes(project_dir: Path) -> Iterator[Node]:
    for pattern in PATTERNS:
        for path in sorted(project_dir.glob(pattern)):
            if _SKIPPED.isdisjoint(path.relative_to(project_dir).parts):
                node = _read(path)
                if node:
                    yield node


@folders.per_file_version
def _read(path: Path) -> Node | None:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    migration = next(
        (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Migration"), None
    )
    if migration is None:
        return None
    app = path.parent.parent.name
    return Node(
        app,
        path.stem,
        path,
        _pairs(_class_value(migration, "dependencies")),
        _pairs(_class_value(migration, "replaces")),
        _has_irreversible(migration),
    )


def _class_value(cls: ast.ClassDef, name: str) -> ast.expr | None:
    for node in cls.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return node.value
    return None


def _pairs(value: ast.expr | None) -> tuple[tuple[str, str], ...]:
    """("app", "name") literals of a list; swappable or computed entries are skipped
    (they name other apps: Django's settings.AUTH_USER_MODEL)."""
    if not isinstance(value, ast.List | ast.Tuple):
        return ()
    pairs = []
    for item in value.elts:
        if isinstance(item, ast.Tuple) and len(item.elts) == 2:
            first, second = item.elts
            if isinstance(first, ast.Constant) and isinstance(second, ast.Constant):
                pairs.append((str(first.value), str(second.value)))
    return tuple(pairs)


_REVERSE = {"RunPython": "reverse_code", "RunSQL": "reverse_sql"}


def _has_irreversible(cls: ast.ClassDef) -> bool:
    """An operation with no reverse (or `None`; `RunPython.noop` is a reverse)."""
    for call in ast.walk(cls):
        if not isinstance(call, ast.Call):
            continue
        keyword = _REVERSE.get(getattr(call.func, "attr", getattr(call.func, "id", "")))
        if keyword is None:
            continue
        given = {k.arg: k.value for k in call.keywords}
        reverse = call.args[1] if len(call.args) > 1 else given.get(keyword)
        if reverse is None or (isinstance(reverse, ast.Constant) and reverse.value is None):
            return True
    return False
