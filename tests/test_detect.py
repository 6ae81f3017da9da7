"""Detection on temporary trees: one folder, monorepos, folders never descended into."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import copy_project, run_cli

from migrate_gate.detect import detect_folder, detect_tree


def alembic_project(root: Path) -> None:
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "migrations" / "env.py").write_text("")
    (root / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")


def test_alembic_needs_ini_and_env(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    assert detect_folder(tmp_path) == []
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "env.py").write_text("")
    [project] = detect_folder(tmp_path)
    assert project.ecosystem == "alembic"
    assert project.evidence == ["alembic.ini", "migrations/env.py"]


def test_django_needs_manage_and_migrations(tmp_path: Path) -> None:
    (tmp_path / "manage.py").write_text("import django\n")
    assert detect_folder(tmp_path) == []
    (tmp_path / "app" / "migrations").mkdir(parents=True)
    (tmp_path / "app" / "migrations" / "__init__.py").write_text("")
    [project] = detect_folder(tmp_path)
    assert (project.ecosystem, project.evidence) == ("django", ["manage.py", "app/migrations/"])


def test_monorepo_lists_every_project_and_skips_dependencies(tmp_path: Path) -> None:
    alembic_project(tmp_path / "services" / "billing")
    copy_project("django", tmp_path / "services")
    for hidden in ("node_modules/pkg", ".venv/lib", "vendor/x", "build/out", ".git/x", "myenv"):
        alembic_project(tmp_path / hidden)
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr\n")
    found = {(p.ecosystem, p.path) for p in detect_tree(tmp_path)}
    assert found == {("alembic", "services/billing"), ("django", "services/django")}


def test_root_project_path_is_dot(tmp_path: Path) -> None:
    alembic_project(tmp_path)
    result = run_cli("detect", "--json", "--project-dir", str(tmp_path))
    assert result.returncode == 0
    assert json.loads(result.stdout) == {
        "projects": [
            {"ecosystem": "alembic", "path": ".", "evidence": ["alembic.ini", "migrations/env.py"]}
        ]
    }


def test_detect_empty_tree(tmp_path: Path) -> None:
    result = run_cli("detect", "--json", "--project-dir", str(tmp_path))
    assert (result.returncode, json.loads(result.stdout)) == (0, {"projects": []})


def test_monorepo_with_all_six_ecosystems(tmp_path: Path) -> None:
    """One real fixture project per ecosystem, side by side: detect lists all six."""
    for name in ("alembic", "django", "goose", "knex", "prisma", "rails"):
        copy_project(name, tmp_path / "services")
    result = run_cli("detect", "--json", "--project-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    projects = {p["ecosystem"]: p for p in json.loads(result.stdout)["projects"]}
    assert set(projects) == {"alembic", "django", "goose", "knex", "prisma", "rails"}
    for name, project in projects.items():
        assert project["path"] == f"services/{name}"
        assert project["evidence"], f"{name} listed without evidence"
    assert "knexfile.js" in projects["knex"]["evidence"]
    assert "prisma/schema.prisma" in projects["prisma"]["evidence"]
    assert "bin/rails" in projects["rails"]["evidence"]


def test_alembic_in_a_folder_whose_name_has_a_colon(tmp_path: Path) -> None:
    """%(here)s expands to a path with ': ' in it; that is a folder, not a package resource."""
    alembic_project(tmp_path / "a: b")
    (tmp_path / "a: b" / "alembic.ini").write_text(
        "[alembic]\nscript_location = %(here)s/migrations\n"
    )
    [project] = detect_folder(tmp_path / "a: b")
    assert project.evidence == ["alembic.ini", "migrations/env.py"]


def test_gitlab_ci_local_build_copies_are_not_projects(tmp_path: Path) -> None:
    alembic_project(tmp_path)
    alembic_project(tmp_path / ".gitlab-ci-local" / "builds" / "job")
    assert [p.path for p in detect_tree(tmp_path)] == ["."]
