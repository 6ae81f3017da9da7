"""goose and Rails as scripts/setup installs them, found the way tests need them: a missing
toolchain fails the test (CI must have it), never skips."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import FIXTURES

from migrate_gate.ecosystems import goose


def goose_binary() -> Path:
    """Where scripts/setup/goose.sh puts the pinned build (or MIGRATE_GATE_GOOSE)."""
    if os.environ.get(goose.BINARY_ENV):
        return Path(os.environ[goose.BINARY_ENV])
    cache = os.environ.get("MIGRATE_GATE_CACHE") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "migrate-gate"
    )
    return Path(cache, "bin", "goose")


def installed_goose() -> Path:
    """goose_binary(), failing the test when it is not there."""
    binary = goose_binary()
    if not os.access(binary, os.X_OK):
        pytest.fail(f"goose is not installed at {binary}: run scripts/setup/goose.sh (make setup)")
    return binary


def locked_rails_app(destination: Path) -> Path:
    """The Rails fixture app copied to `destination`, with a Gemfile.lock pinning this
    machine's Debian gems (`bundle lock --local`)."""
    if shutil.which("ruby") is None or shutil.which("bundle") is None:
        pytest.fail("ruby/bundler are not installed: run scripts/setup/ruby.sh (make setup)")
    shutil.copytree(FIXTURES / "rails", destination)
    locked = subprocess.run(
        ["bundle", "lock", "--local"], cwd=destination, capture_output=True, text=True, check=False
    )
    assert locked.returncode == 0, f"bundle lock --local failed: {locked.stderr}{locked.stdout}"
    return destination
