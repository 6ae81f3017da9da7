"""Make the editable checkout time like an install: benchmarks import this first."""

from __future__ import annotations

from pathlib import Path


def compile_bytecode() -> None:
    """migrate-gate's .pyc files, as a pip install leaves them (py_compile writes them even
    under PYTHONDONTWRITEBYTECODE, which would otherwise make every timed run recompile)."""
    import compileall

    import migrate_gate

    compileall.compile_dir(Path(migrate_gate.__file__).parent, quiet=1)
