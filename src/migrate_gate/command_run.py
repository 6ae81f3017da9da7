"""Validate a status / migrate / rollback invocation completely, then run it."""

from __future__ import annotations

import argparse
import sys

from . import db, sessions
from .dburl import NO_DATABASE, DatabaseUrl, from_option
from .detect import choose_ecosystem
from .ecosystems import ECOSYSTEMS
from .ecosystems.base import Context
from .errors import UsageError
from .folders import project_folder
from .history import ALLOWABLE
from .masking import Masker
from .operations import execute
from .report import Report
from .runner import Runner, install_signal_handlers


def resolve_database(raw: str | None) -> DatabaseUrl:
    """--database-url (never an empty one), else $DATABASE_URL; required, since reports
    read the database."""
    database = from_option(raw)
    if database is None:
        raise UsageError(NO_DATABASE)
    return database


def build_context(args: argparse.Namespace, masker: Masker) -> tuple[str, Context]:
    """Everything checked before anything runs: folder, URL, ecosystem, tool."""
    project_dir = project_folder(args.project_dir)
    ecosystem = choose_ecosystem(project_dir, args.ecosystem)
    database = resolve_database(args.database_url)
    masker.add(database.secrets())
    runner = Runner(masker=masker, timeout=args.timeout)
    ctx = Context(project_dir=project_dir, database=database, runner=runner)
    ECOSYSTEMS[ecosystem].check(ctx)
    db.set_budget(runner.remaining)  # migrate-gate's own reads honour --timeout and signals
    runner.stop_hooks.append(db.cancel_queries)
    _tag_tool_sessions(args, ctx)
    masker.warn_short()  # only now: a usage error stays one line
    return ecosystem, ctx


def _tag_tool_sessions(args: argparse.Namespace, ctx: Context) -> None:
    """Give every tool run its sessions' tag and limits; a stopped tool's sessions end."""
    database = ctx.database
    if database is None or database.kind != "postgresql":
        return
    tag = sessions.new_tag(args.command)
    ctx.runner.session_env = sessions.tool_env(
        tag,
        lock_timeout=getattr(args, "lock_timeout", None),
        statement_timeout=getattr(args, "statement_timeout", None),
    )
    ctx.runner.end_sessions = lambda: sessions.end_tool_sessions(database, tag)


def run_command(args: argparse.Namespace, masker: Masker) -> Report:
    ecosystem, ctx = build_context(args, masker)
    assert ctx.database is not None
    print(
        f"migrate-gate: {args.command} {ecosystem} project {ctx.project_dir} "
        f"on {ctx.database.redacted()}",
        file=sys.stderr,
    )
    install_signal_handlers(ctx.runner)
    allowed = [
        kind for kind in ALLOWABLE if getattr(args, f"allow_{kind.replace('-', '_')}", False)
    ]
    ctx.allowed = frozenset(allowed)
    return execute(
        args.command,
        ecosystem,
        ctx,
        steps=getattr(args, "steps", 1),
        allowed=allowed,
        lock_wait=getattr(args, "lock_wait", 0.0),
        lock_retries=getattr(args, "lock_retries", 0),
        warn_slower_than=getattr(args, "warn_slower_than", None),
    )
