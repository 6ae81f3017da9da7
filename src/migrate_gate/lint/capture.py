"""A loopback relay between a migration tool and PostgreSQL that records the SQL it sends.

The relay listens on 127.0.0.1 (an ephemeral port) and passes bytes both ways unchanged,
so authentication (SCRAM included) is the server's business; it only reads the
frontend's messages: simple Query ('Q'), and extended-protocol Parse ('P') whose text it
records when a Bind ('B') executes it (a named prepared statement is parsed once and
bound many times). Encryption requests are answered 'N' and the relay talks plaintext
to the server too: TLS to the server would make it offer SCRAM channel binding, which a
client on plaintext refuses. The password passes through as opaque bytes: never read, stored or
logged.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable
from types import TracebackType
from typing import NamedTuple

_SSL_REQUEST = 80877103
_GSSENC_REQUEST = 80877104
_MAX_MESSAGE = 1 << 30  # PostgreSQL's own limit for a frontend message


class Sent(NamedTuple):
    """One statement the tool had the server run: its connection's number and its SQL."""

    connection: int
    sql: str  # extended protocol: the text as parsed, with $1, $2 placeholders
    params: tuple[str | None, ...] = ()  # Bind's values in text format (None: NULL or binary)


class Proxy:
    """Relay to host:port while in a `with` block; `sent` lists what the tools ran, in order."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.sent: list[Sent] = []
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]

    def __enter__(self) -> Proxy:
        self._start(self._accept)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        _close(self._listener)
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            _close(sock)
        for thread in list(self._threads):
            thread.join(timeout=5)

    def _start(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        number = 0
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # closed by __exit__
                return
            number += 1
            self._keep(client)
            self._start(self._serve, client, number)

    def _keep(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)

    def _serve(self, client: socket.socket, number: int) -> None:
        server: socket.socket | None = None
        try:
            startup = _startup(client)
            server = self._connect()
            server.sendall(startup)
            self._start(_pump, server, client)
            self._relay(client, server, number)
        except (OSError, ValueError):
            pass  # the tool sees the closed connection and reports it
        finally:
            _close(client)
            if server is not None:
                _close(server)

    def _connect(self) -> socket.socket:
        server = socket.create_connection(self.upstream, timeout=30)
        server.settimeout(None)
        self._keep(server)
        return server

    def _relay(self, client: socket.socket, server: socket.socket, number: int) -> None:
        """Forward the frontend's messages one by one, recording the statements run."""
        prepared: dict[str, str] = {}
        while True:
            head = _exactly(client, 5)
            kind, length = head[:1], struct.unpack("!i", head[1:])[0]
            if not 4 <= length <= _MAX_MESSAGE:
                raise ValueError("not a PostgreSQL frontend message")
            body = _exactly(client, length - 4)
            # the server judges the message: recording is best effort, relaying is not
            with contextlib.suppress(ValueError, IndexError, struct.error):
                self._observe(kind, body, prepared, number)
            server.sendall(head + body)  # after recording: the record precedes any reply
            if kind == b"X":
                return

    def _observe(self, kind: bytes, body: bytes, prepared: dict[str, str], number: int) -> None:
        if kind == b"Q":
            self._record(number, _cstrings(body, 1)[0])
        elif kind == b"P":
            name, text = _cstrings(body, 2)
            prepared[name] = text
        elif kind == b"B":
            statement = _cstrings(body, 2)[1]
            if statement in prepared:
                self._record(number, prepared[statement], _bind_values(body))

    def _record(self, connection: int, sql: str, params: tuple[str | None, ...] = ()) -> None:
        with self._lock:
            self.sent.append(Sent(connection, sql, params))


def _startup(client: socket.socket) -> bytes:
    """The client's startup packet, after answering 'N' to any encryption request."""
    while True:
        head = _exactly(client, 4)
        length = struct.unpack("!i", head)[0]
        if not 8 <= length <= 10_000:
            raise ValueError("not a PostgreSQL startup packet")
        body = _exactly(client, length - 4)
        if struct.unpack("!i", body[:4])[0] not in (_SSL_REQUEST, _GSSENC_REQUEST):
            return head + body
        client.sendall(b"N")


def _pump(source: socket.socket, target: socket.socket) -> None:
    """Copy the server's bytes to the client until either side closes."""
    try:
        while chunk := source.recv(65536):
            target.sendall(chunk)
    except OSError:
        pass
    finally:
        _close(target)


def _exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise OSError("connection closed")
        data += chunk
    return bytes(data)


def _cstrings(body: bytes, count: int) -> list[str]:
    """The first `count` NUL-terminated strings of a message body (the tools send UTF-8)."""
    parts = body.split(b"\0", count)
    if len(parts) <= count:
        raise ValueError("truncated PostgreSQL message")
    return [part.decode("utf-8", "replace") for part in parts[:count]]


def _bind_values(body: bytes) -> tuple[str | None, ...]:
    """A Bind message's parameter values: text-format ones decoded, others None."""
    at = body.index(b"\0", body.index(b"\0") + 1) + 1  # past portal and statement names
    (count,) = struct.unpack_from("!h", body, at)
    formats = struct.unpack_from(f"!{count}h", body, at + 2)
    at += 2 + 2 * count
    (total,) = struct.unpack_from("!h", body, at)
    at += 2
    values: list[str | None] = []
    for index in range(total):
        (size,) = struct.unpack_from("!i", body, at)
        at += 4
        text = (formats[index] if count > 1 else formats[0] if count else 0) == 0
        values.append(
            body[at : at + size].decode("utf-8", "replace") if size >= 0 and text else None
        )
        at += max(size, 0)
    return tuple(values)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
