"""Layouts real repositories use (issue 15): a workspace monorepo whose node_modules is
hoisted to the repository root and whose Prisma schema sits at the package's root (no
prisma/ folder), Knex in a workspace package, goose folders outside the default list."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from helpers import FIXTURES, CliResult, copy_project, pg_tables, run_cli, sqlite_tables
from node_projects import NODE_MODULES, PRISMA_ENV, path_without
from toolchains import installed_goose

from migrate_gate.ecosystems import base, goose


def workspace(tmp_path: Path) -> Path:
    """A repository: root package.json with workspaces, node_modules hoisted to the root."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "package.json").write_text(json.dumps({"private": True, "workspaces": ["packages/*"]}))
    os.symlink(NODE_MODULES.resolve(), repo / "node_modules")
    return repo


def prisma_package(repo: Path, *, config: bool = True) -> Path:
    """packages/prisma: package.json, schema.prisma and migrations/ at its root."""
    package = repo / "packages" / "prisma"
    package.mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": "@app/prisma", "private": True}))
    shutil.copy(FIXTURES / "prisma" / "prisma" / "schema.prisma", package / "schema.prisma")
    shutil.copytree(FIXTURES / "prisma" / "prisma" / "migrations", package / "migrations")
    if config:
        text = (FIXTURES / "prisma" / "prisma.config.ts").read_text()
        (package / "prisma.config.ts").write_text(
            text.replace('schema: "prisma/schema.prisma"', 'schema: "schema.prisma"')
        )
    return package


def detected(folder: Path) -> list[dict[str, object]]:
    result = run_cli("detect", "--json", "--project-dir", str(folder))
    assert result.returncode == 0, result.stderr
    return list(result.report["projects"])


def test_package_level_prisma_schema_is_one_project(tmp_path: Path) -> None:
    repo = workspace(tmp_path)
    package = prisma_package(repo, config=False)
    assert detected(repo) == [
        {"ecosystem": "prisma", "path": "packages/prisma", "evidence": ["schema.prisma"]}
    ]
    (package / "prisma.config.ts").write_text("export default {}\n")
    assert [p["path"] for p in detected(repo)] == ["packages/prisma"]  # not `packages` too


def test_standard_layout_and_schema_folder_are_listed_once(tmp_path: Path) -> None:
    app = tmp_path / "app"
    (app / "prisma" / "schema").mkdir(parents=True)
    (app / "package.json").write_text("{}")
    (app / "prisma" / "schema.prisma").write_text('datasource db {\n  provider = "sqlite"\n}\n')
    assert [p["path"] for p in detected(tmp_path)] == ["app"]  # not app/prisma
    (app / "prisma" / "schema.prisma").unlink()
    (app / "prisma" / "schema" / "main.prisma").write_text("// one of many files\n")
    assert detected(tmp_path) == [
        {"ecosystem": "prisma", "path": "app", "evidence": ["prisma/schema/"]}
    ]


def test_scaffold_writes_one_job_for_the_package(tmp_path: Path) -> None:
    repo = workspace(tmp_path)
    prisma_package(repo)
    written = tmp_path / "ci"
    result = run_cli(
        "scaffold", "github", "--project-dir", str(repo), "--output", str(written), cwd=repo
    )
    assert result.returncode == 0, result.stderr
    text = (written / "migrate-gate.yml").read_text()
    folders = {line.split(":", 1)[1].strip() for line in text.splitlines() if "working-dir" in line}
    assert folders == {'"packages/prisma"'}  # one project, not `packages` as well


def test_prisma_hoisted_to_the_repository_root_migrates(tmp_path: Path, pg_url: str) -> None:
    repo = workspace(tmp_path)
    package = prisma_package(repo)
    env = {**PRISMA_ENV, "PATH": path_without("prisma")}  # only the hoisted copy
    result = run_cli(
        "migrate", "--json", "--project-dir", str(package), "--database-url", pg_url, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.report["applied"] == sorted(
        p.name for p in (package / "migrations").iterdir() if p.is_dir()
    )
    assert "authors" in pg_tables(pg_url)
    assert "not installed" not in result.stderr


def test_knex_hoisted_to_the_repository_root_migrates(tmp_path: Path) -> None:
    repo = workspace(tmp_path)
    package = repo / "packages" / "api"
    shutil.copytree(FIXTURES / "knex", package)
    env = {"PATH": path_without("knex")}
    result = run_cli(
        "migrate",
        "--json",
        "--project-dir",
        str(package),
        "--database-url",
        "sqlite:///app.db",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.report["applied"] and result.report["pending"] == []
    assert "authors" in sqlite_tables(package / "app.db")


def test_tools_are_not_looked_for_above_the_repository(tmp_path: Path) -> None:
    """node_modules above the repository root is not the project's."""
    outer = workspace(tmp_path)
    repo = outer / "inner"
    (repo / ".git").mkdir(parents=True)
    shutil.copytree(FIXTURES / "knex", repo / "api")
    result = run_cli(
        "status",
        "--project-dir",
        str(repo / "api"),
        "--database-url",
        "sqlite:///app.db",
        env={"PATH": path_without("knex")},
    )
    assert result.returncode == 2 and "knex is not installed" in result.stderr


def openfga_style(tmp_path: Path) -> Path:
    """goose migrations in assets/migrations/postgres, outside goose's usual folders."""
    project = tmp_path / "openfga"
    shutil.copytree(FIXTURES / "goose" / "migrations", project / "assets/migrations/postgres")
    return project


def goose_cli(project: Path, *args: str, env: dict[str, str] | None = None) -> CliResult:
    tool = {goose.BINARY_ENV: str(installed_goose())}
    return run_cli(
        *args,
        "--json",
        "--database-url",
        "sqlite:///app.db",
        cwd=project,
        env={**tool, **(env or {})},
    )


def test_goose_folder_outside_the_default_list(tmp_path: Path) -> None:
    project = openfga_style(tmp_path)
    missing = goose_cli(project, "status")
    assert missing.returncode == 2 and "--migrations-dir" in missing.stderr
    flag = goose_cli(project, "migrate", "--migrations-dir", "assets/migrations/postgres")
    assert flag.returncode == 0, flag.stderr
    assert flag.report["applied"] == ["1", "2", "3"]
    assert "GOOSE_MIGRATION_DIR" not in os.environ  # the flag was for that run only


def test_goose_folder_from_the_environment_and_from_dotenv(tmp_path: Path) -> None:
    project = openfga_style(tmp_path)
    from_env = goose_cli(
        project, "status", env={"GOOSE_MIGRATION_DIR": "assets/migrations/postgres"}
    )
    assert from_env.returncode == 0, from_env.stderr
    assert from_env.report["pending"] == ["1", "2", "3"]
    (project / ".env").write_text(
        "# goose's settings\nexport GOOSE_MIGRATION_DIR='assets/migrations/postgres'\n"
    )
    from_dotenv = goose_cli(project, "migrate")
    assert from_dotenv.returncode == 0, from_dotenv.stderr
    assert from_dotenv.report["applied"] == ["1", "2", "3"]
    assert [p["ecosystem"] for p in detected(project)] == ["goose"]


def test_migrations_dir_is_refused_for_another_tool(tmp_path: Path) -> None:
    project = openfga_style(tmp_path)
    result = goose_cli(project, "migrate", "--ecosystem", "alembic", "--migrations-dir", "x")
    assert result.returncode == 2 and "goose's setting" in result.stderr
    assert not (project / "app.db").exists()


BARE = {"PATH": "/usr/bin:/bin", "VIRTUAL_ENV": ""}  # pipx-style: nothing activated


def test_alembic_with_a_bare_path_uses_migrate_gates_own_python(tmp_path: Path) -> None:
    project = copy_project("alembic", tmp_path)
    result = run_cli(
        "migrate", "--json", "--database-url", "sqlite:///app.db", cwd=project, env=BARE
    )
    assert result.returncode == 0, result.stderr
    assert len(result.report["applied"]) == 3
    assert "books" in sqlite_tables(project / "app.db")


def test_env_py_that_cannot_import_the_project_says_how_to_run(tmp_path: Path) -> None:
    project = copy_project("alembic", tmp_path)
    env_py = project / "migrations" / "env.py"
    env_py.write_text(
        "import myproject.models  # only in the project's virtualenv\n" + env_py.read_text()
    )
    result = run_cli(
        "migrate", "--json", "--database-url", "sqlite:///app.db", cwd=project, env=BARE
    )
    assert result.returncode == 1, result.stderr
    error = result.report["error"]
    assert "ModuleNotFoundError" in error and "\n" not in error
    assert "migrate-gate's own Python" in error and "project's virtualenv" in error
    linted = run_cli("lint", "--json", cwd=project, env=BARE)  # lint renders with it too
    assert linted.returncode == 1 and "migrate-gate's own Python" in linted.report["error"]


def test_python_tools_are_looked_up_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """$VIRTUAL_ENV, the project's virtualenvs, PATH, then migrate-gate's own interpreter."""

    def venv(folder: Path, python: str) -> Path:
        (folder / "bin").mkdir(parents=True)
        script = folder / "bin" / "alembic"
        script.write_text(f"#!{python}\n")
        script.chmod(0o755)
        return folder

    project = tmp_path / "project"
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    project.mkdir()
    assert base.python_for(project, "alembic", "alembic") == sys.executable
    assert base.python_for(project, "alembic", "no_such_module_here") is None
    venv(project / ".venv", "/project/python")
    assert base.python_for(project, "alembic", "alembic") == "/project/python"
    monkeypatch.setenv("VIRTUAL_ENV", str(venv(tmp_path / "active", "/active/python")))
    assert base.python_for(project, "alembic", "alembic") == "/active/python"


def test_django_settings_that_cannot_import_the_project_says_how_to_run(tmp_path: Path) -> None:
    project = copy_project("django", tmp_path)
    settings = project / "mysite" / "settings.py"
    settings.write_text("import mysite_only_in_its_venv  # noqa\n" + settings.read_text())
    result = run_cli(
        "status", "--json", "--database-url", "sqlite:///app.db", cwd=project, env=BARE
    )
    assert result.returncode == 1, result.stderr
    assert "ModuleNotFoundError" in result.report["error"]
    assert "migrate-gate's own Python" in result.report["error"]
