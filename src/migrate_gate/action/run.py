"""Run `migrate-gate <command> --json` as a subprocess: its output streams, its report is parsed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any, NamedTuple, TextIO

from ..masking import Masker
from .inputs import Inputs


class RunResult(NamedTuple):
    returncode: int
    report: dict[str, Any] | None  # None when migrate-gate printed no report (exit 2)
    tail: list[str]  # the last lines of its output, masked: the error excerpt


# plan's artifacts (plan.md, plan.json), relative to where the job starts: the workspace
PLAN_DIR = Path("migrate-gate-plan")


class FindingsOutput(NamedTuple):
    """lint's findings in a platform's format (github annotations, gitlab Code Quality)."""

    format: str
    path: Path


def argv(inputs: Inputs, findings: FindingsOutput | None = None) -> list[str]:
    """The command line, with only the flags `inputs.command` accepts; the URL travels in the
    environment, never on argv. `findings`: where lint writes its findings for the platform."""
    args = [sys.executable, "-m", "migrate_gate", inputs.command, "--json"]
    args += ["--project-dir", str(inputs.working_directory), "--ecosystem", inputs.ecosystem]
    if inputs.timeout and inputs.command != "lint":
        args += ["--timeout", inputs.timeout]
    if inputs.command == "rollback":
        args += ["--steps", inputs.steps]
    if inputs.since and inputs.command in ("verify", "lint", "check", "plan"):
        args += ["--since", inputs.since]
    if inputs.command in ("migrate", "rollback", "status", "check"):
        args += _allow_flags(inputs)
    if inputs.command in ("migrate", "rollback", "verify"):
        args += _live_flags(inputs)
    if inputs.command == "verify":
        args += _verify_flags(inputs)
    if inputs.command == "lint":
        args += _lint_flags(inputs, findings)
    if inputs.command == "plan":
        args += ["--format", "markdown", "--output", str(PLAN_DIR / "plan.md")]
    return args


def _allow_flags(inputs: Inputs) -> list[str]:
    return [
        flag
        for flag, wanted in (
            ("--allow-out-of-order", inputs.allow_out_of_order),
            ("--allow-unknown-applied", inputs.allow_unknown_applied),
        )
        if wanted
    ]


def _live_flags(inputs: Inputs) -> list[str]:
    """The lock, the tool's session limits, slow migrations: each only when given."""
    given = [
        ("--lock-wait", inputs.lock_wait),
        ("--lock-timeout", inputs.lock_timeout),
        ("--lock-retries", inputs.lock_retries),
        ("--statement-timeout", inputs.statement_timeout),
    ]
    if inputs.command != "verify":
        given.append(("--warn-slower-than", inputs.warn_slower_than))
    return [part for flag, value in given if value for part in (flag, value)]


def _verify_flags(inputs: Inputs) -> list[str]:
    flags = ["--allow-nonempty"] if inputs.allow_nonempty else []
    return flags + (["--junit", inputs.junit] if inputs.junit else [])


def _lint_flags(inputs: Inputs, findings: FindingsOutput | None) -> list[str]:
    flags = ["--fail-on", inputs.fail_on]
    if inputs.allow_destructive:
        flags.append("--allow-destructive")
    if findings is not None:
        flags += ["--format", findings.format, "--output", str(findings.path)]
    # "--" so that a path starting with "-" stays a path
    return flags + (["--", *inputs.paths] if inputs.paths else [])


def run(
    inputs: Inputs,
    masker: Masker,
    out: TextIO,
    *,
    findings: FindingsOutput | None = None,
    tail_lines: int = 20,
) -> RunResult:
    """Stream the tool's output (masked) to `out`; return the exit code and parsed report."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if inputs.database_url:
        env["DATABASE_URL"] = inputs.database_url
    if inputs.scratch_url:
        env["MIGRATE_GATE_SCRATCH_URL"] = inputs.scratch_url
    if inputs.command == "plan":
        PLAN_DIR.mkdir(exist_ok=True)
    process = subprocess.Popen(
        argv(inputs, findings), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    stdout: list[str] = []
    reader = threading.Thread(target=lambda: stdout.append(process.stdout.read()))  # type: ignore[union-attr]
    reader.start()
    tail: deque[str] = deque(maxlen=tail_lines)
    with _ForwardingSignals(process):
        assert process.stderr is not None
        for line in process.stderr:
            masked = masker(line)
            out.write(masked)
            out.flush()
            tail.append(masked.rstrip("\n"))
        returncode = process.wait()
    reader.join()
    return RunResult(returncode, _parse("".join(stdout), masker), list(tail))


def _parse(text: str, masker: Masker) -> dict[str, Any] | None:
    """The report, free text masked; its ids (from the database and files) never are."""
    from ..report import mask_fields

    try:
        report = json.loads(text)
    except ValueError:
        return None
    return mask_fields(report, masker) if isinstance(report, dict) else None


class _ForwardingSignals:
    """SIGTERM/SIGINT (a cancelled job) go to migrate-gate, which stops the tool and reports."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._process = process
        self._previous: dict[int, Callable[[int, FrameType | None], Any] | int | None] = {}

    def __enter__(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for number in (signal.SIGTERM, signal.SIGINT):
            self._previous[number] = signal.signal(number, self._forward)

    def __exit__(self, *_: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _forward(self, number: int, _frame: FrameType | None) -> None:
        if self._process.poll() is None:
            self._process.send_signal(number)
