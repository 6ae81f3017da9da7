"""Replace secrets in any text that leaves migrate-gate."""

from __future__ import annotations

from collections.abc import Iterable

MASK = "***"


class Masker:
    """Masks every given secret (longest first, so no fragment of one survives)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def add(self, secrets: Iterable[str]) -> None:
        self._secrets = sorted({*self._secrets, *(s for s in secrets if s)}, key=len, reverse=True)
