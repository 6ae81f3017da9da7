"""Generated projects for bench/overhead.py: one per tool, each migration creating a small table.

The projects are set up the way the tests set up theirs (tests/helpers.py,
tests/ecosystems/node_projects.py, tests/ecosystems/toolchains.py), so the raw tool runs the
same binary and node_modules migrate-gate finds, with the database given as DATABASE_URL
(goose: GOOSE_DBSTRING; Alembic: alembic.ini).
"""

from __future__ import annotations

import compileall
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "ecosystems")]

import node_projects  # noqa: E402
from toolchains import goose_binary as _goose_path  # noqa: E402
from toolchains import installed_goose, locked_rails_app  # noqa: E402

PRISMA_CONFIG = REPO / "tests" / "fixtures" / "projects" / "prisma" / "prisma.config.ts"
ALEMBIC_ENV_PY = REPO / "examples" / "alembic" / "migrations" / "env.py"
# Prisma on this machine (WASM engine); both the raw runs and migrate-gate get it.
PRISMA_ENV = node_projects.PRISMA_ENV


def alembic(root: Path, size: int) -> Path:
    """A linear chain of `size` revisions; alembic.ini is written per database (write_ini)."""
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "migrations" / "env.py").write_text(ALEMBIC_ENV_PY.read_text())
    for n in range(size):
        down = f'"r{n - 1:04d}"' if n else "None"
        (versions / f"r{n:04d}.py").write_text(
            f'revision = "r{n:04d}"\ndown_revision = {down}\n\n'
            "import sqlalchemy as sa\nfrom alembic import op\n\n\n"
            f'def upgrade() -> None:\n    op.create_table("t{n:04d}", '
            'sa.Column("id", sa.Integer, primary_key=True))\n\n\n'
            f'def downgrade() -> None:\n    op.drop_table("t{n:04d}")\n'
        )
    compileall.compile_dir(root, quiet=1)
    return root


def write_ini(project: Path, url: str) -> None:
    """alembic.ini naming `url` (Alembic reads its URL from the ini, not the environment)."""
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    (project / "alembic.ini").write_text(
        f"[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = {url}\n"
        "[loggers]\nkeys = root\n[handlers]\nkeys = console\n[formatters]\nkeys = generic\n"
        "[logger_root]\nlevel = WARN\nhandlers = console\n"
        "[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nformatter = generic\n"
        "[formatter_generic]\nformat = %(message)s\n"
    )


def goose(root: Path, size: int) -> Path:
    installed_goose()  # fails with the setup hint when goose is missing
    migrations = root / "migrations"
    migrations.mkdir(parents=True)
    for n in range(1, size + 1):
        (migrations / f"{n:05d}_create_t{n:04d}.sql").write_text(
            f"-- +goose Up\nCREATE TABLE t{n:04d} (id INTEGER PRIMARY KEY);\n\n"
            f"-- +goose Down\nDROP TABLE t{n:04d};\n"
        )
    return root


def goose_binary() -> str:
    """The goose the tests run (scripts/setup/goose.sh's build, or $MIGRATE_GATE_GOOSE)."""
    return str(_goose_path())


def knex(root: Path, size: int) -> Path:
    migrations = root / "migrations"
    migrations.mkdir(parents=True)
    _link_node_modules(root)
    (root / "package.json").write_text('{"name": "bench-knex", "private": true}\n')
    (root / "knexfile.js").write_text(
        'module.exports = {\n  client: "pg",\n  connection: process.env.DATABASE_URL,\n'
        '  migrations: { directory: "./migrations" },\n};\n'
    )
    for n in range(1, size + 1):
        (migrations / f"{_timestamp(n)}_create_t{n:04d}.js").write_text(
            f'exports.up = (knex) => knex.schema.createTable("t{n:04d}", (table) => {{\n'
            '  table.increments("id");\n});\n\n'
            f'exports.down = (knex) => knex.schema.dropTable("t{n:04d}");\n'
        )
    return root


def prisma(root: Path, size: int) -> Path:
    migrations = root / "prisma" / "migrations"
    migrations.mkdir(parents=True)
    _link_node_modules(root)
    (root / "package.json").write_text('{"name": "bench-prisma", "private": true}\n')
    (root / "prisma.config.ts").write_text(PRISMA_CONFIG.read_text())
    models = "".join(
        f'\nmodel T{n:04d} {{\n  id Int @id @default(autoincrement())\n\n  @@map("t{n:04d}")\n}}\n'
        for n in range(1, size + 1)
    )
    (root / "prisma" / "schema.prisma").write_text(
        'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n' + models
    )
    (migrations / "migration_lock.toml").write_text('provider = "postgresql"\n')
    for n in range(1, size + 1):
        folder = migrations / f"{_timestamp(n)}_create_t{n:04d}"
        folder.mkdir()
        (folder / "migration.sql").write_text(
            f'CREATE TABLE "t{n:04d}" (\n    "id" SERIAL NOT NULL,\n\n'
            f'    CONSTRAINT "t{n:04d}_pkey" PRIMARY KEY ("id")\n);\n'
        )
        (folder / "down.sql").write_text(f'DROP TABLE "t{n:04d}";\n')
    return root


def rails(root: Path, size: int) -> Path:
    """The tests' Rails app (bundle-locked to this machine's gems), its migrations replaced."""
    app = locked_rails_app(root / "app")
    migrate = app / "db" / "migrate"
    for old in migrate.glob("*.rb"):
        old.unlink()
    for n in range(1, size + 1):
        (migrate / f"{_timestamp(n)}_create_t{n:04d}.rb").write_text(
            f"class CreateT{n:04d} < ActiveRecord::Migration[6.1]\n  def change\n"
            f"    create_table :t{n:04d}\n  end\nend\n"
        )
    return app


def django(root: Path, size: int) -> Path:
    """One app whose models match its `size` migrations, settings reading DATABASE_URL."""
    (root / "site_").mkdir(parents=True)
    (root / "site_" / "__init__.py").write_text("")
    (root / "site_" / "settings.py").write_text(DJANGO_SETTINGS)
    (root / "manage.py").write_text(DJANGO_MANAGE)
    app = root / "bench"
    (app / "migrations").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "migrations" / "__init__.py").write_text("")
    models = "".join(
        f'\n\nclass T{n:04d}(models.Model):\n    class Meta:\n        db_table = "t{n:04d}"\n'
        for n in range(1, size + 1)
    )
    (app / "models.py").write_text("from django.db import models\n" + models)
    for n in range(1, size + 1):
        depends = f'[("bench", "{n - 1:04d}_t{n - 1:04d}")]' if n > 1 else "[]"
        (app / "migrations" / f"{n:04d}_t{n:04d}.py").write_text(
            "from django.db import migrations, models\n\n\n"
            "class Migration(migrations.Migration):\n"
            f"    dependencies = {depends}\n"
            "    operations = [\n"
            f'        migrations.CreateModel(name="T{n:04d}", fields=[\n'
            '            ("id", models.BigAutoField(auto_created=True, primary_key=True, '
            'serialize=False, verbose_name="ID")),\n'
            f'        ], options={{"db_table": "t{n:04d}"}}),\n    ]\n'
        )
    compileall.compile_dir(root, quiet=1)
    return root


DJANGO_SETTINGS = """import os
from urllib.parse import unquote, urlsplit

_url = urlsplit(os.environ["DATABASE_URL"])
SECRET_KEY = "bench-only-not-secret"
USE_TZ = True
INSTALLED_APPS = ["bench"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _url.path.lstrip("/"),
        "USER": unquote(_url.username or ""),
        "PASSWORD": unquote(_url.password or ""),
        "HOST": _url.hostname or "",
        "PORT": str(_url.port or ""),
    }
}
"""

DJANGO_MANAGE = """import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_.settings")
from django.core.management import execute_from_command_line

execute_from_command_line(sys.argv)
"""


def _timestamp(n: int) -> str:
    """A Rails/Knex/Prisma-style version: 2024-01-01 plus n minutes, as YYYYMMDDHHMMSS."""
    day, minute = divmod(n, 24 * 60)
    return f"202401{day + 1:02d}{minute // 60:02d}{minute % 60:02d}00"


def _link_node_modules(project: Path) -> None:
    modules = node_projects.NODE_MODULES.resolve()
    if not (modules / ".bin").is_dir():
        raise SystemExit(
            f"{node_projects.NODE_MODULES} is missing: run scripts/setup/node.sh (or make setup)"
        )
    os.symlink(modules, project / "node_modules")
