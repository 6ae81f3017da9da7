"""A small HTTP server on 127.0.0.1 that records requests and answers like GitHub's issue-comments
API, GitLab's merge-request-notes API and a Slack incoming webhook (or with 500 everywhere)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

COLLECTION = re.compile(
    r"^(/repos/[^/]+/[^/]+/issues/\d+/comments|/api/v4/projects/[^/]+/merge_requests/\d+/notes)$"
)
GITHUB_ITEM = re.compile(r"^/repos/[^/]+/[^/]+/issues/comments/(\d+)$")
GITLAB_ITEM = re.compile(r"^/api/v4/projects/[^/]+/merge_requests/\d+/notes/(\d+)$")


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: Any


@dataclass
class FakeApi:
    """State: comments per collection path, every request, and whether to fail with 500."""

    url: str = ""
    fail: bool = False
    requests: list[Recorded] = field(default_factory=list)
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    next_id: int = 100

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method != "GET"]


def _handler(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep the test output clean
            pass

        def _record(self) -> tuple[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            path = self.path.split("?", 1)[0]
            headers = {key.lower(): value for key, value in self.headers.items()}
            api.requests.append(Recorded(self.command, path, headers, body))
            return path, body

        def _answer(self, status: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            path, _ = self._record()
            if api.fail:
                return self._answer(500, {"message": "Internal Server Error"})
            if COLLECTION.match(path):
                return self._answer(200, api.comments.get(path, []))
            return self._answer(404, {"message": "Not Found"})

        def do_POST(self) -> None:
            path, body = self._record()
            if api.fail:
                return self._answer(500, {"message": "Internal Server Error"})
            if path.startswith("/hooks/"):
                return self._answer(200, "ok")
            if COLLECTION.match(path):
                api.next_id += 1
                comment = {"id": api.next_id, "body": body["body"]}
                api.comments.setdefault(path, []).append(comment)
                return self._answer(201, comment)
            return self._answer(404, {"message": "Not Found"})

        def _update(self) -> None:
            path, body = self._record()
            if api.fail:
                return self._answer(500, {"message": "Internal Server Error"})
            match = GITHUB_ITEM.match(path) or GITLAB_ITEM.match(path)
            for comments in api.comments.values():
                for comment in comments:
                    if match and comment["id"] == int(match.group(1)):
                        comment["body"] = body["body"]
                        return self._answer(200, comment)
            return self._answer(404, {"message": "Not Found"})

        do_PATCH = _update  # GitHub
        do_PUT = _update  # GitLab

    return Handler


@contextmanager
def fake_api() -> Iterator[FakeApi]:
    """Serve on 127.0.0.1 (never any other address) for the duration of the block."""
    api = FakeApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
