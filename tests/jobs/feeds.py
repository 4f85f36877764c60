"""A local HTTP server for harvest tests: serves feeds the test sets, the way bodies' servers
do (ETag and Last-Modified, 304 on a conditional request), or breaks the way networks do."""

import hashlib
import threading
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Feed:
    body: bytes
    validators: bool = True  # send ETag and Last-Modified, answer 304 when they match
    broken: bool = False  # promise more bytes than are sent, then hang up
    redirect_to: str | None = None
    modified: float = 1_700_000_000.0


@dataclass
class Feeds:
    """What the server serves, by path; ``requests`` lists (path, conditional?) as they came."""

    feeds: dict[str, Feed] = field(default_factory=dict)
    requests: list[tuple[str, bool]] = field(default_factory=list)
    url: str = ""

    def set(self, path: str, body: bytes, **options) -> str:
        self.feeds[path] = Feed(body, **options)
        return self.url + path


def _handler(state: Feeds):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):
            conditional = bool(self.headers.get("If-None-Match")
                               or self.headers.get("If-Modified-Since"))
            state.requests.append((self.path, conditional))
            feed = state.feeds.get(self.path)
            if feed is None:
                self.send_error(404)
                return
            if feed.redirect_to:
                self.send_response(302)
                self.send_header("Location", feed.redirect_to)
                self.end_headers()
                return
            etag = '"' + hashlib.sha256(feed.body).hexdigest()[:16] + '"'
            if feed.validators and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            if feed.validators:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", formatdate(feed.modified, usegmt=True))
            if feed.broken:
                self.send_header("Content-Length", str(len(feed.body) * 2))
                self.end_headers()
                self.wfile.write(feed.body[: len(feed.body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.send_header("Content-Length", str(len(feed.body)))
            self.end_headers()
            self.wfile.write(feed.body)

    return Handler


def serve() -> tuple[Feeds, ThreadingHTTPServer]:
    state = Feeds()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server
