"""`migrate-gate lint` vs squawk: one generated 10,000-statement file, one small file, and a
folder of 357 small files (start-up dominates the last two).

Both tools read the same file and print JSON (`--format json` / `--reporter json`),
alternating, BENCH_RUNS (default 7) runs each; prints each median (wall and CPU: the CPU
time is steadier on a shared machine), their ratios (target <= 1.0: as fast as the Rust linter)
and migrate-gate's in-process parse time: libpg_query, then the JSON decoded batch by batch.
migrate-gate runs as a user's pip install runs it: a wheel of this checkout, installed in a
throwaway venv that sees this one's dependencies (installed.install_copy; the editable
checkout's import hook costs every start ~15 ms that no user pays). BENCH_EDITABLE=1 times
the checkout's own console script instead, its bytecode compiled first, as pip compiles it:
with PYTHONDONTWRITEBYTECODE set (as on our machines) every run would otherwise recompile each
module edited since its .pyc was written, ~1 ms a module, and time that instead of linting.
Run with `.venv/bin/python bench/lint.py` (squawk-cli is a dev dependency).
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import installed

BIN = Path(sys.executable).parent
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
EDITABLE = os.environ.get("BENCH_EDITABLE") == "1"
STATEMENTS = 10_000

# A realistic mix: half of these are what a reviewer would flag, half are the safe forms.
TEMPLATES = (
    "CREATE TABLE t{i} (id bigint PRIMARY KEY, name text NOT NULL, "
    "created_at timestamptz NOT NULL DEFAULT now());",
    "CREATE INDEX t{i}_name_idx ON t{i} (name);",
    "ALTER TABLE users ADD COLUMN c{i} text;",
    "CREATE INDEX CONCURRENTLY users_c{i}_idx ON users (c{i});",
    "CREATE INDEX users_c{i}_b_idx ON users (c{i});",
    "ALTER TABLE users ADD COLUMN d{i} integer NOT NULL;",
    "ALTER TABLE orders ADD CONSTRAINT orders_fk{i} FOREIGN KEY (user_id) "
    "REFERENCES users (id) NOT VALID;",
    "ALTER TABLE users ALTER COLUMN c{i} SET NOT NULL;",
    "UPDATE users SET c{i} = 'x' WHERE id BETWEEN {i} AND {i} + 1000;",
    "ALTER TABLE users RENAME COLUMN c{i} TO e{i};",
)


def corpus() -> str:
    """STATEMENTS statements, lock_timeout set first (as a careful migration does)."""
    lines = ["SET lock_timeout = '5s';"]
    lines += [TEMPLATES[n % len(TEMPLATES)].format(i=n) for n in range(STATEMENTS - 1)]
    return "\n".join(lines) + "\n"


def command_for_lint(path: Path, bin_dir: Path = BIN) -> list[str]:
    return [str(bin_dir / "migrate-gate"), "lint", "--format", "json", str(path)]


class Sample(NamedTuple):
    wall: float
    cpu: float  # user + system: steadier than wall time on a busy machine


def timed(argv: list[str]) -> Sample:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1) or not done.stdout.strip():
        sys.exit(f"{argv[0]} failed with exit code {done.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Sample(elapsed, cpu)


def parse_seconds(sql: str) -> tuple[float, float]:
    """migrate-gate's parse, CPU medians of RUNS: libpg_query to JSON, then that JSON decoded
    batch by batch, each batch dropped before the next, as the engine reads it."""
    import gc

    from migrate_gate.lint import pgparse

    c_parse, decode = [], []
    gc.disable()  # as the engine does while it parses
    for _ in range(RUNS):
        started = time.process_time()
        document = pgparse.parse_json(sql)
        c_parse.append(time.process_time() - started)
        started = time.process_time()
        for _batch in pgparse.statement_batches(document):
            pass
        decode.append(time.process_time() - started)
    gc.enable()
    return statistics.median(c_parse), statistics.median(decode)


SMALL = "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN plan text;\n"
FOLDER_FILES = 357  # a real history's size (issue 13's measurement)


def compare(label: str, ours_argv: list[str], theirs_argv: list[str]) -> tuple[float, float]:
    """Alternate RUNS runs of each; print and return both wall-time medians."""
    timed(ours_argv), timed(theirs_argv)  # warm the page cache for both
    ours, theirs = [], []
    for _ in range(RUNS):
        ours.append(timed(ours_argv))
        theirs.append(timed(theirs_argv))
    walls, cpus = [], []
    load = " ".join(f"{n:.2f}" for n in os.getloadavg())  # a shared machine: say how busy
    print(f"{label}: {RUNS} runs each, alternating (load average {load})")
    for name, samples in (("migrate-gate lint --format json", ours), ("squawk", theirs)):
        wall = statistics.median(s.wall for s in samples)
        cpu = statistics.median(s.cpu for s in samples)
        walls.append(wall)
        cpus.append(cpu)
        print(f"  {name:32} median {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU")
    ratios = f"{walls[0] / walls[1]:.2f} wall, {cpus[0] / cpus[1]:.2f} CPU"
    print(f"  ratio migrate-gate / squawk: {ratios}")
    return walls[0], walls[1]


def main() -> int:
    squawk = shutil.which("squawk", path=str(BIN)) or shutil.which("squawk")
    if squawk is None:
        sys.exit("squawk is not installed: pip install squawk-cli (a dev dependency)")
    with tempfile.TemporaryDirectory(prefix="migrate-gate-bench-") as scratch:
        folder = Path(scratch)
        if EDITABLE:
            installed.compile_bytecode()
            ours = BIN
        else:
            ours = installed.install_copy(folder / "install")
        print(f"migrate-gate: {'the editable checkout' if EDITABLE else 'installed from a wheel'}")
        path = folder / "migration.sql"
        sql = corpus()
        path.write_text(sql, encoding="utf-8")
        theirs = [squawk, "--reporter", "json"]
        compare(
            f"{STATEMENTS} statements, one file", command_for_lint(path, ours), [*theirs, str(path)]
        )
        small = folder / "small.sql"
        small.write_text(SMALL, encoding="utf-8")
        compare("one small file", command_for_lint(small, ours), [*theirs, str(small)])
        many = folder / "many"
        many.mkdir()
        for n in range(FOLDER_FILES):
            (many / f"{n:04d}_step.sql").write_text(SMALL, encoding="utf-8")
        compare(f"a folder of {FOLDER_FILES} small files", command_for_lint(many, ours),
                [*theirs, *map(str, sorted(many.glob("*.sql")))])  # fmt: skip
        parse = parse_seconds(sql)
    print(
        f"migrate-gate parse (in process, CPU): libpg_query {parse[0] * 1000:.0f} ms "
        f"+ JSON decode in batches {parse[1] * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
