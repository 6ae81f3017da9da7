"""Helpers for the lint tests: run `migrate-gate lint` as a user does."""

from __future__ import annotations

from pathlib import Path

from helpers import CliResult, run_cli


def run_lint(*args: str, cwd: Path, env: dict[str, str] | None = None) -> CliResult:
    """`migrate-gate lint ARGS` in `cwd`, through the installed console script."""
    return run_cli("lint", *args, cwd=cwd, env=env)
