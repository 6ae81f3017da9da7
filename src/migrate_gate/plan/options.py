"""The options of `migrate-gate plan` (kept apart so --help imports nothing else)."""

from __future__ import annotations

import argparse

FORMATS = ("text", "markdown")
SCRATCH_ENV = "MIGRATE_GATE_SCRATCH_URL"
READ_ONLY = "-c default_transaction_read_only=on"  # libpq options: no transaction writes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project-dir", default=".", help="the project's folder (default: .)")
    parser.add_argument(
        "--ecosystem", default="auto", help="alembic, django, ... (default: detect)"
    )
    parser.add_argument(
        "--database-url",
        help="plan the migrations pending on this database, read only (default: $DATABASE_URL)",
    )
    parser.add_argument(
        "--scratch-url",
        help="an empty PostgreSQL database to run Django, Knex or Rails on to read their SQL "
        f"(default: ${SCRATCH_ENV}; never the --database-url one)",
    )
    parser.add_argument(
        "--since",
        metavar="REF",
        help="without a database: plan the migrations added since this git ref",
    )
    parser.add_argument("--json", action="store_true", help="print the report as one JSON document")
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="the plan's format (default: text)"
    )
    parser.add_argument(
        "--output", metavar="FILE", help="write the --format output to FILE (stdout: text)"
    )
    parser.add_argument(
        "--timeout", type=_seconds, default=None, help="stop the tool after this many seconds"
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return value
