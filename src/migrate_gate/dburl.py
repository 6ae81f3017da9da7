"""Database URLs: parse the standard form once, give each tool its form, never leak a password."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from .errors import UsageError

_SCHEMES = {
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "sqlite3": "sqlite",
}
_DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}
NO_DATABASE = (
    "no database given: pass --database-url or set DATABASE_URL "
    "(e.g. postgresql://user:pass@localhost:5432/app or sqlite:///app.db)"
)
_EXAMPLES = (
    "postgresql://user:pass@host:5432/db, mysql://user:pass@host/db or sqlite:///relative.db"
)


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed database URL. `kind` is postgresql, mysql or sqlite."""

    kind: str
    user: str | None = None
    password: str | None = None
    host: str | None = None
    port: int | None = None
    database: str = ""
    query: tuple[tuple[str, str], ...] = ()

    @property
    def is_sqlite(self) -> bool:
        return self.kind == "sqlite"

    def sqlite_path(self, project_dir: Path) -> Path:
        """The SQLite file, relative paths resolved against the project folder."""
        path = Path(self.database)
        return path if path.is_absolute() else (project_dir / path).resolve()

    def secrets(self) -> list[str]:
        """Every spelling of the password a tool might print."""
        if not self.password:
            return []
        forms = {self.password, quote(self.password, safe=""), quote(self.password)}
        return sorted(forms, key=len, reverse=True)

    def url(self, *, scheme: str | None = None, project_dir: Path | None = None) -> str:
        """The URL in standard form (optionally another scheme; SQLite made absolute)."""
        if self.is_sqlite:
            path = str(self.sqlite_path(project_dir)) if project_dir else self.database
            return f"{scheme or 'sqlite'}:///{path}"
        netloc = self._netloc(self.password)
        query = "&".join(f"{quote(k)}={quote(v)}" for k, v in self.query)
        return f"{scheme or self.kind}://{netloc}/{quote(self.database)}" + (
            f"?{query}" if query else ""
        )

    def redacted(self) -> str:
        """The URL with the password replaced by ***, safe for any output."""
        if self.is_sqlite:
            return self.url()
        return f"{self.kind}://{self._netloc('***' if self.password else None)}/{self.database}"

    def _netloc(self, password: str | None) -> str:
        auth = ""
        if self.user:
            auth = quote(self.user, safe="")
            if password:
                auth += ":" + (password if password == "***" else quote(password, safe=""))
            auth += "@"
        host = self.host or "localhost"
        if ":" in host:
            host = f"[{host}]"
        return f"{auth}{host}:{self.port or _DEFAULT_PORTS[self.kind]}"


def parse(raw: str) -> DatabaseUrl:
    """Parse a database URL, or raise UsageError saying what is wrong (never echoing it)."""
    raw = raw.strip()
    scheme, sep, rest = raw.partition("://")
    kind = _SCHEMES.get(scheme.split("+", 1)[0].lower()) if sep else None
    if kind is None:
        raise UsageError(f"database URL is malformed or of an unknown kind: use {_EXAMPLES}")
    if kind == "sqlite":
        return _parse_sqlite(rest)
    return _parse_server(kind, raw)


def _parse_sqlite(rest: str) -> DatabaseUrl:
    # sqlite:///relative.db -> rest "/relative.db"; sqlite:////abs.db -> rest "//abs.db"
    path, _, _query = rest.partition("?")
    if not path.startswith("/") or path in ("/", "//"):
        raise UsageError("SQLite URL needs a file: sqlite:///relative.db or sqlite:////abs/path.db")
    return DatabaseUrl(kind="sqlite", database=unquote(path[1:]))


def _parse_server(kind: str, raw: str) -> DatabaseUrl:
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise UsageError(f"database URL has an invalid host or port: use {_EXAMPLES}") from None
    database = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not database:
        raise UsageError(f"database URL needs a host and a database name: use {_EXAMPLES}")
    return DatabaseUrl(
        kind=kind,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        host=parts.hostname,
        port=port,
        database=database,
        query=tuple(parse_qsl(parts.query)),
    )
