"""The phone's side of check-in: how fast a scan is "recorded", offline and online.

    .venv/bin/python bench/pwa.py

Starts the app (embedded chain, demo data) on a free port in a temporary instance, drives
Debian's Chromium with Playwright, and prints a table. Timings are medians of repeated runs on
this machine; compare them with each other, not with another machine's. The pages' weight is
bench/weight.py's figure, Lighthouse's scores bench/lighthouse.py's; both use this file's app.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import sync_playwright
from sqlalchemy import func, select
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chain.embedded import EmbeddedChainProvider  # noqa: E402
from chain.wallets import Keyring, load_or_create_mnemonic  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.accounts.services import get_user_by_email  # noqa: E402
from webapp.checkin import codes  # noqa: E402
from webapp.cli import setup  # noqa: E402
from webapp.core.db import utcnow  # noqa: E402
from webapp.events.services import create_event  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.onchain.models import ChainJob, JobStatus  # noqa: E402
from webapp.tasks import run_rounds  # noqa: E402

CHROMIUM = os.environ.get("ENISHI_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Chromium's own test-pattern camera: the scan page starts it and loads its QR decoder.
CAMERA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
PHONE = {"width": 390, "height": 844}
RUNS = 15
PASSWORD = "demo-password"


def start_app(instance: Path, wrap=None):
    """The app with demo data on a free port, its chain jobs all confirmed (a wallet with
    something pending reloads itself, which no figure should count). `wrap` may wrap its WSGI
    callable (to meter it, say)."""
    mnemonic = load_or_create_mnemonic(instance / "master-secret.txt")
    operator = Keyring(mnemonic).operator.address
    provider = EmbeddedChainProvider(instance / "chain.sqlite", [operator])
    app = create_app({
        "INSTANCE_DIR": instance, "MASTER_MNEMONIC": mnemonic, "CHAIN_PROVIDER": provider,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'enishi.sqlite'}",
        "DEMO": True, "DEBUG": True, "SESSION_COOKIE_SECURE": False,
    })  # fmt: skip
    server = make_server("127.0.0.1", 0, wrap(app) if wrap else app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base
    with app.app_context():
        setup()
    for _round in range(10):
        run_rounds(app)
        with app.app_context():
            pending = db.session.scalar(
                select(func.count())
                .select_from(ChainJob)
                .where(ChainJob.status.in_((JobStatus.PENDING, JobStatus.SENT)))
            )
            db.session.remove()
        if not pending:
            break
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, server, provider, base


def make_events(app, count: int) -> list[str]:
    """Tokens of `count` fresh events, live now."""
    with app.app_context():
        organiser = get_user_by_email(db.session, "organiser@example.org")
        now = utcnow()
        events = [
            create_event(db.session, organiser, title=f"計測 {n}", venue="bench", reward=1,
                         starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2))
            for n in range(count)
        ]  # fmt: skip
        db.session.commit()
        tokens = [codes.make_token(e.id, e.secret, codes.slot_at(utcnow())) for e in events]
        db.session.remove()
    return tokens


def log_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", "member@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


TIME_TO_RECORDED = """async (token) => {
    const status = document.querySelector('[data-scan-status]');
    const form = document.querySelector('[data-typed]');
    form.querySelector('input').value = token;
    const started = performance.now();
    const seen = new Promise((resolve) => {
        const observer = new MutationObserver(() => {
            if (status.dataset.tone === 'wait' || status.dataset.tone === 'good') {
                observer.disconnect();
                resolve(performance.now() - started);
            }
        });
        observer.observe(status, { attributes: true, childList: true, subtree: true });
    });
    form.requestSubmit();
    return seen;
}"""


def time_to_recorded(browser, base: str, tokens: list[str], offline: bool) -> list[float]:
    context = browser.new_context(viewport=PHONE, locale="ja-JP")
    page = context.new_page()
    log_in(page, base)
    page.goto(f"{base}/scan")
    # Polled from here: wait_for_function compiles with `new Function`, which the app's CSP refuses.
    while not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.wait_for_timeout(100)
    context.set_offline(offline)
    times = [page.evaluate(TIME_TO_RECORDED, token) for token in tokens]
    context.close()
    return times


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        app, server, provider, base = start_app(Path(folder))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS + CAMERA)
        try:
            print(f"Time from a scan (typed code) to 'recorded' on screen, median of {RUNS} runs")
            print(f"{'connection':<12} {'median ms':>10} {'p90 ms':>8} {'max ms':>8}")
            for offline in (True, False):
                times = sorted(time_to_recorded(browser, base, make_events(app, RUNS), offline))
                p90 = times[int(len(times) * 0.9) - 1]
                label = "offline" if offline else "online"
                median = statistics.median(times)
                print(f"{label:<12} {median:>10.1f} {p90:>8.1f} {times[-1]:>8.1f}")
        finally:
            browser.close()
            server.shutdown()
            provider.close()


if __name__ == "__main__":
    main()
