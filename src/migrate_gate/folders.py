"""The project folder every command starts from, and the project files migrate-gate reads
itself (kept free of heavy imports: lint's start-up)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .errors import UsageError

if TYPE_CHECKING:  # ast costs lint's start-up ~2 ms; only the Python ecosystems parse files
    import ast

MAX_FILE_BYTES = 16 * 1024 * 1024  # no migration or config file is this large
MAX_WALKED = 20_000  # entries looked at for special files: bounded in a huge monorepo
_NOT_WALKED = frozenset(
    {"node_modules", ".git", ".venv", "venv", "vendor", "__pycache__", "tmp", "log", "dist"}
)


T = TypeVar("T")


def per_file_version(read: Callable[[Path], T]) -> Callable[[Path], T]:
    """`read(path)`, memoized on the file's version (path, size, modification time): the
    checks of one command look at each migration file once however many of them ask, and a
    file changed since is read again. A file that cannot be stat'ed is read every time."""
    seen: dict[tuple[str, int, int], T] = {}

    def memoized(path: Path) -> T:
        try:
            info = os.stat(path)
        except OSError:
            return read(path)
        key = (str(path), info.st_size, info.st_mtime_ns)
        if key not in seen:
            seen[key] = read(path)
        return seen[key]

    return memoized


def project_folder(path: str, *, tools_read_it: bool = True) -> Path:
    """--project-dir, resolved; a missing, looping or unusable folder is a usage error. When a
    migration tool will read the folder (`tools_read_it`), it must hold no special file either."""
    try:
        directory = Path(path).resolve()
        usable = directory.is_dir()
    except (OSError, RuntimeError, ValueError) as error:
        raise UsageError(
            f"project folder {shown(path)} cannot be used ({reason(error)}): check --project-dir"
        ) from None
    if not usable:
        raise UsageError(f"project folder {shown(path)} does not exist: check --project-dir")
    if tools_read_it:
        require_plain_files(directory)
    return directory


def require_plain_files(directory: Path) -> None:
    """Refuse a project holding a link to a device, FIFO or socket (/dev/zero, say) named like
    a file the tools read: the tool would read it forever, so nothing may start."""
    pending, seen = [directory], 0
    while pending and seen < MAX_WALKED:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue
        seen += len(entries)
        for entry in entries:
            if entry.name in _NOT_WALKED or entry.is_file(follow_symlinks=False):
                continue
            try:
                mode = os.stat(entry.path).st_mode
            except OSError:
                continue  # a dangling or looping link: nothing reads it
            if stat.S_ISDIR(mode):
                if not entry.is_symlink():
                    pending.append(Path(entry.path))
            elif not stat.S_ISREG(mode) and _read_by_tools(entry.name):
                raise UsageError(
                    f"{shown(entry.path)} is not a regular file (a device, FIFO or socket): "
                    "a migration tool would hang reading it; remove it"
                )


# What migration tools read: a socket or FIFO with another name (a database's own socket
# in the checkout, say) is nobody's business.
_TOOL_SUFFIXES = frozenset(
    {".py", ".sql", ".js", ".cjs", ".mjs", ".ts", ".mts", ".cts", ".rb", ".go", ".prisma"}
    | {".ini", ".cfg", ".toml", ".json", ".yml", ".yaml", ".mako", ".lock"}
)

_TOOL_NAMES = frozenset({".env", "Gemfile", "Rakefile", "rails"})


def _read_by_tools(name: str) -> bool:
    return name in _TOOL_NAMES or Path(name).suffix in _TOOL_SUFFIXES


def read_bytes(path: Path) -> bytes:
    """A project file's content; an unreadable, special or oversized file is a usage error."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"{shown(path)} is not a regular file: remove it or replace it")
        if info.st_size > MAX_FILE_BYTES:
            raise UsageError(f"{shown(path)} is larger than {MAX_FILE_BYTES >> 20} MB")
        return path.read_bytes()
    except (OSError, RuntimeError, ValueError) as error:
        raise UsageError(f"{shown(path)} cannot be read ({reason(error)})") from None


def read_text(path: Path) -> str:
    """A project file as UTF-8 text; other bytes are a usage error naming where."""
    data = read_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(
            f"{shown(path)} is not UTF-8 (byte {data[error.start]:#04x} at offset "
            f"{error.start}): save it as UTF-8"
        ) from None


def parse_python(path: Path) -> ast.Module:
    """A Python file's syntax tree (its coding declaration honoured, as Python does)."""
    import ast

    try:
        return ast.parse(read_bytes(path), str(path))
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None)
        where = f" line {line}" if line else ""
        message = getattr(error, "msg", None) or str(error)
        raise UsageError(f"{shown(path)}{where} is not valid Python ({message}): fix it") from None


def shown(path: str | Path, limit: int = 120) -> str:
    """A path for a one-line message: shortened in the middle when very long."""
    text = str(path)
    if len(text) > limit:
        text = f"{text[: limit // 2]}...{text[-limit // 2 :]}"
    return repr(text)


def reason(error: BaseException) -> str:
    """An OS error's reason without the (possibly very long) file name it repeats."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return " ".join(str(error).split())[:200]
