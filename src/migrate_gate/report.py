"""The one report every command returns, printed as JSON with --json."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from . import __version__

SUCCESS, FAILED, CANCELLED = "success", "failed", "cancelled"
EXIT_CODES = {SUCCESS: 0, FAILED: 1, CANCELLED: 130}


@dataclass
class Report:
    """What one run did. Field names and meanings are a public contract (docs/commands.md)."""

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
    problems: list[dict[str, Any]] = field(default_factory=list)  # see history.Problem
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

    def mask_text(self, mask: Callable[[str], str]) -> None:
        """Mask the free text (error, messages in extra); ids and structure stay as they are."""
        if self.error:
            self.error = mask(self.error)
        self.problems = [_masked(problem, mask) for problem in self.problems]
        self.extra = {key: _masked(value, mask, key) for key, value in self.extra.items()}

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


_STRUCTURE = frozenset(
    {"migration", "result", "file", "rule", "name", "severity", "state", "id", "path", "kind"}
)


def mask_fields(data: dict[str, Any], mask: Callable[[str], str]) -> dict[str, Any]:
    """A parsed report (to_dict's shape) with its free text masked and its ids unchanged."""
    return {key: _masked(value, mask, key) for key, value in data.items()}


_TOP = ("tool", "version", "command", "ecosystem", "project_dir", "status")
_IDS = ("applied", "rolled_back", "current", "pending")


def _masked(value: Any, mask: Callable[[str], str], key: str = "") -> Any:
    """Mask the strings in a value of extra, except those that name migrations or files."""
    if isinstance(value, str):
        return value if key in _STRUCTURE or key in _TOP or key in _IDS else mask(value)
    if isinstance(value, dict):
        return {k: _masked(v, mask, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, mask, key) for v in value]  # a list's items keep its key's meaning
    return value
