"""Render an Alembic project's upgrade SQL offline (`alembic upgrade head --sql`).

It runs through the lead's Alembic shim (so the URL given to migrate-gate wins over
alembic.ini) in the project's own interpreter, with one addition: the SQL goes to a
file instead of stdout, so Alembic's log lines never mix with it. Offline mode never
connects; without a PostgreSQL URL a placeholder one picks the dialect.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..dburl import parse
from ..ecosystems import alembic as tool
from ..ecosystems.base import Context, own_interpreter_hint
from ..errors import MigrationFailed

PLACEHOLDER_URL = "postgresql://migrate-gate@localhost:5432/lint"
_OUTPUT_ENV = "MIGRATE_GATE_SQL_OUTPUT"
_REDIRECT = f"""
from alembic.config import Config
_init = Config.__init__
def _init_writing_sql_to_file(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    self.output_buffer = open(os.environ["{_OUTPUT_ENV}"], "w", encoding="utf-8")
Config.__init__ = _init_writing_sql_to_file
"""


def render(ctx: Context) -> tuple[dict[str, Path], str]:
    """(revision -> script path, the offline SQL of upgrading from nothing to head)."""
    tool.check(ctx)
    database = ctx.database if ctx.database and ctx.database.kind == "postgresql" else None
    url = (database or parse(PLACEHOLDER_URL)).url()
    with tempfile.TemporaryDirectory(prefix="migrate-gate-lint-") as scratch:
        output = Path(scratch) / "upgrade.sql"
        result = ctx.run(
            [tool._interpreter(ctx), "-c", _REDIRECT + tool._SHIM, "upgrade", "head", "--sql"],
            env={"MIGRATE_GATE_SQLALCHEMY_URL": url, "DATABASE_URL": url, _OUTPUT_ENV: str(output)},
            label="alembic upgrade head --sql",
            echo=False,
        )
        if not result.ok or not output.is_file():
            hint = own_interpreter_hint(tool._interpreter(ctx), result.output)
            raise MigrationFailed(f"alembic upgrade head --sql failed: {result.last_line()}{hint}")
        return _scripts(ctx.project_dir), output.read_text(encoding="utf-8")


def _scripts(project_dir: Path) -> dict[str, Path]:
    """Each revision's script file, read statically like the Alembic ecosystem does."""
    found: dict[str, Path] = {}
    for folder in tool._version_dirs(project_dir):
        for path in sorted(folder.rglob("*.py")):
            revision = tool._read_revision(path)
            if revision:
                found[revision[0]] = path
    return found
