"""Reading the SQL a project's migrations run: goose Up sections, Prisma migration.sql,
Alembic's offline SQL rendered by the real alembic, and the ecosystems not yet read."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from helpers import BIN
from lint_helpers import run_lint

GOOSE_TX = """-- +goose Up
SET lock_timeout = '5s';
CREATE INDEX CONCURRENTLY books_title_idx ON books (title);

-- +goose Down
DROP INDEX books_title_idx;
DROP TABLE books;
"""
GOOSE_NO_TX = """-- +goose NO TRANSACTION
-- +goose Up
SET lock_timeout = '5s';
CREATE INDEX CONCURRENTLY IF NOT EXISTS authors_name_idx ON authors (name);
-- +goose Down
DROP INDEX CONCURRENTLY authors_name_idx;
"""
GOOSE_FUNCTION = """-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION touch() RETURNS trigger AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
"""


def write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def rules(report: dict[str, Any]) -> list[tuple[str, int, str]]:
    """The findings that can fail a run (info: type advice, MG022, ...)."""
    return [
        (f["file"], f["line"], f["rule"]) for f in report["findings"] if f["severity"] != "info"
    ]


def test_goose_up_sections_only_with_the_tools_transaction(tmp_path: Path) -> None:
    write(tmp_path, "migrations/00001_create.sql", "-- +goose Up\nCREATE TABLE books (id int);\n")
    write(tmp_path, "migrations/00002_index.sql", GOOSE_TX)
    write(tmp_path, "migrations/00003_authors.sql", GOOSE_NO_TX)
    write(tmp_path, "migrations/00010_touch.sql", GOOSE_FUNCTION)
    result = run_lint("--json", cwd=tmp_path)
    assert result.report["ecosystem"] == "goose"
    # 00002 runs in goose's transaction; its Down section (DROP TABLE) is never linted
    assert rules(result.report) == [("migrations/00002_index.sql", 3, "MG002")]
    # the same file given as a PATH is read the same way
    direct = run_lint("migrations/00002_index.sql", "--json", cwd=tmp_path)
    assert rules(direct.report) == rules(result.report)


def test_prisma_migration_files_in_order(tmp_path: Path) -> None:
    write(tmp_path, "prisma/schema.prisma", 'datasource db {\n  provider = "postgresql"\n}\n')
    write(
        tmp_path,
        "prisma/migrations/20240101000000_init/migration.sql",
        'CREATE TABLE "User" ("id" SERIAL PRIMARY KEY, "email" TEXT);\n'
        'CREATE INDEX "User_email_idx" ON "User"("email");\n',
    )
    write(
        tmp_path,
        "prisma/migrations/20240202000000_email/migration.sql",
        '-- AlterTable\nALTER TABLE "User" ALTER COLUMN "email" SET NOT NULL;\n'
        'CREATE INDEX CONCURRENTLY "User_id_idx" ON "User"("id");\n',
    )
    result = run_lint("--json", "--project-dir", str(tmp_path), cwd=tmp_path)
    assert result.report["ecosystem"] == "prisma"
    second = "prisma/migrations/20240202000000_email/migration.sql"
    assert rules(result.report) == [
        (second, 2, "MG004"),
        (second, 2, "MG009"),
        (second, 3, "MG002"),
    ]


ALEMBIC_REVISIONS = {
    "a1_users.py": """
from alembic import op
import sqlalchemy as sa
revision = "a1"
down_revision = None
def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer, primary_key=True))
    op.create_index("users_id_idx", "users", ["id"])
def downgrade():
    op.drop_table("users")
""",
    "b2_plan.py": """
from alembic import op
import sqlalchemy as sa
revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.add_column("users", sa.Column("plan", sa.String(20), nullable=False))
def downgrade():
    op.drop_column("users", "plan")
""",
}


def test_alembic_offline_sql_points_at_each_revision(tmp_path: Path) -> None:
    subprocess.run([str(BIN / "alembic"), "init", "migrations"], cwd=tmp_path, check=True,
                   capture_output=True)  # fmt: skip
    for name, text in ALEMBIC_REVISIONS.items():
        write(tmp_path, f"migrations/versions/{name}", text)
    result = run_lint("--json", cwd=tmp_path)
    assert result.report["ecosystem"] == "alembic", result.stderr
    # the index on the table a1 created is fine; b2's NOT NULL column is not
    ((file, line, rule),) = rules(result.report)
    assert (file, line, rule) == ("migrations/versions/b2_plan.py", 1, "MG003")
    assert "ALTER TABLE users ADD COLUMN plan VARCHAR(20) NOT NULL" in next(
        f["message"] for f in result.report["findings"] if f["rule"] == "MG003"
    )


def test_every_ecosystem_has_an_extractor() -> None:
    from migrate_gate.ecosystems import ECOSYSTEMS
    from migrate_gate.lint.sources import EXTRACTORS

    assert set(EXTRACTORS) == set(ECOSYSTEMS)
