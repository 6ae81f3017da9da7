"""Replace secrets in any text that leaves migrate-gate."""

from __future__ import annotations

import sys
from collections.abc import Iterable

# typing.TYPE_CHECKING without importing typing (~4 ms of `migrate-gate --version`); mypy
# treats this name as true
TYPE_CHECKING = False
if TYPE_CHECKING:
    from .dburl import DatabaseUrl

MASK = "***"
# Shorter secrets would star ordinary words ("p", "email"); like google-github-actions'
# min_mask_length (default 4) they are not masked inside free text, and the user is warned.
MIN_LENGTH = 4
SHORT_WARNING = (
    f"migrate-gate: warning: the database password is shorter than {MIN_LENGTH} characters, "
    "too short to be masked safely: it is masked in URLs only, not in other output; "
    "use a longer password"
)


def forms(secret: str) -> set[str]:
    """The secret as a tool may print it: plain, URL-encoded, JSON, repr/inspect, shell-quoted."""
    import json  # here, not at the top: only a run with a secret pays for these imports
    import shlex
    from urllib.parse import quote, quote_plus

    raw = "surrogateescape"  # argv bytes that are not UTF-8 arrive as surrogates
    spelled = {
        secret,
        quote(secret, safe="", errors=raw),
        quote(secret, errors=raw),
        quote_plus(secret, errors=raw),
    }
    spelled.add(json.dumps(secret)[1:-1])
    spelled.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    spelled.add(repr(secret)[1:-1])  # Python picks the quote style; cover both by hand too
    spelled.add(secret.replace("\\", "\\\\").replace("'", "\\'"))
    spelled.add(secret.replace("\\", "\\\\").replace('"', '\\"'))
    spelled.add(shlex.quote(secret))
    return {s for s in spelled if s}


def too_short(secret: str) -> bool:
    """True when masking the secret inside free text would corrupt ordinary words."""
    return len(secret) < MIN_LENGTH


class Masker:
    """Masks every given secret in each of its forms (longest first, so no fragment survives)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        self.short: list[str] = []  # secrets too short to mask safely (not masked)
        self._in_urls: list[str] = []
        self._warned = False
        self.add(secrets)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        for short in self._in_urls:  # a short password is still masked where a URL holds it
            text = text.replace(f":{short}@", f":{MASK}@")
        return text

    def warn_short(self) -> None:
        """Say once, on stderr, that a password is too short to mask (called when a run starts)."""
        if self.short and not self._warned:
            self._warned = True
            print(SHORT_WARNING, file=sys.stderr)

    def hide(self, database: DatabaseUrl | None) -> DatabaseUrl | None:
        """Mask `database`'s secrets from now on; the database itself is returned."""
        if database is not None:
            self.add(database.secrets())
        return database

    def add(self, secrets: Iterable[str]) -> None:
        """Mask these secrets (and their escaped forms) from now on; too short ones are noted."""
        known = set(self._secrets)
        for secret in secrets:
            if not secret:
                continue
            if too_short(secret):
                if secret not in self.short:
                    self.short.append(secret)
                    from urllib.parse import quote

                    urls = {*self._in_urls, secret, quote(secret, safe="")}
                    self._in_urls = sorted(urls, key=len, reverse=True)
                continue
            known.update(forms(secret))
        self._secrets = sorted(known, key=len, reverse=True)
