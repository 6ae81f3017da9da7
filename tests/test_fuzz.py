"""Fuzz: hostile argv and malformed project files, for every ecosystem. Bounded and seeded
(MIGRATE_GATE_FUZZ_SEED picks another run); every case must end with one of the contract's
exit codes (0, 1, 2, 130), never a traceback or "unexpected error", never the password, and
on exit 2 with nothing run.

Most cases call `migrate_gate.cli.main` in-process with the tool runner replaced by a
recorder that runs nothing (a fake, on purpose: what is under test is what migrate-gate
does before a tool would start, and that exit 2 never comes after a tool was asked to
run). A few cases run the real console script, where the operating system's argv and
stdout encoding matter.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ecosystems.node_projects import node_project
from ecosystems.toolchains import installed_goose, locked_rails_app
from helpers import BIN, copy_project

from migrate_gate import cli
from migrate_gate.ecosystems import goose
from migrate_gate.runner import Runner, ToolResult

SEED = int(os.environ.get("MIGRATE_GATE_FUZZ_SEED", "15"))
PASSWORD = "FuzzPw9x7Q"
ECOSYSTEMS = ("alembic", "django", "goose", "knex", "prisma", "rails")
COMMANDS = (
    "detect",
    "status",
    "migrate",
    "rollback",
    "verify",
    "check",
    "lint",
    "plan",
    "scaffold",
)
FLAGS = (
    "--project-dir",
    "--ecosystem",
    "--database-url",
    "--database_url",
    "--scratch-url",
    "--migrations-dir",
    "--json",
    "--timeout",
    "--steps",
    "--lock-wait",
    "--lock-timeout",
    "--lock-retries",
    "--statement-timeout",
    "--since",
    "--platform",
    "--",
    "-",
)
URLS = (
    "",
    " ",
    "sqlite:///app.db",
    "sqlite://",
    "sqlite:////dev/zero",
    "sqlite:///app.db?foo=bar",
    f"postgresql://u:{PASSWORD}@127.0.0.1:1/db",
    f"postgresql://u:{PASSWORD}@127.0.0.1:1/db?foo=bar",
    f"postgresql://u:{PASSWORD}@127.0.0.1:1/db?sslmode=bogus",
    f"postgresql://u:{PASSWORD}@127.0.0.1:99999/db",
    f"postgresql://u:{PASSWORD}@[::1/db",
    f"postgresql://u:{PASSWORD}%ZZ@127.0.0.1:1/db",
    f"postgresql://u:{PASSWORD}@127.0.0.1:1/",
    f"mysql://u:{PASSWORD}@127.0.0.1:1/db",
    f"mongodb://u:{PASSWORD}@127.0.0.1:1/db",
    "postgresql://" + "h" * 3000 + "/db",
)
VALUES = (
    "-1",
    "0",
    "nan",
    "inf",
    "1e309",
    "9" * 400,
    "a" * 5000,
    "x/" * 3000,
    "/dev/zero",
    "/dev/null",
    "ünïcødé-😀",
    "alembic",
    "prisma",
    "flyway",
    "github",
    "HEAD~99999",
    "--json",
)


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[list[str]]]:
    """The argv of every tool run asked for; none is started. Signal handlers restored."""
    calls: list[list[str]] = []

    def run(self: Runner, argv: Any, **kwargs: Any) -> ToolResult:
        calls.append([str(a) for a in argv])
        if kwargs.get("before"):
            kwargs["before"]()
        return ToolResult(1, "fuzz: the tool was not run")

    monkeypatch.setattr(Runner, "run", run)
    monkeypatch.chdir(tmp_path)  # a command without --project-dir (scaffold!) writes here
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv(goose.BINARY_ENV, str(installed_goose()))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    yield calls
    for number, handler in handlers.items():
        signal.signal(number, handler)


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One ready project per ecosystem (tools linked or locked in), copied per case."""
    root = tmp_path_factory.mktemp("templates")
    made = {name: copy_project(name, root) for name in ("alembic", "django", "goose")}
    made["knex"] = node_project("knex", root)
    made["prisma"] = node_project("prisma", root)
    made["rails"] = locked_rails_app(root / "rails")
    return made


def call(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """main(argv) in-process: its exit code (argparse's --help/--version too) and output."""
    try:
        code = cli.main(argv)
    except SystemExit as done:  # --help and --version exit through argparse
        code = done.code if isinstance(done.code, int) else 2
    out, err = capsys.readouterr()
    return code, out + err


def assert_contract(code: int, output: str, calls: list[list[str]], case: object) -> None:
    assert code in (0, 1, 2, 130), (case, code, output[-2000:])
    assert "Traceback" not in output and "unexpected error" not in output, (case, output[-2000:])
    assert PASSWORD not in output, case
    if code == 2:
        assert not calls, (case, "a tool was asked to run before exit 2", calls)
        message = [line for line in output.splitlines() if line.startswith("migrate-gate: error")]
        assert len(message) == 1, (case, output[-2000:])


def hostile_argv(rng: random.Random, project: Path) -> list[str]:
    argv = [rng.choice(COMMANDS)] if rng.random() > 0.05 else []
    if rng.random() < 0.8:
        argv += ["--project-dir", str(project)]
    for _ in range(rng.randint(0, 4)):
        argv.append(rng.choice(FLAGS))
        if rng.random() < 0.85:
            argv.append(rng.choice(URLS + VALUES + (str(project / "loop"),)))
    if rng.random() < 0.3:
        argv.append(rng.choice(URLS))  # a URL without its flag
    return argv


@pytest.mark.parametrize("ecosystem", ECOSYSTEMS)
def test_hostile_argv(
    ecosystem: str,
    templates: dict[str, Path],
    recorded: list[list[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rng = random.Random(f"{SEED}-argv-{ecosystem}")
    project = tmp_path / ecosystem
    shutil.copytree(templates[ecosystem], project, symlinks=True)
    (project / "loop").symlink_to(project / "loop")
    for _ in range(40):
        argv = hostile_argv(rng, project)
        recorded.clear()
        code, output = call(argv, capsys)
        assert_contract(code, output, recorded, argv)
        if code == 2:
            assert not (project / "app.db").exists(), argv


def mutate(rng: random.Random, project: Path) -> str:
    """Break one file of the project in one of the ways real checkouts break; say how."""
    files = sorted(p for p in project.rglob("*") if p.is_file() and "node_modules" not in p.parts)
    target = rng.choice(files)
    how = rng.choice(
        ["latin1", "nul", "truncate", "garbage", "devzero", "self-link", "folder", "gone", "dup"]
    )
    text = target.read_bytes()
    if how == "latin1":
        target.write_bytes(text[: len(text) // 2] + b"caf\xe9 = '\xe9'\n" + text[len(text) // 2 :])
    elif how == "nul":
        target.write_bytes(text + b"\x00\x00")
    elif how == "truncate":
        target.write_bytes(text[: rng.randint(0, max(0, len(text) - 1))])
    elif how == "garbage":
        target.write_bytes(bytes(rng.randrange(256) for _ in range(200)))
    elif how == "dup":
        target.write_bytes(text + text)
    else:
        target.unlink()
        if how == "devzero":
            target.symlink_to("/dev/zero")
        elif how == "self-link":
            target.symlink_to(target)
        elif how == "folder":
            target.mkdir()
    return f"{how} {target.relative_to(project)}"


@pytest.mark.parametrize("ecosystem", ECOSYSTEMS)
def test_malformed_project_files(
    ecosystem: str,
    templates: dict[str, Path],
    recorded: list[list[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rng = random.Random(f"{SEED}-files-{ecosystem}")
    for index in range(16):
        project = tmp_path / str(index)
        shutil.copytree(templates[ecosystem], project, symlinks=True)
        how = mutate(rng, project)
        for command in rng.sample(["status", "migrate", "check", "lint", "detect", "rollback"], 2):
            argv = [command, "--project-dir", str(project)]
            if command != "detect":
                argv += ["--database-url", "sqlite:///app.db"]
            recorded.clear()
            code, output = call(argv, capsys)
            assert_contract(code, output, recorded, (how, argv))
            if code == 2:
                assert not (project / "app.db").exists(), (how, argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["detect", "--project-dir", "caf\udce9"],  # a non-UTF-8 byte in argv (surrogate escape)
        ["migrate", "--database-url", "postgresql://u:caf\udce9@127.0.0.1:1/db"],
        ["migrate", "--database_url", f"postgresql://u:{PASSWORD}@127.0.0.1:1/db"],
        ["migrate", "--project-dir", "loop", "--database-url", "sqlite:///app.db"],
    ],
)
def test_real_console_script(argv: list[str], tmp_path: Path) -> None:
    """The operating system's argv bytes and stdout encoding, through the installed script."""
    project = copy_project("alembic", tmp_path)
    (project / "loop").symlink_to(project / "loop")
    (project / "caf\udce9").mkdir()
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    environment.pop("DATABASE_URL", None)
    done = subprocess.run(
        [str(BIN / "migrate-gate"), *argv],
        cwd=project,
        env={**environment, "LC_ALL": "C.UTF-8"},
        capture_output=True,
        timeout=60,
        check=False,
    )
    output = (done.stdout + done.stderr).decode("utf-8", errors="replace")  # bytes echoed back
    assert done.returncode in (0, 2), output
    assert "Traceback" not in output and "unexpected error" not in output, output
    assert PASSWORD not in output
    assert not (project / "app.db").exists()
