"""`python -m migrate_gate.action.install [--install-dependencies auto|true|false] DIR`: what the
action's install-dependencies does, for jobs that run migrate-gate itself (the merge-request jobs
`migrate-gate scaffold gitlab` writes). Exit 1 when an install fails."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import deps


def main(argv: Sequence[str] | None = None) -> int:
    """Install the project's own dependencies when `--install-dependencies` asks for it."""
    parser = argparse.ArgumentParser(prog="python -m migrate_gate.action.install")
    parser.add_argument("--install-dependencies", default="auto", choices=["auto", "true", "false"])
    parser.add_argument("project_dir", type=Path)
    args = parser.parse_args(argv)
    if not deps.wanted(args.install_dependencies, os.environ):
        return 0
    try:
        for command in deps.commands(args.project_dir):
            print(f"install-dependencies: {deps.describe(command)}", flush=True)
            deps.install(args.project_dir, command)
    except deps.SetupFailed as error:
        print(f"migrate-gate: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
