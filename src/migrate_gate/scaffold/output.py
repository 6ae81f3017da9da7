"""Write the rendered files, refusing to overwrite unless asked; or print them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from ..errors import UsageError


def write_files(files: dict[str, str], output: Path | None, *, force: bool, stdout: TextIO) -> None:
    """github: `output` is the workflows folder; gitlab: the pipeline file; None prints."""
    if output is None:
        _print(files, stdout)
        return
    targets = _targets(files, output)
    existing = [str(path) for path in targets if path.exists()]
    if existing and not force:
        raise UsageError(f"{', '.join(existing)} already exists: pass --force to overwrite")
    for path, content in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)


def _targets(files: dict[str, str], output: Path) -> dict[Path, str]:
    if len(files) == 1:  # gitlab: the pipeline file itself
        if output.is_dir():
            raise UsageError(f"--output {output} is a folder: name the pipeline file")
        return {output: next(iter(files.values()))}
    if output.exists() and not output.is_dir():
        raise UsageError(f"--output {output} is a file: name the workflows folder")
    return {output / name: content for name, content in files.items()}


def _print(files: dict[str, str], stdout: TextIO) -> None:
    if len(files) == 1:
        stdout.write(next(iter(files.values())))
        return
    # Several workflows on stdout: one YAML stream, a document per file.
    for name, content in files.items():
        stdout.write(f"--- # .github/workflows/{name}\n{content}")
