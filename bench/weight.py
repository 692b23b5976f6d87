"""What a phone downloads on its first visit: bytes over the wire, compressed as sent, including
everything the service worker precaches.

    .venv/bin/python bench/weight.py [--detail]

Rows: `/wallet` logged in as the demo member, and `/scan` logged out (a phone opening the
scanner for the first time), each on a browser whose BarcodeDetector reads QR codes (Chrome on
Android) and on one without (Safari on iPhones, Chromium on desktop Linux). Goal (issue 16):
at most 60 KB with, 120 KB without.

Each row is a fresh browser profile (empty HTTP cache, no service worker) driven by Debian's
Chromium with its fake camera (the scan page starts its decoder as on a phone). The app runs
in this process (demo data, chain jobs confirmed) behind a meter that adds up every answer as
the app sends it: status line, headers and body, compressed where the browser asked. Counting
starts at the page's request and stops once the service worker is installed and nothing has
been asked for a second and a half. A file the browser takes from its own HTTP cache reaches no
server and is not counted: the worker's precache of a file the page has just loaded under the
same hashed URL costs nothing. The login of the /wallet rows happens in another profile; only
its cookies are carried over.

Debian's Chromium has no BarcodeDetector. "with": a stand-in that says it reads QR codes (and
finds none) is put into each page (an init script) and into the service worker (prepended to
/sw.js through a Playwright route), before any of the app's code runs; "without": any real one
is deleted the same two ways. (Not through a Playwright route for /sw.js: routing turns off
the browser's HTTP cache, and the figures would count files twice.)
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import brotli
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pwa import ARGS, CAMERA, CHROMIUM, PHONE, log_in, start_app  # noqa: E402

READS_QR = """self.BarcodeDetector = class {
    static async getSupportedFormats() { return ["qr_code"]; }
    async detect() { return []; }
};
"""
READS_NO_QR = "delete self.BarcodeDetector;\n"
QUIET_SECONDS = 1.5
GOAL_KB = {True: 60, False: 120}
CODECS = {
    "br": (brotli.decompress, brotli.compress),
    "gzip": (gzip.decompress, gzip.compress),
    "": (lambda data: data, lambda data: data),
}


@dataclass
class Answer:
    path: str
    status: int
    encoding: str
    head: int
    body: int


class Meter:
    """WSGI middleware: records each answer's size as the app sends it. It also puts
    `worker_stub` in front of the service worker's script (decompressed and compressed again;
    the size recorded is the app's own)."""

    def __init__(self, app) -> None:
        self.app = app
        self.answers: list[Answer] = []
        self.last = time.monotonic()
        self.lock = threading.Lock()
        self.worker_stub = ""

    def __call__(self, environ, start_response):
        sent = {}

        def start(status, headers, exc_info=None):
            sent.update(status=status, headers=headers)
            return lambda data: None  # the body is read whole below

        result = self.app(environ, start)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status, headers = sent["status"], sent["headers"]
        lines = [f"HTTP/1.1 {status}", *(f"{name}: {value}" for name, value in headers)]
        encoding = dict(headers).get("Content-Encoding", "")
        path = environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        with self.lock:
            self.answers.append(
                Answer(path, int(status.split()[0]), encoding, sum(len(x) + 2 for x in lines) + 2,
                       len(body))
            )  # fmt: skip
            self.last = time.monotonic()
        if path == "/sw.js":
            body = CODECS[encoding][1](self.worker_stub.encode() + CODECS[encoding][0](body))
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [body]

    def take(self) -> list[Answer]:
        with self.lock:
            taken, self.answers = self.answers, []
        return taken

    def wait_quiet(self) -> None:
        while time.monotonic() - self.last < QUIET_SECONDS:
            time.sleep(0.1)


def member_cookies(browser, base: str) -> list[dict]:
    context = browser.new_context()
    page = context.new_page()
    log_in(page, base)
    cookies = context.cookies()
    context.close()
    return cookies


def first_visit(
    browser, meter: Meter, base: str, path: str, reads_qr: bool, cookies
) -> list[Answer]:
    # Not a Playwright route for /sw.js: routing turns off the browser's HTTP cache.
    context = browser.new_context(viewport=PHONE, locale="ja-JP")
    stub = READS_QR if reads_qr else READS_NO_QR
    context.add_init_script(stub)
    meter.worker_stub = stub
    if cookies:
        context.add_cookies(cookies)
    page = context.new_page()
    meter.wait_quiet()
    meter.take()
    page.goto(f"{base}{path}", wait_until="load")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    meter.wait_quiet()
    answers = meter.take()
    context.close()
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--detail", action="store_true", help="list every answer of each row")
    detail = parser.parse_args().detail
    meter: Meter | None = None

    def metered(app):
        nonlocal meter
        meter = Meter(app)
        return meter

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        _app, server, provider, base = start_app(Path(folder), wrap=metered)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS + CAMERA)
        try:
            cookies = member_cookies(browser, base)
            rows = []
            for path, logged_in in (("/wallet", True), ("/scan", False)):
                for reads_qr in (True, False):
                    answers = first_visit(
                        browser, meter, base, path, reads_qr, cookies if logged_in else None
                    )
                    rows.append((path, logged_in, reads_qr, answers))
        finally:
            browser.close()
            server.shutdown()
            provider.close()

    print("First visit on a phone: bytes the server sent (compressed as sent), page and precache")
    header = f"{'page':<8} {'who':<10} {'BarcodeDetector':<16} {'answers':>7} {'bodies KB':>10}"
    print(f"{header} {'headers KB':>11} {'total KB':>9} {'goal KB':>8}")
    for path, logged_in, reads_qr, answers in rows:
        bodies = sum(a.body for a in answers) / 1024
        heads = sum(a.head for a in answers) / 1024
        who = "member" if logged_in else "logged out"
        detector = "with" if reads_qr else "without"
        print(
            f"{path:<8} {who:<10} {detector:<16} {len(answers):>7} {bodies:>10.1f}"
            f" {heads:>11.1f} {bodies + heads:>9.1f} {GOAL_KB[reads_qr]:>8}"
        )
    if detail:
        for path, _logged_in, reads_qr, answers in rows:
            print(f"\n{path}, {'with' if reads_qr else 'without'} BarcodeDetector")
            for a in sorted(answers, key=lambda a: -a.body):
                print(f"  {a.body:>8} {a.encoding or '-':<5} {a.status} {a.path}")


if __name__ == "__main__":
    main()
