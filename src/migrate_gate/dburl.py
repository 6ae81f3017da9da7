"""Database URLs: parse the standard form once, give each tool its form, never leak a password."""

from __future__ import annotations

import os
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
# libpq's connection parameters (PostgreSQL 17); migrate-gate's own connections get these.
LIBPQ_PARAMS = frozenset(
    [
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "password",
        "passfile",
        "require_auth",
        "channel_binding",
        "connect_timeout",
        "client_encoding",
        "options",
        "application_name",
        "fallback_application_name",
        "keepalives",
        "keepalives_idle",
        "keepalives_interval",
        "keepalives_count",
        "tcp_user_timeout",
        "replication",
        "gssencmode",
        "sslmode",
        "sslnegotiation",
        "sslcompression",
        "sslcert",
        "sslkey",
        "sslpassword",
        "sslcertmode",
        "sslrootcert",
        "sslcrl",
        "sslcrldir",
        "sslsni",
        "requirepeer",
        "ssl_min_protocol_version",
        "ssl_max_protocol_version",
        "krbsrvname",
        "gsslib",
        "gssdelegation",
        "service",
        "target_session_attrs",
        "load_balance_hosts",
    ]
)
# The tools' own parameters (Prisma's, pgx's), passed to the tool, never to libpq.
TOOL_PARAMS = frozenset(
    [
        "schema",
        "connection_limit",
        "pool_timeout",
        "pgbouncer",
        "sslaccept",
        "sslidentity",
        "socket_timeout",
        "statement_cache_size",
        "pool_max_conns",
        "pool_min_conns",
        "search_path",
    ]
)
_CHOICES = {
    "sslmode": ("disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
    "gssencmode": ("disable", "prefer", "require"),
    "channel_binding": ("disable", "prefer", "require"),
    "target_session_attrs": (
        "any",
        "read-write",
        "read-only",
        "primary",
        "standby",
        "prefer-standby",
    ),
}
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

    def libpq_options(self) -> dict[str, str]:
        """The URL's query parameters libpq understands (a tool's own ones left out)."""
        return {key: value for key, value in self.query if key in LIBPQ_PARAMS}

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


def from_option(flag: str | None, *, name: str = "--database-url") -> DatabaseUrl | None:
    """A URL flag, else $DATABASE_URL, else None; an empty flag is an error, never the
    environment's URL (a CI variable that expanded to nothing must not pick another)."""
    if flag is not None and not flag.strip():
        raise UsageError(f"{name} is empty: give a URL, or leave the flag out to use $DATABASE_URL")
    raw = flag if flag is not None else os.environ.get("DATABASE_URL")
    return parse(raw) if raw else None


SCRATCH_ENV = "MIGRATE_GATE_SCRATCH_URL"


def scratch_from_option(flag: str | None) -> DatabaseUrl | None:
    """--scratch-url, else $MIGRATE_GATE_SCRATCH_URL, else None: an empty database a command
    may migrate (check's models and drift, plan's SQL of Django, Knex and Rails)."""
    raw = flag or os.environ.get(SCRATCH_ENV)
    return parse(raw) if raw else None


def parse(raw: str) -> DatabaseUrl:
    """Parse a database URL, or raise UsageError saying what is wrong (never echoing it)."""
    raw = raw.strip()
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError("database URL is not UTF-8 text: percent-encode its bytes") from None
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
    if not _plausible_host(parts.hostname):
        raise UsageError("database URL's host name is too long (DNS allows 253 characters)")
    return DatabaseUrl(
        kind=kind,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        host=parts.hostname,
        port=port,
        database=database,
        query=_query(kind, parts.query),
    )


def _plausible_host(host: str) -> bool:
    """A socket folder (%2F...) or a name DNS could hold: 253 characters, 63 a label."""
    if host.startswith(("/", "%2f")):
        return True
    return len(host) <= 253 and all(len(label) <= 63 for label in host.split("."))


def _query(kind: str, text: str) -> tuple[tuple[str, str], ...]:
    """The query parameters; on PostgreSQL an unknown one or a bad choice is refused here,
    before any tool starts (libpq would refuse it only at the first connection)."""
    pairs = tuple(parse_qsl(text, keep_blank_values=True))
    if kind != "postgresql":
        return pairs
    for key, value in pairs:
        if key not in LIBPQ_PARAMS and key not in TOOL_PARAMS:
            raise UsageError(
                f"database URL parameter {key[:40]!r} is unknown to PostgreSQL: "
                "remove it or use a libpq parameter (sslmode, connect_timeout, ...)"
            )
        choices = _CHOICES.get(key)
        if choices and value not in choices:
            raise UsageError(f"database URL parameter {key} must be one of {', '.join(choices)}")
    return pairs
