"""Truth checks on the after-state, as pure functions (end to end: tests/ecosystems)."""

from __future__ import annotations

from migrate_gate.ecosystems.base import MigrationState
from migrate_gate.report import Report
from migrate_gate.truth import check_rolled_back

BEFORE = MigrationState(applied=["a", "b", "c"], pending=[])


def _report() -> Report:
    return Report(command="rollback", ecosystem="knex", project_dir="/p")


def test_exactly_the_newest_reverted_passes() -> None:
    report = _report()
    check_rolled_back(report, before=BEFORE, after=MigrationState(["a"], ["b", "c"]), steps=2)
    assert (report.status, report.error) == ("success", None)


def test_another_migration_reverted_fails_naming_it() -> None:
    report = _report()
    check_rolled_back(report, before=BEFORE, after=MigrationState(["b", "c"], ["a"]), steps=1)
    assert report.status == "failed"
    assert report.error is not None and "shows a reverted (asked: c)" in report.error


def test_too_few_reverted_fails() -> None:
    report = _report()
    check_rolled_back(report, before=BEFORE, after=BEFORE, steps=1)
    assert report.status == "failed"
    assert report.error is not None and "shows nothing reverted" in report.error
