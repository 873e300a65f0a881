"""A local HTTP server that records every request it gets: the witness that a hostile input made
the API fetch nothing (a SERVICE call, a LOAD, an external XML entity, a remote JSON-LD context).
It can also answer slowly, to stand in for a remote endpoint that hangs."""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Recorder:
    """The server's address and the paths it was asked for."""

    def __init__(self, server: ThreadingHTTPServer):
        self.server = server
        self.port = server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[str] = []
        self.delay = 0.0  # seconds to wait before answering
        self.answer = (b"", "text/turtle")  # the body and media type it answers with
        self.stop = threading.Event()


@contextlib.contextmanager
def recording_server():
    """Yield a Recorder listening on a free loopback port; it answers 200 with ``answer`` (empty Turtle at first)."""
    holder: dict[str, Recorder] = {}

    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            rec = holder["rec"]
            rec.requests.append(f"{self.command} {self.path}")
            if rec.delay:
                rec.stop.wait(rec.delay)
            body, media = rec.answer
            try:
                self.send_response(200)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up waiting

        do_GET = do_POST = do_HEAD = _answer

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder["rec"] = rec = Recorder(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rec
    finally:
        rec.stop.set()
        server.shutdown()
        server.server_close()
