"""Browser fixtures: Debian's Chromium driven by Playwright against a live server."""

from __future__ import annotations

import threading
import time

import pytest
from werkzeug.serving import make_server

from webapp.core.db import utcnow
from webapp.demo import DEMO_PASSWORD, load_demo_data
from webapp.extensions import db

from ..support import CHROMIUM, NODE_MODULES, require, require_chromium
from .camera import camera_args

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def playwright():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def watch_csp(context, refused: list[str]) -> None:
    """Collects into `refused` what the browser refuses under the site's Content-Security-Policy:
    a page that needs an inline script or a foreign source would break for people, so the test
    fails."""

    def seen(message):
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    context.on("console", seen)


@pytest.fixture
def launch_phone(playwright, tmp_path):
    """Starts a phone: a persistent Chromium profile (IndexedDB and the service worker survive
    a restart), with a fake camera playing `video` if given."""
    contexts = []
    refused: list[str] = []

    def launch(profile: str = "phone", video=None):
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS + (camera_args(video) if video else []),
            viewport=PHONE,
            locale="ja-JP",
        )
        contexts.append(context)
        watch_csp(context, refused)
        return context

    yield launch
    for context in contexts:
        try:
            context.close()
        except Exception:
            pass  # closed by the test already
    assert refused == []


class InFlight:
    """Counts the requests the live server is answering, so that a test ends only once none
    is: the server's request threads are daemons its shutdown does not wait for, and one still
    holding a database connection when the app's engine is disposed leaves that connection to
    the garbage collector (a ResourceWarning in whichever test runs then)."""

    def __init__(self) -> None:
        self.count = 0
        self.changed = threading.Condition()

    def __enter__(self) -> None:
        with self.changed:
            self.count += 1

    def __exit__(self, *exc) -> None:
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    def wait_until_idle(self, timeout: float) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.count == 0, timeout)


def buffered(app, in_flight: InFlight):
    """Wraps `app` so each response is read whole, and closed, before the server writes it.

    Werkzeug's development server skips closing a response when the browser resets the
    connection while it drains the request (a page closed mid-load), which leaves a static
    file open until garbage collection warns about it.
    """

    def wsgi(environ, start_response):
        with in_flight:
            body = app(environ, start_response)
            try:
                return [b"".join(body)]
            finally:
                if hasattr(body, "close"):
                    body.close()

    return wsgi


@pytest.fixture
def demo_data(app, keyring) -> None:
    """The demo's people, events and shops, which the browser tests log in as and look at."""
    load_demo_data(db.session, keyring, utcnow())
    db.session.commit()


@pytest.fixture
def live_server(app, demo_data):
    in_flight = InFlight()
    server = make_server("127.0.0.1", 0, buffered(app, in_flight), threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    in_flight.wait_until_idle(timeout=10)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE, locale="ja-JP")
    refused: list[str] = []
    watch_csp(context, refused)
    page = context.new_page()
    yield page
    context.close()
    assert refused == []


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """axe-core's violations of the given impacts on the page as it is now."""
    axe = NODE_MODULES / "axe-core" / "axe.min.js"
    require(axe.exists(), "node_modules/axe-core (run `npm ci`)")
    # Evaluated through DevTools: the site's CSP (rightly) refuses an injected inline script.
    page.evaluate(axe.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def log_in(page, base: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン", exact=True).click()
    page.wait_for_load_state()


def wait_for_script(page, script: str, timeout: float = 20.0) -> None:
    """Poll a page until `script` is truthy.

    Not `page.wait_for_function`: its poller compiles the predicate with `new Function`, which the
    app's CSP (no 'unsafe-eval') refuses whenever the first check is not already true.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {script}")
        page.wait_for_timeout(100)


def wait_for_service_worker(page) -> None:
    """Waits until the service worker is active and controls the page. A page whose navigation
    began while the worker was still installing can stay uncontrolled even after the worker
    claims its clients (Chromium misses a document not yet committed): it is loaded again, and
    a page loaded under an active worker is controlled."""
    wait_for_script(
        page,
        """navigator.serviceWorker.getRegistration().then(
            (r) => Boolean(r && r.active && r.active.state === "activated"))""",
    )
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()
    wait_for_script(page, "navigator.serviceWorker.controller !== null")
