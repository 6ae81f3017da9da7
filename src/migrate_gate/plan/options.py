"""The options of `migrate-gate plan` (kept apart so --help imports nothing else)."""

from __future__ import annotations

import argparse

from ..dburl import SCRATCH_ENV

FORMATS = ("text", "markdown")
READ_ONLY = "-c default_transaction_read_only=on"  # libpq options: no transaction writes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """plan's own options; the shared ones (--project-dir, --json, --timeout, ...) come from
    cli._add_run_options."""
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
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="the plan's format (default: text)"
    )
    parser.add_argument(
        "--output", metavar="FILE", help="write the --format output to FILE (stdout: text)"
    )
