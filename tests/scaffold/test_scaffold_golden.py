"""Generated files compared byte for byte with tests/scaffold/golden/.

After an intended template change, regenerate and review the diff:
    MIGRATE_GATE_REGENERATE_GOLDEN=1 .venv/bin/python -m pytest -q \
        tests/scaffold/test_scaffold_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from scaffold_helpers import alembic_project, monorepo, scaffold

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("MIGRATE_GATE_REGENERATE_GOLDEN") == "1"
CASES: dict[str, tuple[str, str, list[str]]] = {
    "github-defaults": ("github", "alembic", []),
    "github-custom": (
        "github",
        "alembic",
        [
            "--environments",
            "qa,production",
            "--deploy-command",
            './deploy.sh "$DEPLOY_ENVIRONMENT" --token ${{ secrets.DEPLOY_TOKEN }}',
            "--database-url-variable",
            "APP_DATABASE_URL",
            "--action-ref",
            "0123456789abcdef0123456789abcdef01234567",
        ],
    ),
    "github-monorepo": ("github", "monorepo", ["--deploy-command", "make deploy"]),
    "gitlab-defaults": ("gitlab", "alembic", ["--deploy-command", "./deploy.sh"]),
    "gitlab-monorepo": (
        "gitlab",
        "monorepo",
        ["--component", "gitlab.example.com/platform/migrate-gate/migrate@1.2.3"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_golden(tmp_path: Path, case: str) -> None:
    platform, layout, options = CASES[case]
    root = monorepo(tmp_path / "repo") if layout == "monorepo" else alembic_project(tmp_path)
    files = scaffold(root, platform, *options)
    folder = GOLDEN / case
    if REGENERATE:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        for name, content in files.items():
            (folder / name.lstrip(".")).write_text(content)
    expected = {p.name: p.read_text() for p in sorted(folder.iterdir())} if folder.is_dir() else {}
    actual = {name.lstrip("."): content for name, content in files.items()}
    assert actual == expected, (
        f"{case} differs from {folder}; "
        "if intended, regenerate with MIGRATE_GATE_REGENERATE_GOLDEN=1"
    )
