"""The project folder every command starts from (kept free of heavy imports: lint's start-up)."""

from __future__ import annotations

from pathlib import Path

from .errors import UsageError


def project_folder(path: str) -> Path:
    """--project-dir, resolved; a missing folder is a usage error."""
    directory = Path(path).resolve()
    if not directory.is_dir():
        raise UsageError(f"project folder {path!r} does not exist: check --project-dir")
    return directory
