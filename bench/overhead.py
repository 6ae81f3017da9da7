"""What migrate-gate adds around the raw tool.

1. A generated Alembic project with 200 revisions on PostgreSQL: `alembic upgrade head` vs
   `migrate-gate migrate`, each on a fresh database, alternating, median ratio (target <= 1.05).
2. Cold start: `migrate-gate --version` vs `python -c pass` (target <= 0.15 s above it).

Run with `make bench` (needs `make setup`'s PostgreSQL).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import installed
import psycopg

ADMIN_URL = os.environ.get(
    "MIGRATE_GATE_TEST_PG_URL",
    "postgresql://migrate_gate_test:migrate-gate-test@127.0.0.1:5432/postgres",
)
BIN = Path(sys.executable).parent
REVISIONS = 200
RUNS = int(os.environ.get("BENCH_RUNS", "7"))

REVISION = """revision = "r{n:04d}"
down_revision = {down}

import sqlalchemy as sa
from alembic import op


def upgrade() -> None:
    op.create_table("t{n:04d}", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("t{n:04d}")
"""

ENV_PY = (Path(__file__).parent.parent / "examples/alembic/migrations/env.py").read_text()


def make_project(root: Path) -> Path:
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "migrations" / "env.py").write_text(ENV_PY)
    for n in range(REVISIONS):
        down = f'"r{n - 1:04d}"' if n else "None"
        (versions / f"r{n:04d}.py").write_text(REVISION.format(n=n, down=down))
    return root


def write_ini(project: Path, url: str) -> None:
    (project / "alembic.ini").write_text(
        f"[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = {url}\n"
        "[loggers]\nkeys = root\n[handlers]\nkeys = console\n[formatters]\nkeys = generic\n"
        "[logger_root]\nlevel = WARN\nhandlers = console\n"
        "[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nformatter = generic\n"
        "[formatter_generic]\nformat = %(message)s\n"
    )


def fresh_database(admin: psycopg.Connection, name: str) -> str:  # type: ignore[type-arg]
    admin.execute(f"drop database if exists {name} with (force)")
    admin.execute(f"create database {name}")
    base = ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def timed(argv: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(
        argv, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def bench_migrate(admin: psycopg.Connection) -> None:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp))
        raw, gated = [], []
        for _ in range(RUNS):
            url = fresh_database(admin, "bench_raw")
            write_ini(project, url.replace("postgresql://", "postgresql+psycopg://"))
            raw.append(timed([str(BIN / "alembic"), "upgrade", "head"], project))
            url = fresh_database(admin, "bench_gate")
            gated.append(
                timed([str(BIN / "migrate-gate"), "migrate", "--database-url", url], project)
            )
        for name in ("bench_raw", "bench_gate"):
            admin.execute(f"drop database if exists {name} with (force)")
    ratio = statistics.median(gated) / statistics.median(raw)
    print(f"alembic upgrade head, {REVISIONS} revisions, PostgreSQL, {RUNS} runs each")
    print(f"  raw alembic     median {statistics.median(raw):.3f} s")
    print(f"  migrate-gate    median {statistics.median(gated):.3f} s")
    print(f"  ratio {ratio:.3f} (target <= 1.05)")


def bench_cold_start() -> None:
    python = [sys.executable, "-c", "pass"]
    gate = [str(BIN / "migrate-gate"), "--version"]
    base = [timed(python, Path.cwd()) for _ in range(15)]
    ours = [timed(gate, Path.cwd()) for _ in range(15)]
    above = statistics.median(ours) - statistics.median(base)
    print("cold start, 15 runs each")
    print(f"  python -c pass           median {statistics.median(base):.3f} s")
    print(f"  migrate-gate --version   median {statistics.median(ours):.3f} s")
    print(f"  above python: {above:.3f} s (target <= 0.15 s)")


def main() -> None:
    installed.compile_bytecode()
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        bench_migrate(admin)
    bench_cold_start()


if __name__ == "__main__":
    main()
