"""Make the editable checkout time like an install: benchmarks import this first."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def compile_bytecode() -> None:
    """migrate-gate's .pyc files, as a pip install leaves them (py_compile writes them even
    under PYTHONDONTWRITEBYTECODE, which would otherwise make every timed run recompile)."""
    import compileall

    import migrate_gate

    compileall.compile_dir(Path(migrate_gate.__file__).parent, quiet=1)


def install_copy(folder: Path) -> Path:
    """migrate-gate as pip installs it for a user, in a throwaway venv in `folder` that sees this
    venv's dependencies; returns its bin folder. The editable checkout's import hook (setuptools'
    finder: pathlib, re and urllib imported by every start of Python, ~15 ms idle) is a
    developer's cost, not a user's, and would hide the start-up lint itself takes."""
    import sysconfig
    import venv

    checkout = Path(__file__).resolve().parent.parent
    source = folder / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("src", "templates"):
        shutil.copytree(checkout / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(checkout / name, source / name)
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    wheels = folder / "wheels"
    quiet = {"stdout": subprocess.DEVNULL, "check": True}
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", wheels, source], **quiet
    )
    target = folder / "venv"
    venv.create(target, with_pip=False)
    python = target / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    # a path line, not this venv's .pth files: the dependencies without the editable hook
    (Path(purelib) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(wheels.glob("migrate_gate-*.whl"))
    subprocess.run([*pip, "--python", python, "install", "--no-deps", "--no-index", wheel], **quiet)
    return target / "bin"
