"""The few kinds of error migrate-gate tells apart; each maps to an exit code."""

from __future__ import annotations


class UsageError(Exception):
    """Bad input or configuration: exit 2, one line, nothing has run."""


class MigrationFailed(Exception):
    """The tool ran and the migration, rollback or status read failed: exit 1."""


class Cancelled(Exception):
    """SIGINT or SIGTERM stopped the run: exit 130."""
