"""Helpers for the lint tests: run `migrate-gate lint` as a user does."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

from helpers import BIN, CliResult, run_cli


@functools.cache
def _wired() -> bool:
    """True once the lead's cli.py dispatches `lint` (then the console script is used)."""
    return run_cli("lint", "--help").returncode == 0


def run_lint(*args: str, cwd: Path, env: dict[str, str] | None = None) -> CliResult:
    """`migrate-gate lint ARGS` in `cwd` (until wired: the same command module, run alone)."""
    if _wired():
        return run_cli("lint", *args, cwd=cwd, env=env)
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    environment.pop("DATABASE_URL", None)
    environment.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "migrate_gate.lint.command", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)
