"""`migrate-gate scaffold github|gitlab`: write the migrate-then-deploy pipeline for a project."""

from __future__ import annotations

import argparse
import sys

__all__ = ["PLATFORMS", "add_arguments", "run"]

PLATFORMS = ("github", "gitlab")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the scaffold command's arguments to its (sub)parser."""
    parser.add_argument("platform", choices=PLATFORMS, help="which CI system to write for")
    parser.add_argument(
        "--project-dir", default=".", help="folder to search for migration projects (default: .)"
    )
    parser.add_argument(
        "--environments",
        default="staging,production",
        help="deploy environments in order, comma-separated (default: staging,production)",
    )
    parser.add_argument(
        "--deploy-command",
        help="shell command each deploy job runs (default: a placeholder that fails)",
    )
    parser.add_argument(
        "--ecosystem", default="auto", help="alembic, django, ... (default: detect every project)"
    )
    parser.add_argument(
        "--database-url-variable",
        default="DATABASE_URL",
        help="name of the secret / CI/CD variable holding the database URL (default: DATABASE_URL)",
    )
    parser.add_argument(
        "--action-ref",
        default=None,
        help="tag or SHA of the migrate-gate action the workflows use, or a full OWNER/REPO@REF",
    )
    parser.add_argument(
        "--component",
        default=None,
        help="address of the GitLab component to include, e.g. gitlab.com/group/proj/migrate@1.0",
    )
    parser.add_argument(
        "--output",
        default=None,
        help="github: the workflows folder; gitlab: the pipeline file; '-' prints to stdout",
    )
    parser.add_argument("--force", action="store_true", help="overwrite files that exist")


def run(args: argparse.Namespace) -> int:
    """Validate every option, render the files, then write (or print) them."""
    # Imported here: Jinja and detection cost start-up time every other command would pay.
    from .options import plan_from_args
    from .output import write_files
    from .render import render_files

    plan = plan_from_args(args)
    files = render_files(plan)
    write_files(files, plan.output, force=args.force, stdout=sys.stdout)
    return 0
