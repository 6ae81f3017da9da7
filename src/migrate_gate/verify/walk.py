"""The reversibility walk: up one at a time, down one at a time, up again; compare schemas."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import truth
from ..ecosystems.base import Context, Ecosystem, MigrationState
from ..errors import MigrationFailed
from . import snapshot
from .snapshot import Snapshot

PASSED, FAILED, IRREVERSIBLE = "passed", "failed", "irreversible"
REAPPLY = "(re-apply)"
# How tools say a migration has no down: Django's IrreversibleError, Prisma without down.sql.
_NO_DOWN_WORDS = ("irreversible", "down.sql", "no down")


@dataclass
class Check:
    """The verdict on one migration's down."""

    migration: str
    result: str
    message: str = ""
    diff: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "migration": self.migration,
            "result": self.result,
            "message": self.message,
            "diff": self.diff,
        }


@dataclass
class Walk:
    """One verify run over `migrations` (pending ids, oldest first)."""

    ecosystem: Ecosystem
    ctx: Context
    migrations: list[str]
    checks: list[Check] = field(default_factory=list)
    _before: dict[str, Snapshot] = field(default_factory=dict)
    _after: dict[str, Snapshot] = field(default_factory=dict)

    def run(self) -> bool:
        """Up, down, up again; False at the first migration that fails its check. A down the
        tool certainly cannot run (Prisma without down.sql) fails before any up is spent."""
        return self._downs_exist() and self._up() and self._down() and self._up_again()

    def _downs_exist(self) -> bool:
        missing = self.ecosystem.without_down(self.ctx, self.migrations)
        for migration in reversed(self.migrations):  # in the order the down walk meets them
            if migration in missing:
                self._fail(migration, IRREVERSIBLE, missing[migration])
        return not missing

    def _snapshot(self) -> Snapshot:
        database, bookkeeping = self.ctx.require_database(), self.ecosystem.bookkeeping_tables()
        return snapshot.take(database, self.ctx.project_dir, bookkeeping)

    def _state(self) -> MigrationState:
        return self.ecosystem.read_state(self.ctx)

    def _up(self) -> bool:
        for migration in self.migrations:
            self._before[migration] = self._snapshot()
            try:
                self.ecosystem.migrate(self.ctx, target=migration)
            except MigrationFailed as error:
                return self._fail(migration, FAILED, f"up failed: {error}")
            self._after[migration] = self._snapshot()
        return True

    def _down(self) -> bool:
        for migration in reversed(self.migrations):
            state = self._state()
            if not self._reached(migration, state):
                return False
            try:
                self.ecosystem.rollback(self.ctx, state, 1)
            except MigrationFailed as error:
                no_down = any(word in str(error).lower() for word in _NO_DOWN_WORDS)
                return self._fail(migration, IRREVERSIBLE if no_down else FAILED, str(error))
            if not self._judge_down(migration):
                return False
        return True

    def _reached(self, migration: str, state: MigrationState) -> bool:
        """The truth check of each step, from the state the next down reads anyway: before
        `migration` is reverted, the database must record it as the newest applied (its up,
        or the downs of those after it, reached their targets)."""
        newest = state.applied[-1] if state.applied else None
        if newest == migration:
            return True
        where = self.ctx.database.redacted() if self.ctx.database else "the database"
        shown = newest or "nothing"
        return self._fail(
            migration,
            FAILED,
            f"the tool exited 0 but {where} records {shown} as the newest applied migration, "
            f"not {migration}: {truth.hint(self.ecosystem.NAME)}",
        )

    def _judge_down(self, migration: str) -> bool:
        now = self._snapshot()
        differences = snapshot.diff(self._before[migration], now)
        if not differences:
            self.checks.append(Check(migration, PASSED))
            return True
        if now == self._after[migration]:
            return self._fail(migration, IRREVERSIBLE, "its down changed nothing", differences)
        return self._fail(
            migration,
            FAILED,
            "its down does not restore the schema from before its up",
            differences,
        )

    def _up_again(self) -> bool:
        if not self.migrations:
            return True
        try:
            self.ecosystem.migrate(self.ctx)
        except MigrationFailed as error:
            return self._fail(REAPPLY, FAILED, f"re-applying after the down walk failed: {error}")
        differences = snapshot.diff(self._after[self.migrations[-1]], self._snapshot())
        if differences:
            return self._fail(
                REAPPLY, FAILED, "re-applying gives another schema than the first up", differences
            )
        return True

    def _fail(
        self, migration: str, result: str, message: str, diff: list[str] | None = None
    ) -> bool:
        self.checks.append(Check(migration, result, message, diff or []))
        return False

    def failure(self) -> str | None:
        """One line naming the first migration that failed, or None."""
        for check in self.checks:
            if check.result != PASSED:
                return f"{check.migration}: {check.message}" + (
                    f" ({len(check.diff)} difference(s), first: {check.diff[0]})"
                    if check.diff
                    else ""
                )
        return None
