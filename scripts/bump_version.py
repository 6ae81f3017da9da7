#!/usr/bin/env python3
"""Set migrate-gate's version everywhere it appears, from the one place that defines it
(src/migrate_gate/__init__.py): `scripts/bump_version.py 1.2.0`.

Everything that derives from the package version (the generated action.yml, the component, the
image tag, the scaffold's refs) is regenerated; what is copied into text (the Dockerfile's
fallback, README examples, the scaffold's golden files) is rewritten; CHANGELOG.md gets the
version's heading under `## Unreleased`. `--check` changes nothing and exits 1 naming each place
that disagrees with the package (tests/test_release.py runs it).
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION = r"\d+\.\d+\.\d+"
_DEFINITION = re.compile(rf'^__version__ = "(?P<v>{VERSION})"$', re.MULTILINE)
# The copies of the version a person or a tool reads as text; each (?P<v>) must be the package's.
REFERENCES = [
    rf"migrate-gate(?:/runner)?@v(?P<v>{VERSION})",  # uses: <owner>/migrate-gate@v1.2.3
    rf"(?:gitlab\.com/migrate-gate|<group>)/migrate-gate/migrate@(?P<v>{VERSION})",  # component
    rf"migrate-gate==(?P<v>{VERSION})",  # pip pin
    rf"ghcr\.io/migrate-gate/migrate-gate:(?P<v>{VERSION})",  # the image
    rf"`migrate-gate scaffold (?:github|gitlab)` (?P<v>{VERSION})",  # generated-file headers
]
# path (glob) -> patterns that must each occur in it at least once; [] = references if any.
PLACES: dict[str, list[str]] = {
    "entrypoint/Dockerfile": [rf"ARG MIGRATE_GATE_VERSION=(?P<v>{VERSION})"],
    "README.md": [rf'"version": "(?P<v>{VERSION})"', REFERENCES[0], REFERENCES[1]],
    "docs/**/*.md": [],
    "tests/scaffold/golden/*/*.yml": [],
}
GENERATED = ["action.yml", "runner/action.yml", "templates/migrate.yml", ".gitlab-ci-component.yml"]


def current(root: Path) -> str:
    """The version src/migrate_gate/__init__.py defines."""
    match = _DEFINITION.search((root / "src/migrate_gate/__init__.py").read_text(encoding="utf-8"))
    if match is None:
        raise SystemExit('src/migrate_gate/__init__.py has no __version__ = "X.Y.Z" line')
    return match["v"]


def places(root: Path) -> list[tuple[Path, list[re.Pattern[str]], list[re.Pattern[str]]]]:
    """(file, patterns that must occur, every pattern to look for) for each file to keep in step."""
    found = []
    for glob, required in PLACES.items():
        for path in sorted(root.glob(glob)):
            patterns = [re.compile(p) for p in dict.fromkeys([*required, *REFERENCES])]
            found.append((path, [re.compile(p) for p in required], patterns))
    return found


def problems(root: Path) -> list[str]:
    """Every place whose version is not the package's, or that lost its version."""
    version, found = current(root), []
    for path, required, patterns in places(root):
        text = path.read_text(encoding="utf-8")
        relative = path.relative_to(root)
        found += [f"{relative}: no match for {p.pattern}" for p in required if not p.search(text)]
        for pattern in patterns:
            for match in pattern.finditer(text):
                if match["v"] != version:
                    line = text.count("\n", 0, match.start()) + 1
                    found.append(f"{relative}:{line}: {match[0]} (the package is {version})")
    generator = _generate(root, "--check")
    if generator.returncode != 0:
        found.append(generator.stdout.strip() or generator.stderr.strip())
    return found


def _generate(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # The copy's own package under root/src, not whichever migrate_gate is installed.
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    argv = [sys.executable, "-m", "migrate_gate.action.generate", "--root", str(root), *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, check=False)


def _replace_versions(text: str, patterns: list[re.Pattern[str]], new: str) -> str:
    for pattern in patterns:
        text = pattern.sub(
            lambda m: m.string[m.start() : m.start("v")] + new + m.string[m.end("v") : m.end()],
            text,
        )
    return text


def bump(root: Path, new: str, *, today: datetime.date) -> None:
    """Write `new` into every place, regenerate the generated files, stamp the changelog."""
    init = root / "src/migrate_gate/__init__.py"
    init.write_text(
        _DEFINITION.sub(f'__version__ = "{new}"', init.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    for path, _, patterns in places(root):
        text = path.read_text(encoding="utf-8")
        path.write_text(_replace_versions(text, patterns, new), encoding="utf-8")
    generated = _generate(root)
    if generated.returncode != 0:
        raise SystemExit(generated.stderr)
    changelog = root / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    if not re.search(rf"^## {re.escape(new)}\b", text, re.MULTILINE):
        stamped = text.replace("## Unreleased\n", f"## Unreleased\n\n## {new} - {today}\n", 1)
        changelog.write_text(stamped, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bump_version.py", description=__doc__)
    parser.add_argument("version", nargs="?", help="the new version, X.Y.Z")
    parser.add_argument("--check", action="store_true", help="only report places that drifted")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root")
    args = parser.parse_args(argv)
    if not args.check:
        if not args.version or not re.fullmatch(VERSION, args.version):
            parser.error("give the new version as X.Y.Z (or --check)")
        bump(args.root, args.version, today=datetime.date.today())
    found = problems(args.root)
    for problem in found:
        print(problem)
    if not found:
        print(
            f"version {current(args.root)} in {1 + len(places(args.root)) + len(GENERATED)} files"
        )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
