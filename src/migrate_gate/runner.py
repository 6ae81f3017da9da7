"""Run a migration tool: argv list (no shell), in the project folder, under a deadline,
its output streamed masked to stderr, SIGINT/SIGTERM forwarded to its whole process group."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, NamedTuple

from .errors import Cancelled, MigrationFailed
from .masking import Masker

KILL_GRACE_SECONDS = 10.0
END = "\0end"  # the timeline's mark of a tool's exit


class ToolResult(NamedTuple):
    returncode: int
    output: str  # stdout and stderr interleaved, secrets masked

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def last_line(self) -> str:
        """The tool's error: the last exception line of a traceback, else the last line."""
        lines = [line.strip() for line in self.output.splitlines() if line.strip()]
        for line in reversed(lines):
            if _EXCEPTION_LINE.match(line):
                return line
        return lines[-1] if lines else f"exit code {self.returncode}"


# "sqlalchemy.exc.ProgrammingError: ..." — how a Python traceback names what went wrong
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit): ")


class ToolExited(Exception):
    """The tool exited before `before` could finish: it never got the go-ahead, so it
    changed nothing, and its exit code and output say why it stopped."""


HANDOFF_POLL_SECONDS = 0.005


class Runner:
    """Runs tools one at a time; a deadline (seconds from creation) bounds them all."""

    def __init__(
        self,
        *,
        masker: Masker,
        timeout: float | None = None,
        sink: Callable[[str], None] | None = None,
    ) -> None:
        self.masker = masker
        self.deadline = time.monotonic() + timeout if timeout else None
        self.timeout = timeout
        self._sink = sink or _write_stderr
        self._process: subprocess.Popen[bytes] | None = None
        self.cancelled = False
        self.session_env: dict[str, str] = {}  # for every tool: its sessions' tag and limits
        # Ends the database sessions a stopped tool left running; returns their pids.
        self.end_sessions: Callable[[], list[int]] | None = None
        self.ended_sessions: list[int] = []
        self.cleanup_error: str | None = None
        self.stop_hooks: list[Callable[[], None]] = []  # e.g. cancel a read in progress
        # (wall-clock time, line) of every tool run: "$ label", its output, END at its exit
        self.timeline: list[tuple[float, str]] = []

    def run(
        self,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str] | None = None,
        label: str | None = None,
        echo: bool = True,
        before: Callable[[], None] | None = None,
        handshake: bool = False,
    ) -> ToolResult:
        """Run argv to completion; raise Cancelled or MigrationFailed (timeout) when stopped.

        `before` must finish before the tool may change anything. With `handshake` the tool
        starts at once and waits for a line "go" on stdin, so `before` overlaps its start-up;
        otherwise `before` runs first.
        """
        if before is not None and not handshake:
            before()
        if self.cancelled:
            raise Cancelled("cancelled before the tool ran")
        self._sink(f"$ {label or ' '.join(argv)}\n")
        self.timeline.append((time.time(), f"$ {label or ' '.join(argv)}"))
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env={**os.environ, **self.session_env, **(env or {})},
            stdin=subprocess.PIPE if handshake else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a stop reaches its children
        )
        outer, self._process = self._process, process  # `before` may run a tool of its own
        try:
            output = self._collect(process, echo=echo, before=before if handshake else None)
        finally:
            self._process = outer
            self.timeline.append((time.time(), END))
        if self.cancelled:
            self._after_stop()
            raise Cancelled(f"cancelled while running {label or argv[0]}")
        return ToolResult(process.returncode, output)

    def _after_stop(self, *, exited: bool = True) -> None:
        """The tool was stopped: its sessions may still run a statement or wait for a lock.
        Ended at once too (`exited` False), since a tool blocked in a query may not see a
        signal until the query returns (Rails)."""
        if self.end_sessions is None:
            return
        try:
            ended = self.end_sessions()
        except MigrationFailed as error:
            if exited:
                self.cleanup_error = str(error)
            return
        self.ended_sessions.extend(pid for pid in ended if pid not in self.ended_sessions)

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None when there is none)."""
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())

    def wait_for_handoff(self, path: Path) -> None:
        """Wait (in `before`) until the tool starting up has written `path`, what it read at
        start-up for migrate-gate; ToolExited if it exits first, and --timeout and a stop apply."""
        while not path.exists():
            process = self._process
            if process is None or process.poll() is not None:
                if path.exists():
                    return
                raise ToolExited(str(path))
            if self.cancelled:
                raise Cancelled("cancelled before the tool ran")
            if self.deadline is not None and time.monotonic() >= self.deadline:
                raise MigrationFailed(
                    f"timed out after {self.timeout:g} s while the tool started "
                    "(raise --timeout if it needs longer)"
                )
            time.sleep(HANDOFF_POLL_SECONDS)

    @property
    def tool_running(self) -> bool:
        """A tool has been started and has not exited (so `before` may wait for its handoff)."""
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        """Ask the running tool's process group to stop (the signal handlers call this)."""
        self.cancelled = True
        if self._process is not None:
            _signal_group(self._process, signal.SIGTERM)
        for hook in self.stop_hooks:
            hook()

    def _collect(
        self, process: subprocess.Popen[bytes], *, echo: bool, before: Callable[[], None] | None
    ) -> str:
        chunks: list[str] = []
        assert process.stdout is not None
        reader = threading.Thread(
            target=self._pump, args=(process.stdout, chunks, echo), daemon=True
        )
        reader.start()
        if process.stdin is not None:
            _release(process, before)
        self._wait(process)
        reader.join(timeout=5)
        return "".join(chunks)

    def _wait(self, process: subprocess.Popen[bytes]) -> None:
        """Wait for the tool; past the deadline stop it, and kill it if a stop is ignored."""
        # A blocking wait in a thread sees the exit at once; Popen.wait(timeout) polls with
        # sleeps of up to 50 ms, which every run would pay after the tool finished.
        exited = threading.Event()
        threading.Thread(target=_wait_then_set, args=(process, exited), daemon=True).start()
        stop_sent_at: float | None = None
        while not exited.wait(timeout=0.1):
            now = time.monotonic()
            if self.cancelled and stop_sent_at is None:
                stop_sent_at = now
                self._after_stop(exited=False)
            if stop_sent_at is not None and now - stop_sent_at > KILL_GRACE_SECONDS:
                _signal_group(process, signal.SIGKILL)
            if self.deadline is not None and now >= self.deadline:
                _signal_group(process, signal.SIGTERM)
                self._after_stop(exited=False)
                _terminate(process)
                self._after_stop()
                raise MigrationFailed(
                    f"timed out after {self.timeout:g} s; the tool was stopped "
                    "(raise --timeout if the migration needs longer)"
                )

    def _pump(self, stream: IO[bytes], chunks: list[str], echo: bool) -> None:
        for raw in iter(stream.readline, b""):
            line = self.masker(raw.decode("utf-8", errors="replace"))
            chunks.append(line)
            self.timeline.append((time.time(), line.rstrip("\n")))
            if echo:
                self._sink(line)
        stream.close()


def _wait_then_set(process: subprocess.Popen[bytes], exited: threading.Event) -> None:
    process.wait()
    exited.set()


def _release(process: subprocess.Popen[bytes], before: Callable[[], None] | None) -> None:
    """Run `before` while the tool starts, then let it go (or stop it if `before` failed)."""
    assert process.stdin is not None
    try:
        if before is not None:
            before()
        with contextlib.suppress(BrokenPipeError):  # it exited already: its exit code says why
            process.stdin.write(b"go\n")
            process.stdin.close()
    except ToolExited:
        return  # it stopped before the go-ahead: its exit code and output are the result
    except BaseException:
        _terminate(process)
        raise


def _terminate(process: subprocess.Popen[bytes]) -> None:
    _signal_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=KILL_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        process.wait()


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def _write_stderr(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


def install_signal_handlers(runner: Runner) -> None:
    """Route SIGINT and SIGTERM to the runner: stop the tool, then report cancelled."""

    def handle(signum: int, _frame: object) -> None:
        runner.stop()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
