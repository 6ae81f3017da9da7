"""verify's own flags; imported on every start-up to build the parser, so it stays light."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-nonempty",
        action="store_true",
        help="run even when the database already holds application tables",
    )
    parser.add_argument("--since", metavar="REF", help="walk only migrations added since a git ref")
    parser.add_argument("--junit", metavar="PATH", help="also write the checks as JUnit XML")
