"""status / migrate / rollback: run one ecosystem operation and report what really changed.

The report is computed from the database's own record before and after the
tool ran, never from the tool's log, so `applied` stays truthful when a run
fails or is cancelled half way. A tool that exits 0 is then held to the command
(see truth.py); a state that cannot be read is reported as unknown, never empty.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from . import durations, history, locking, monitor, retries, truth
from .ecosystems import ECOSYSTEMS
from .ecosystems.base import Context, Ecosystem, MigrationState
from .errors import Cancelled, MigrationFailed
from .report import CANCELLED, FAILED, Report


class Refused(MigrationFailed):
    """The history has a problem that stops the command before anything runs."""


UNKNOWN = "unknown"  # report["state"] when the database could not be read
AFTER_READ_SECONDS = 30.0  # each attempt's budget, whatever is left of --timeout
AFTER_READ_PAUSES = (0.0, 1.0, 3.0)  # before each attempt: rides out a database restart


def execute(
    command: str,
    ecosystem_name: str,
    ctx: Context,
    *,
    steps: int = 1,
    allowed: Sequence[str] = (),
    lock_wait: float = locking.DEFAULT_WAIT_SECONDS,
    lock_retries: int = retries.DEFAULT_RETRIES,
    warn_slower_than: float | None = None,
) -> Report:
    """Run `command` on the project and return its report (never raises MigrationFailed).

    migrate and rollback hold the database's migrate-gate lock (see locking.py) from before
    the before-state is read to after the after-state is. The history is checked first: on a
    problem that is an error (and not in `allowed`), migrate and rollback change nothing and
    fail, status fails."""
    ecosystem = ECOSYSTEMS[ecosystem_name]
    report = Report(command=command, ecosystem=ecosystem_name, project_dir=str(ctx.project_dir))
    started = time.monotonic()
    if command == "status":
        _run(ecosystem, command, ctx, report, steps, allowed)
    elif command == "migrate":
        _migrate_locked(ecosystem, ctx, report, allowed, lock_wait, lock_retries, warn_slower_than)
    else:
        try:
            with hold_lock(ctx, command, report, lock_wait):
                _run(ecosystem, command, ctx, report, steps, allowed)
                _measure(ecosystem, ctx, report, warn_slower_than)
        except (MigrationFailed, Cancelled) as error:  # the lock was not taken: nothing ran
            _lock_not_taken(report, error)
    report.duration_seconds = round(time.monotonic() - started, 3)
    return report


def _lock_not_taken(report: Report, error: MigrationFailed | Cancelled) -> None:
    if isinstance(error, locking.LockBusy):
        report.extra["lock"] = error.info
    _record_failure(report, error)
    report.extra["state"] = UNKNOWN


def _migrate_locked(
    ecosystem: Ecosystem,
    ctx: Context,
    report: Report,
    allowed: Sequence[str],
    lock_wait: float,
    lock_retries: int,
    warn_slower_than: float | None,
) -> None:
    """migrate takes the lock in the tool's barrier, right before the before-state is read:
    after a tool that waits for the go-ahead has started (so its start-up overlaps the lock
    too), before anything can change; it is held until the after-state is read."""
    with contextlib.ExitStack() as held:
        locked: list[bool] = []

        def take_lock() -> None:
            if not locked:
                held.enter_context(hold_lock(ctx, "migrate", report, lock_wait))
                locked.append(True)

        _migrate(ecosystem, ctx, report, allowed, lock_retries, take_lock)
        if locked:
            _measure(ecosystem, ctx, report, warn_slower_than)


def hold_lock(
    ctx: Context, command: str, report: Report, wait: float
) -> contextlib.AbstractContextManager[dict[str, Any]]:
    """The database's migrate-gate lock for `command`; the report's `lock` says how it went.
    The wait is bounded by --timeout too."""
    left = ctx.runner.remaining()
    lock = locking.hold(
        ctx.require_database(),
        ctx.project_dir,
        who=locking.describe(command, ctx.project_dir),
        wait=wait if left is None else min(wait, left),
        log=_logger(ctx),
        cancelled=lambda: ctx.runner.cancelled,
    )
    return _reported(lock, report)


@contextlib.contextmanager
def _reported(
    lock: contextlib.AbstractContextManager[dict[str, Any]], report: Report
) -> Iterator[dict[str, Any]]:
    with lock as info:
        report.extra["lock"] = info
        yield info


def _run(
    ecosystem: Ecosystem,
    command: str,
    ctx: Context,
    report: Report,
    steps: int,
    allowed: Sequence[str],
) -> None:
    """status and rollback (migrate: _migrate_locked)."""
    try:
        before = ecosystem.read_state(ctx)
        _check_history(ecosystem, ctx, before, report, allowed)
    except Refused as refusal:
        _record_failure(report, refusal)
        fill_report(report, before, before)  # nothing ran
    except (MigrationFailed, Cancelled) as error:
        _record_failure(report, error)
        report.extra["state"] = UNKNOWN
    else:
        after = _act_then_read(ecosystem, command, ctx, before, steps, report)
        fill_report(report, before, after)


def _check_history(
    ecosystem: Ecosystem,
    ctx: Context,
    state: MigrationState,
    report: Report,
    allowed: Sequence[str],
) -> None:
    """Put the history's problems in the report; raise Refused when one stops the command."""
    problems = ecosystem.problems(ctx, state)
    report.problems = [problem.to_dict() for problem in problems]
    blocking = history.errors(problems, allowed=allowed)
    if blocking:
        raise Refused(history.summary(blocking))


def _migrate(
    ecosystem: Ecosystem,
    ctx: Context,
    report: Report,
    allowed: Sequence[str],
    lock_retries: int,
    take_lock: Callable[[], None],
) -> None:
    """Take the lock and read the before-state (and check the history) as the tool's
    barrier: it precedes any change, yet overlaps the start-up of tools that support the
    handshake (see Runner.run). A run that fails on a lock timeout is retried (retries.py)."""
    before: list[MigrationState] = []
    invalid: set[str] = set()

    def barrier() -> None:
        take_lock()
        before.append(ecosystem.read_state(ctx))
        _check_history(ecosystem, ctx, before[0], report, allowed)
        if lock_retries:
            invalid.update(retries.invalid_indexes(ctx))

    ctx.barrier = barrier
    attempts: list[dict[str, Any]] = []
    report.extra["attempts"] = attempts
    with _watched(ctx, report):
        error = retries.attempt(
            lambda: ecosystem.migrate(ctx),
            ctx,
            retries=lock_retries,
            attempts=attempts,
            may_retry=lambda: bool(before),
            invalid_before=invalid,
            log=_logger(ctx),
        )
    if error is not None:
        if isinstance(error, locking.LockBusy):
            report.extra["lock"] = error.info
        _record_failure(report, error)
    if not before:  # the barrier failed (the recorded error says why), or no tool ran
        if report.status != "success":
            report.extra["state"] = UNKNOWN
            return
        try:
            take_lock()
        except (MigrationFailed, Cancelled) as failure:
            _lock_not_taken(report, failure)
            return
        before.append(ecosystem.read_state(ctx))
    after = _read_after(ecosystem, ctx, report)
    fill_report(report, before[0], after)
    if after is not None and report.status == "success":
        truth.check_migrated(report, ecosystem_name=ecosystem.NAME, ctx=ctx, after=after)


@contextlib.contextmanager
def _watched(ctx: Context, report: Report) -> Iterator[None]:
    """Name the tool's blockers while it runs (`blocked_by`), and report the sessions ended
    after a stop (`sessions_ended`)."""
    tag = ctx.runner.session_env.get("PGAPPNAME")
    watcher = monitor.Monitor(tag or "", masker=ctx.runner.masker, log=_logger(ctx))
    try:
        with monitor.watching(ctx.database if tag else None, watcher):
            yield
    finally:
        report.extra["blocked_by"] = watcher.report()
        report.extra["sessions_ended"] = list(ctx.runner.ended_sessions)
        if ctx.runner.cleanup_error:
            report.fail(ctx.runner.cleanup_error)


def _measure(
    ecosystem: Ecosystem, ctx: Context, report: Report, warn_slower_than: float | None
) -> None:
    """Report field `durations`: how long each migration this run applied or reverted took."""
    ids = report.applied or report.rolled_back
    measured = durations.measure(ecosystem.NAME, ctx, ctx.runner.timeline, ids)
    for warning in durations.flag_slow(measured, warn_slower_than):
        _logger(ctx)(warning)
    report.extra["durations"] = measured


def _logger(ctx: Context) -> Callable[[str], None]:
    return lambda line: print(ctx.runner.masker(line), file=sys.stderr, flush=True)


def _act_then_read(
    ecosystem: Ecosystem,
    command: str,
    ctx: Context,
    before: MigrationState,
    steps: int,
    report: Report,
) -> MigrationState | None:
    """Do the command's change (if any), then read the state the database is really in."""
    if command == "status":
        return before
    try:
        with _watched(ctx, report):
            ecosystem.rollback(ctx, before, steps)
    except (MigrationFailed, Cancelled) as error:
        _record_failure(report, error)
    after = _read_after(ecosystem, ctx, report)
    if after is not None and report.status == "success":
        truth.check_rolled_back(report, before=before, after=after, steps=steps)
    return after


def _read_after(ecosystem: Ecosystem, ctx: Context, report: Report) -> MigrationState | None:
    """The state after the run, on a budget of its own (the run's may be spent) with retries
    (the database may be restarting); None, with the report saying so, if it cannot be read."""
    ctx.runner.cancelled = False  # one more look at the database, even after a stop
    error: BaseException | None = None
    for pause in AFTER_READ_PAUSES:
        time.sleep(pause)
        ctx.runner.deadline = time.monotonic() + AFTER_READ_SECONDS
        try:
            return ecosystem.read_state(ctx)
        except (MigrationFailed, Cancelled) as failure:
            error = failure
    _record_failure(report, f"could not read the state after the run: {error}")
    report.status = FAILED  # an unknown state is never success, nor a mere cancellation
    report.extra["state"] = UNKNOWN
    return None


def _record_failure(report: Report, error: BaseException | str) -> None:
    if isinstance(error, Cancelled):
        report.status = CANCELLED
        report.error = report.error or str(error)
    elif report.status != CANCELLED:
        report.fail(str(error))


def fill_report(report: Report, before: MigrationState, after: MigrationState | None) -> None:
    if after is None:
        return
    was_applied, now_applied = set(before.applied), set(after.applied)
    report.applied = [m for m in after.applied if m not in was_applied]
    report.rolled_back = [m for m in reversed(before.applied) if m not in now_applied]
    report.current = after.applied[-1] if after.applied else None
    report.pending = list(after.pending)
