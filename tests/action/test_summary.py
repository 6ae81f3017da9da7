"""The summary/comment Markdown for the report fields the live runs produce rarely on demand:
a blocker (needs a held lock) and a slow migration (needs --warn-slower-than)."""

from __future__ import annotations

from migrate_gate.action.summary import render


def test_blockers_durations_and_problems_have_their_tables() -> None:
    report = {
        "command": "migrate",
        "status": "failed",
        "durations": [{"id": "0002_add|pipe", "seconds": 12.5, "slow": True}],
        "blocked_by": [
            {
                "pid": 4242,
                "user": "app",
                "application": "web",
                "client": "10.0.0.7",
                "state": "idle in transaction",
                "seconds": 8.0,
                "transaction_seconds": 300.0,
                "relation": "accounts",
                "query": "SELECT * FROM accounts FOR UPDATE",
            }
        ],
        "problems": [
            {"kind": "out-of-order", "migration": "2", "detail": "older", "severity": "error"}
        ],
        "error": "lock timeout",
    }
    text = render(report, tail=[])
    assert "| 0002_add\\|pipe | 12.50 (slow) |" in text  # the id stays one cell
    assert "**Blocked by (1)**" in text
    assert "| 4242 | web | idle in transaction | 8.0 s | accounts |" in text
    assert "| error | out-of-order | 2 | older |" in text
    assert "**Durations**" not in render({"command": "status", "status": "success"}, tail=[])
