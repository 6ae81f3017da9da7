"""Concurrent `migrate` runs on one PostgreSQL database, per tool: do the reports together claim
each migration exactly once, and does every run succeed?

    python bench/contention.py [--runs 8] [--trials 2] [TOOL ...]   (default: all six)

Each trial starts RUNS real `migrate-gate migrate` processes at once on a fresh database (the
fixture projects of tests/, so `make setup` first) and checks the union of their reports.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parent.parent / p) for p in ("tests", "tests/ecosystems")]

import psycopg  # noqa: E402
from helpers import ADMIN_URL, BIN, PgDatabase, copy_project  # noqa: E402
from node_projects import PRISMA_ENV, node_project  # noqa: E402
from toolchains import installed_goose, locked_rails_app  # noqa: E402

Setup = Callable[[Path], tuple[Path, dict[str, str]]]
PROJECTS: dict[str, Setup] = {
    "alembic": lambda tmp: (copy_project("alembic", tmp), {}),
    "django": lambda tmp: (copy_project("django", tmp), {}),
    "goose": lambda tmp: (
        copy_project("goose", tmp),
        {"PATH": f"{installed_goose().parent}{os.pathsep}{os.environ['PATH']}"},
    ),
    "knex": lambda tmp: (node_project("knex", tmp), {}),
    "prisma": lambda tmp: (node_project("prisma", tmp), dict(PRISMA_ENV)),
    "rails": lambda tmp: (locked_rails_app(tmp / "rails"), {}),
}


def trial(project: Path, env: dict[str, str], url: str, runs: int) -> dict[str, object]:
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **env}
    environment.pop("DATABASE_URL", None)
    started = time.monotonic()
    processes = [
        subprocess.Popen(
            [str(BIN / "migrate-gate"), "migrate", "--json", "--database-url", url],
            cwd=project,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(runs)
    ]
    outputs = [process.communicate(timeout=900)[0] for process in processes]
    reports = [json.loads(output) for output in outputs]
    claimed = [m for report in reports for m in report["applied"]]
    return {
        "exit_codes": sorted(p.returncode for p in processes),
        "claimed": len(claimed),
        "distinct": len(set(claimed)),
        "pending_after": max(len(report["pending"]) for report in reports),
        "runs_that_applied": sum(bool(report["applied"]) for report in reports),
        "max_lock_wait": max(report.get("lock", {}).get("waited_seconds", 0) for report in reports),
        "seconds": round(time.monotonic() - started, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--trials", type=int, default=2)
    parser.add_argument("tools", nargs="*", default=sorted(PROJECTS))
    args = parser.parse_args()
    admin = psycopg.connect(ADMIN_URL, autocommit=True)
    failed = False
    for tool in args.tools:
        for number in range(args.trials):
            with tempfile.TemporaryDirectory() as tmp:
                project, env = PROJECTS[tool](Path(tmp))
                database = PgDatabase(admin)
                try:
                    result = trial(project, env, database.url, args.runs)
                finally:
                    database.drop(admin)
            ok = (
                result["exit_codes"] == [0] * args.runs
                and result["claimed"] == result["distinct"]
                and result["runs_that_applied"] == 1
                and result["pending_after"] == 0
            )
            failed = failed or not ok
            print(f"{tool:8} trial {number + 1}: {'ok ' if ok else 'BAD'} {result}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
