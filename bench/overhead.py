"""What migrate-gate adds around the raw tool, for all six tools on PostgreSQL.

Per tool, a generated history (bench/histories.py):
- migrate: the tool's own migrate command vs `migrate-gate migrate --database-url URL`, each on
  a fresh database, alternating raw, gated, raw, gated; the median of the pairwise ratios.
  Target: within max(10 %, 100 ms) of the raw tool (Alembic, 200 revisions: <= 1.05x).
- status: the tool's own status command vs `migrate-gate status` on the migrated database,
  paired the same way. Target <= 1.2x.
Then cold start: `migrate-gate --version` above `python -c pass` (target <= 0.05 s).

Run with `make bench` (needs `make setup`). BENCH_RUNS=N pairs (default 7);
BENCH_TOOLS=goose,knex runs only those tools.
"""

from __future__ import annotations

import functools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import histories
import installed
import psycopg

ADMIN_URL = os.environ.get(
    "MIGRATE_GATE_TEST_PG_URL",
    "postgresql://migrate_gate_test:migrate-gate-test@127.0.0.1:5432/postgres",
)
BIN = Path(sys.executable).parent
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
COLD_RUNS = 15
GATE = str(BIN / "migrate-gate")


@dataclass(frozen=True)
class Tool:
    """A tool's generated project and its own commands (argv run in the project folder)."""

    name: str
    size: int
    make: Callable[[Path, int], Path]
    migrate: list[str]
    status: list[str]
    env: Callable[[str], dict[str, str]] = lambda url: {"DATABASE_URL": url}
    configure: Callable[[Path, str], None] = lambda project, url: None
    migrate_target: float | None = None  # a ratio; None: max(10 %, 100 ms)


def _goose_env(url: str) -> dict[str, str]:
    return {"GOOSE_DRIVER": "postgres", "GOOSE_DBSTRING": url, "GOOSE_MIGRATION_DIR": "migrations"}


def tools() -> list[Tool]:
    goose, python = histories.goose_binary(), str(BIN / "python")
    knex, prisma = "node_modules/.bin/knex", "node_modules/.bin/prisma"
    return [
        Tool(
            "alembic",
            200,
            histories.alembic,
            [str(BIN / "alembic"), "upgrade", "head"],
            [str(BIN / "alembic"), "current"],
            env=lambda url: {},
            configure=histories.write_ini,
            migrate_target=1.05,
        ),
        Tool("goose", 100, histories.goose, [goose, "up"], [goose, "status"], env=_goose_env),
        Tool("knex", 100, histories.knex, [knex, "migrate:latest"], [knex, "migrate:list"]),
        Tool(
            "rails",
            100,
            histories.rails,
            ["bin/rails", "db:migrate"],
            ["bin/rails", "db:migrate:status"],
        ),
        Tool(
            "django",
            100,
            histories.django,
            [python, "manage.py", "migrate"],
            [python, "manage.py", "showmigrations", "--plan"],
        ),
        Tool(
            "prisma",
            20,
            histories.prisma,
            [prisma, "migrate", "deploy"],
            [prisma, "migrate", "status"],
        ),
    ]


@dataclass(frozen=True)
class Row:
    tool: str
    command: str
    size: str
    raw: list[float]
    gated: list[float]
    target: float | None  # a ratio; None: max(10 %, 100 ms) of the raw median

    @property
    def ratio(self) -> float:
        return statistics.median(g / r for r, g in zip(self.raw, self.gated, strict=True))

    @property
    def limit(self) -> float:
        if self.target is not None:
            return self.target
        return max(1.10, 1 + 0.100 / statistics.median(self.raw))

    def cells(self) -> list[str]:
        verdict = "pass" if self.ratio <= self.limit else "FAIL"
        return [
            self.tool,
            self.command,
            self.size,
            f"{statistics.median(self.raw):.3f} s",
            f"{statistics.median(self.gated):.3f} s",
            f"{self.ratio:.3f}x",
            f"<= {self.limit:.2f}x {verdict}",
        ]


class Bench:
    """Fresh databases on the admin connection, and timed runs of one tool's project."""

    def __init__(self, admin: psycopg.Connection) -> None:  # type: ignore[type-arg]
        self.admin = admin
        self.used: set[str] = set()

    def database(self, name: str) -> str:
        self.admin.execute(f"drop database if exists {name} with (force)")
        self.admin.execute(f"create database {name}")
        self.used.add(name)
        return f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"

    def drop_all(self) -> None:
        for name in sorted(self.used):
            self.admin.execute(f"drop database if exists {name} with (force)")

    def measure(self, tool: Tool) -> list[Row]:
        with tempfile.TemporaryDirectory(prefix=f"bench-{tool.name}-") as folder:
            project = tool.make(Path(folder), tool.size)
            raw, gated = [], []
            for _ in range(RUNS):
                raw.append(self.raw(tool, project, tool.migrate, self.database("bench_raw")))
                url = self.database("bench_gate")
                gated.append(self.gated(tool, project, "migrate", url))
            migrated = self.database("bench_status")
            self.raw(tool, project, tool.migrate, migrated)
            raw_status, gated_status = [], []
            for _ in range(RUNS):
                raw_status.append(self.raw(tool, project, tool.status, migrated))
                gated_status.append(self.gated(tool, project, "status", migrated))
        size = str(tool.size)
        return [
            Row(tool.name, _words(tool.migrate), size, raw, gated, tool.migrate_target),
            Row(tool.name, _words(tool.status), size, raw_status, gated_status, 1.2),
        ]

    def raw(self, tool: Tool, project: Path, argv: list[str], url: str) -> float:
        tool.configure(project, url)
        elapsed = timed(argv, project, tool.env(url))
        _check_migrated(tool, url, _words(argv))
        return elapsed

    def gated(self, tool: Tool, project: Path, command: str, url: str) -> float:
        tool.configure(project, url)  # the same file as the raw run; migrate-gate's URL wins
        elapsed = timed([GATE, command, "--database-url", url], project, {})
        _check_migrated(tool, url, f"migrate-gate {command}")
        return elapsed


def _check_migrated(tool: Tool, url: str, ran: str) -> None:
    """Every generated table exists afterwards: a run that timed nothing would look fast."""
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "select count(*) from pg_tables"
            " where schemaname = 'public' and tablename ~ '^t[0-9]{4}$'"
        ).fetchone()
    if row is None or row[0] != tool.size:
        found = row and row[0]
        raise SystemExit(f"{tool.name}: {found} of {tool.size} tables after {ran}")


@functools.cache
def base_env() -> dict[str, str]:
    """What both sides get: migrate-gate's venv first on PATH, the goose binary the tests use,
    Prisma's test-machine settings; never a DATABASE_URL the command was not given."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **histories.PRISMA_ENV}
    env["MIGRATE_GATE_GOOSE"] = histories.goose_binary()
    for name in ("DATABASE_URL", "GOOSE_DBSTRING", "GOOSE_DRIVER", "GOOSE_MIGRATION_DIR"):
        env.pop(name, None)
    return env


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        argv, cwd=cwd, env={**base_env(), **env}, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(
            f"{_words(argv)} failed (exit {done.returncode}) in {cwd}:\n{done.stdout}{done.stderr}"
        )
    return elapsed


def cold_start() -> Row:
    raw, gated = [], []
    for _ in range(COLD_RUNS):
        raw.append(timed([sys.executable, "-c", "pass"], Path.cwd(), {}))
        gated.append(timed([GATE, "--version"], Path.cwd(), {}))
    return Row("cold start", "python -c pass", "", raw, gated, None)


def cold_cells(row: Row) -> list[str]:
    above = statistics.median(g - r for r, g in zip(row.raw, row.gated, strict=True))
    verdict = "pass" if above <= 0.05 else "FAIL"
    return [
        *row.cells()[:5],
        f"+{above:.3f} s",
        f"<= +0.05 s {verdict}",
    ]


def selected() -> list[Tool]:
    every = tools()
    wanted = [n.strip() for n in os.environ.get("BENCH_TOOLS", "").split(",") if n.strip()]
    unknown = sorted(set(wanted) - {tool.name for tool in every})
    if unknown:
        names = ", ".join(tool.name for tool in every)
        raise SystemExit(f"BENCH_TOOLS: unknown {', '.join(unknown)} (choose from {names})")
    return [tool for tool in every if not wanted or tool.name in wanted]


def load() -> str:
    """The load averages `uptime` prints (1, 5, 15 minutes)."""
    out = subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout
    return out.rsplit("load average:", 1)[-1].strip()


HEADER = ["tool", "raw command", "history", "raw", "migrate-gate", "median ratio", "target"]


def print_table(rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in [HEADER, *rows]) for i in range(len(HEADER))]
    for row in [HEADER, ["-" * w for w in widths], *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def main() -> None:
    chosen = selected()
    installed.compile_bytecode()
    at_start = load()
    cells: list[list[str]] = []
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        bench = Bench(admin)
        try:
            for tool in chosen:
                print(f"... {tool.name}", file=sys.stderr, flush=True)
                cells += [row.cells() for row in bench.measure(tool)]
        finally:
            bench.drop_all()
    cells.append(cold_cells(cold_start()))
    at_end = load()
    print(
        f"PostgreSQL, {RUNS} pairs per row (cold start {COLD_RUNS}), medians; "
        f"load average (1/5/15 min) at start {at_start}, at end {at_end}"
    )
    print_table(cells)


def _words(argv: list[str]) -> str:
    return " ".join(Path(argv[0]).name if i == 0 else a for i, a in enumerate(argv))


if __name__ == "__main__":
    main()
