"""A flaky HTTP proxy for bench/chaos.py: what a phone's bad connection and a bad gateway do.

Each request meets one fate, drawn from a seeded generator in the order requests arrive:

- `refused`: the connection is closed once the request has been read, before it goes on;
- `dropped`: the request goes on and the server answers, but the phone never sees the answer
  (the server committed what the phone will send again);
- `502`, `503`: the proxy answers itself, as a gateway does when the app is busy or restarting;
- `429`: the proxy answers itself, with Retry-After, as a rate limiter in front would;
- `delayed`: held for up to two seconds, then forwarded;
- `passed`: forwarded as it is.

`faults` is the share of requests that meet anything but `passed`. The first requests go
through every fault once, one in two, so that even a tiny run meets each kind.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# How the faulty share is split between the kinds of fault.
FAULTS = {"refused": 2, "dropped": 3, "502": 2, "503": 2, "429": 1, "delayed": 3}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}
LONGEST_DELAY = 2.0  # seconds


class Fates:
    """The fate of each request in arrival order; the same sequence for the same seed."""

    def __init__(self, seed: int, faults: float) -> None:
        self.random = random.Random(seed)
        self.faults = faults
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.prelude = [fate for kind in FAULTS for fate in ("passed", kind)]

    def next(self) -> tuple[str, float]:
        """(fate, seconds to wait first)."""
        with self.lock:
            if self.prelude:
                fate = self.prelude.pop(0)
            elif self.random.random() < self.faults:
                fate = self.random.choices(list(FAULTS), weights=list(FAULTS.values()))[0]
            else:
                fate = "passed"
            delay = self.random.uniform(0.2, LONGEST_DELAY) if fate == "delayed" else 0.0
            self.counts[fate] += 1
        return fate, delay


def make_proxy(upstream_port: int, fates: Fates) -> ThreadingHTTPServer:
    """A proxy on a free loopback port to the app on `upstream_port`; serve it in a thread."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection, closed after it

        def do_GET(self):
            self._relay()

        def do_POST(self):
            self._relay()

        def _relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            fate, delay = fates.next()
            if fate == "refused":
                return  # closed with no answer: the server never saw it
            if fate in ("502", "503", "429"):
                self._answer(int(fate), [("Retry-After", "1")] if fate == "429" else [], b"")
                return
            time.sleep(delay)
            try:
                status, headers, data = self._forward(body)
            except (OSError, http.client.HTTPException):
                fates.counts["upstream failed"] += 1
                self._answer(502, [], b"")
                return
            if fate == "dropped":
                return  # the server did its work; its answer is lost on the way
            self._answer(status, headers, data)

        def _forward(self, body: bytes):
            upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
                return response.status, kept, data
            finally:
                upstream.close()

        def _answer(self, status: int, headers, data: bytes) -> None:
            self.send_response(status)
            for name, value in headers:
                if name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    return server
