"""check's own flags; imported on every start-up to build the parser, so it stays light."""

from __future__ import annotations

import argparse

# The tools whose models-without-migration check migrates a scratch database.
MODELS_NEED_SCRATCH = frozenset({"alembic", "prisma", "rails"})


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        help="also check what this database records, read only (default: $DATABASE_URL; "
        "without either, only the files are checked)",
    )
    parser.add_argument(
        "--scratch-url",
        help="an empty database the model and drift checks may migrate "
        "(default: $MIGRATE_GATE_SCRATCH_URL)",
    )
    parser.add_argument(
        "--since", metavar="REF", help="only problems of migrations changed since a git ref"
    )
    parser.add_argument(
        "--drift",
        action="store_true",
        help="compare the database's schema with what its applied migrations build on "
        "the scratch database",
    )
    parser.add_argument(
        "--skip-models", action="store_true", help="do not look for models without a migration"
    )
