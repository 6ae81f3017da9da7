"""Per-migration durations read from the tools' own lines, as tests-as-data: each case is
what the real tool printed here (goose 3, Rails 6.1, Django, Alembic; captured from runs of
the fixture projects), with the times the lines arrived. End-to-end runs of every tool are in
tests/ecosystems/test_live_sessions.py and tests/test_sessions.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate_gate.durations import flag_slow, measure
from migrate_gate.ecosystems.base import Context
from migrate_gate.masking import Masker
from migrate_gate.runner import END, Runner

ALEMBIC = "INFO  [alembic.runtime.migration] "
CASES = {
    "goose": (
        [
            (0.0, "$ goose down"),
            (0.2, "2026/12/02 15:19:16 OK   00003_index_books_title.sql (13.73ms)"),
            (0.3, "2026/12/02 15:19:16 OK   00002_create_books.sql (1m2.5s)"),
            (0.4, END),
        ],
        ["3", "2"],
        [0.014, 62.5],
    ),
    "rails": (
        [
            (0.0, "$ bin/rails db:rollback STEP=1"),
            (1.0, "== 20240101000300 IndexBooksTitle: reverting ============================"),
            (1.1, "-- remove_index(:books, :title)"),
            (1.2, "== 20240101000300 IndexBooksTitle: reverted (0.0095s) ===================="),
            (1.3, END),
        ],
        ["20240101000300"],
        [0.0095],
    ),
    "django": (
        [
            (0.0, "$ python manage.py migrate shop zero --noinput"),
            (0.5, "Running migrations:"),
            (0.75, "  Rendering model states... DONE"),
            (1.0, "  Unapplying shop.0002_slow... OK"),
            (3.5, "  Unapplying shop.0001_initial... OK"),
            (3.6, END),
        ],
        ["shop.0002_slow", "shop.0001_initial"],
        [0.25, 2.5],
    ),
    "alembic": (
        [
            (0.0, "$ alembic upgrade head"),
            (0.5, ALEMBIC + "Will assume transactional DDL."),
            (1.0, ALEMBIC + "Running upgrade  -> 1f3a5c7e9b01, authors"),
            (
                1.5,
                ALEMBIC + "Running upgrade 1f3a5c7e9b01 -> 2b4d6f8a0c12, x",
            ),
            (4.0, END),
            (5.0, "$ alembic downgrade -1"),
            (
                6.0,
                ALEMBIC + "Running downgrade 2b4d6f8a0c12 -> 1f3a5c7e9b01, x",
            ),
            (6.5, END),
        ],
        ["1f3a5c7e9b01", "2b4d6f8a0c12"],
        [0.5, 0.5],  # the downgrade, the later of the two lines, wins for 2b4d…
    ),
    "prisma": (  # rolled back one migration per `db execute` run
        [
            (0.0, "$ prisma db execute --file prisma/migrations/20240103000000_index/down.sql"),
            (0.3, "Script executed successfully."),
            (1.75, END),
        ],
        ["20240103000000_index"],
        [1.75],
    ),
}


@pytest.mark.parametrize("tool", sorted(CASES))
def test_durations_from_the_tools_lines(tool: str, tmp_path: Path) -> None:
    timeline, ids, seconds = CASES[tool]
    ctx = Context(project_dir=tmp_path, database=None, runner=Runner(masker=Masker()))
    measured = measure(tool, ctx, timeline, ids)
    assert [d["id"] for d in measured] == ids
    assert [d["seconds"] for d in measured] == pytest.approx(seconds, abs=0.001)


def test_unmeasured_migrations_are_left_out(tmp_path: Path) -> None:
    ctx = Context(project_dir=tmp_path, database=None, runner=Runner(masker=Masker()))
    assert measure("goose", ctx, [(0.0, "$ goose up"), (1.0, END)], ["1"]) == []


def test_slow_migrations_are_flagged() -> None:
    measured = [{"id": "a", "seconds": 0.5}, {"id": "b", "seconds": 12.0}]
    warnings = flag_slow(measured, 10)
    assert [d["slow"] for d in measured] == [False, True]
    assert warnings == ["migrate-gate: warning: b took 12 s (more than --warn-slower-than 10)"]
    assert flag_slow([{"id": "a", "seconds": 99.0}], None) == []
