"""The real validators these tests drive; a missing one fails the test (run `make setup`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from helpers import BIN, REPO

NODE_BIN = REPO / "tools" / "node_modules" / ".bin"


def tool(name: str) -> Path:
    for folder in (BIN, NODE_BIN):
        if (folder / name).exists():
            return folder / name
    raise AssertionError(f"{name} is not installed: run `make setup`")


def run(
    *argv: str | Path, cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def check_schema(schema: str, path: Path, *extra: str) -> None:
    done = run(tool("check-jsonschema"), "--builtin-schema", schema, *extra, path)
    assert done.returncode == 0, f"{path} fails {schema}:\n{done.stdout}{done.stderr}"
