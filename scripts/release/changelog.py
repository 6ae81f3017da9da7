#!/usr/bin/env python3
"""Print the body of CHANGELOG.md's `## VERSION` section (the GitHub release's notes):
`scripts/release/changelog.py 1.2.0 [CHANGELOG.md]`. Exit 1 when the section is missing or
empty: run scripts/bump_version.py VERSION, which adds the heading, before tagging."""

from __future__ import annotations

import re
import sys
from pathlib import Path


def section(text: str, version: str) -> str | None:
    """The lines under `## <version>` (with or without a date) up to the next `## `."""
    heading = re.compile(rf"^## \[?{re.escape(version)}\]?(?:\s.*)?$")
    lines, body, inside = text.splitlines(), [], False
    for line in lines:
        if line.startswith("## "):
            if inside:
                break
            inside = bool(heading.match(line))
        elif inside:
            body.append(line)
    notes = "\n".join(body).strip()
    return notes or None


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    path = Path(argv[1] if len(argv) == 2 else Path(__file__).resolve().parents[2] / "CHANGELOG.md")
    notes = section(path.read_text(encoding="utf-8"), argv[0])
    if notes is None:
        print(f"{path} has no entries under '## {argv[0]}': run scripts/bump_version.py "
              f"{argv[0]} before tagging", file=sys.stderr)  # fmt: skip
        return 1
    print(notes)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
