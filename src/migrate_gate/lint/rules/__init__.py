"""The rule registry: one module per rule, each exposing RULE (see mg001 for the shape)."""

from __future__ import annotations

from ..model import Rule
from . import (
    mg000_syntax_error,
    mg001_non_concurrent_index,
    mg002_concurrently_in_transaction,
    mg003_not_null_without_default,
    mg004_set_not_null,
    mg005_constraint_not_valid,
    mg006_table_rewrite,
    mg007_rename,
    mg008_destructive,
    mg009_lock_timeout,
    mg010_constraint_builds_index,
    mg011_unbatched_backfill,
    mg012_char_field,
    mg013_prefer_bigint,
    mg014_prefer_identity,
    mg015_prefer_timestamptz,
    mg016_prefer_text,
    mg017_robust_statements,
    mg018_duplicate_assignment,
    mg019_uncommitted_transaction,
    mg020_transaction_nesting,
    mg021_detach_partition,
    mg022_statement_timeout,
    mg023_identifier_too_long,
    mg024_domain_constraint,
    mg025_breaking_drop,
    mg026_enum_value_order,
)

RULES: tuple[Rule, ...] = tuple(
    module.RULE
    for module in (
        mg000_syntax_error,
        mg001_non_concurrent_index,
        mg002_concurrently_in_transaction,
        mg003_not_null_without_default,
        mg004_set_not_null,
        mg005_constraint_not_valid,
        mg006_table_rewrite,
        mg007_rename,
        mg008_destructive,
        mg009_lock_timeout,
        mg010_constraint_builds_index,
        mg011_unbatched_backfill,
        mg012_char_field,
        mg013_prefer_bigint,
        mg014_prefer_identity,
        mg015_prefer_timestamptz,
        mg016_prefer_text,
        mg017_robust_statements,
        mg018_duplicate_assignment,
        mg019_uncommitted_transaction,
        mg020_transaction_nesting,
        mg021_detach_partition,
        mg022_statement_timeout,
        mg023_identifier_too_long,
        mg024_domain_constraint,
        mg025_breaking_drop,
        mg026_enum_value_order,
    )
)
BY_ID = {rule.id: rule for rule in RULES}
CATEGORIES = ("safety", "types")
SYNTAX_ERROR = mg000_syntax_error.RULE


def resolve(reference: str) -> Rule | None:
    """A rule by id (MG001) or name (non-concurrent-index), case-insensitive."""
    wanted = reference.strip().lower()
    return next((r for r in RULES if wanted in (r.id.lower(), r.name)), None)
