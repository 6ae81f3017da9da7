"""install-dependencies: the project's own packages, which a container cannot see on the runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


class SetupFailed(Exception):
    """Installing the project's dependencies failed: the run fails (exit 1)."""


def wanted(setting: str, env: Mapping[str, str]) -> bool:
    """auto: only inside the migrate-gate image (MIGRATE_GATE_IMAGE=1), which starts empty."""
    if setting == "auto":
        return env.get("MIGRATE_GATE_IMAGE") == "1"
    return setting == "true"


def commands(project: Path) -> list[list[str]]:
    """What the project's files ask for, in a fixed order."""
    found: list[list[str]] = []
    if (project / "package.json").is_file() and not (project / "node_modules").is_dir():
        lock = (project / "package-lock.json").is_file()
        found.append(["npm", "ci" if lock else "install", "--no-audit", "--no-fund"])
    if (project / "requirements.txt").is_file():
        found.append([sys.executable, "-m", "pip", "install", "-r", "requirements.txt"])
    if (project / "Gemfile").is_file():
        found.append(["bundle", "install"])
    return found


def install(project: Path, argv: list[str]) -> None:
    """Run one install command; its output goes to the log, secrets stay out of its environment."""
    if shutil.which(argv[0]) is None:
        raise SetupFailed(f"{argv[0]} is not installed; cannot run {' '.join(argv)}")
    env = {k: v for k, v in os.environ.items() if not _secret_key(k)}
    sys.stdout.flush()
    done = subprocess.run(
        argv, cwd=project, env=env, stdout=sys.stdout, stderr=subprocess.STDOUT, check=False
    )
    if done.returncode != 0:
        raise SetupFailed(f"`{describe(argv)}` failed with exit code {done.returncode}")


def describe(argv: list[str]) -> str:
    """The command as a person would type it (`python`, not the interpreter's path)."""
    first = "python" if argv[0] == sys.executable else argv[0]
    return " ".join([first, *argv[1:]])


def _secret_key(name: str) -> bool:
    return name.startswith(("INPUT_", "MIGRATE_GATE_INPUT_")) or name == "DATABASE_URL"
