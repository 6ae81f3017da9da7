"""The wheel is what the Docker image and pip users get: it must hold every package and template."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from helpers import REPO


def test_wheel_contains_every_package_and_the_templates(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("migrate_gate-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in (REPO / "src").rglob("__init__.py"):
        assert init.relative_to(REPO / "src").as_posix() in names, f"{init} missing from the wheel"
    for template in (REPO / "templates").rglob("*"):
        if template.is_file() and "__pycache__" not in template.parts:
            relative = template.relative_to(REPO / "templates").as_posix()
            assert f"migrate_gate/templates/{relative}" in names, (
                f"{relative} missing from the wheel"
            )
