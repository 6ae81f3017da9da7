"""The one report every command returns, printed as JSON with --json."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from . import __version__

SUCCESS, FAILED, CANCELLED = "success", "failed", "cancelled"
EXIT_CODES = {SUCCESS: 0, FAILED: 1, CANCELLED: 130}


@dataclass
class Report:
    """What one run did. Field names and meanings are a public contract (see README)."""

    command: str
    ecosystem: str | None
    project_dir: str
    status: str = SUCCESS
    applied: list[str] = field(default_factory=list)
    rolled_back: list[str] = field(default_factory=list)
    current: str | None = None
    pending: list[str] = field(default_factory=list)
    duration_seconds: float = 0.0
    error: str | None = None
    extra: dict[str, Any] = field(
        default_factory=dict
    )  # command-specific fields (checks, findings)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    def fail(self, message: str) -> None:
        """Mark failed, keeping the first error (the cause, not its consequences)."""
        self.status = FAILED
        self.error = self.error or one_line(message)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        return {"tool": "migrate-gate", "version": __version__, **data, **extra}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


def one_line(message: str, limit: int = 500) -> str:
    """Collapse a message to one line of bounded length."""
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
