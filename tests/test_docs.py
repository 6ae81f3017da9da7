"""The README is the front door (short, pointing into docs/), and no link in README.md or docs/
leads nowhere: every relative file exists and every #anchor is a heading of its page."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import REPO

LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
FENCE = re.compile(r"```.*?```", re.S)


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return {anchor(m[1]) for m in re.finditer(r"(?m)^#{1,6} (.*)$", text)}


def pages() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def test_readme_is_the_front_door() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 350
    for page in ("commands", "verify", "check", "lint", "plan", "ci", "scaffold", "performance"):
        assert f"(docs/{page}.md)" in readme, page


def test_every_relative_link_and_anchor_exists() -> None:
    broken = []
    for page in pages():
        for _, target in LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, fragment = target.partition("#")
            destination = (page.parent / path).resolve() if path else page
            if not destination.exists():
                broken.append(f"{page.relative_to(REPO)}: {target} (no such file)")
            elif fragment and destination.suffix == ".md" and fragment not in anchors(destination):
                broken.append(f"{page.relative_to(REPO)}: {target} (no such heading)")
    assert not broken, "\n".join(broken)
