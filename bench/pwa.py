"""The phone's side of check-in: how fast a scan is "recorded", how heavy the pages are, and
what Lighthouse says of them on a mobile profile.

    make bench-pwa    (or .venv/bin/python bench/pwa.py after `npm ci --prefix bench`)

Starts the app (embedded chain, demo data) on a free port in a temporary instance, drives
Debian's Chromium with Playwright, and prints three tables. Timings are medians of repeated
runs on this machine; compare them with each other, not with another machine's.
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import sync_playwright
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

CHROMIUM = os.environ.get("ENISHI_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Chromium's own test-pattern camera: the scan page starts it and loads its QR decoder.
CAMERA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
PHONE = {"width": 390, "height": 844}
RUNS = 15
PASSWORD = "demo-password"


def start_app(instance: Path):
    mnemonic = load_or_create_mnemonic(instance / "master-secret.txt")
    operator = Keyring(mnemonic).operator.address
    provider = EmbeddedChainProvider(instance / "chain.sqlite", [operator])
    app = create_app({
        "INSTANCE_DIR": instance, "MASTER_MNEMONIC": mnemonic, "CHAIN_PROVIDER": provider,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'enishi.sqlite'}",
        "DEMO": True, "DEBUG": True, "SESSION_COOKIE_SECURE": False,
    })  # fmt: skip
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base
    with app.app_context():
        setup()
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


def page_weight(browser, base: str, path: str) -> tuple[int, int, int]:
    """(requests, bytes, gzipped bytes) of everything the page loads on a first visit."""
    context = browser.new_context(viewport=PHONE, locale="ja-JP", service_workers="block")
    page = context.new_page()
    log_in(page, base)
    # Every byte counts as on a first visit: nothing from the browser's cache.
    context.new_cdp_session(page).send("Network.setCacheDisabled", {"cacheDisabled": True})
    urls: list[str] = []
    page.on("response", lambda r: urls.append(r.url) if r.status < 300 else None)
    page.goto(f"{base}{path}", wait_until="networkidle")
    page.wait_for_timeout(1000)  # the scan page loads its QR decoder after start
    raw = {url: page.request.get(url).body() for url in dict.fromkeys(urls)}
    context.close()
    total = sum(len(b) for b in raw.values())
    zipped = sum(len(gzip.compress(b, 6)) for b in raw.values())
    return len(raw), total, zipped


def lighthouse(base: str, path: str, cookie: str | None) -> dict[str, int] | None:
    binary = ROOT / "bench" / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        return None
    command = [
        str(binary), f"{base}{path}", "--quiet", "--output=json", "--form-factor=mobile",
        "--only-categories=performance,accessibility,best-practices",
        f"--chrome-flags={' '.join(['--headless=new', *ARGS])}",
    ]  # fmt: skip
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    result = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "CHROME_PATH": CHROMIUM},
        timeout=300,
    )  # fmt: skip
    if result.returncode != 0:
        return None
    report = json.loads(result.stdout)
    return {name: round(c["score"] * 100) for name, c in report["categories"].items()}


def session_cookie(browser, base: str) -> str:
    context = browser.new_context()
    page = context.new_page()
    log_in(page, base)
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
    context.close()
    return cookie


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

            print("\nPage weight on a first visit (all requests; gzip level 6 as a server would)")
            print(f"{'page':<10} {'requests':>9} {'bytes':>10} {'gzipped':>10}")
            for path in ("/scan", "/wallet"):
                requests, total, zipped = page_weight(browser, base, path)
                print(f"{path:<10} {requests:>9} {total:>10} {zipped:>10}")

            print("\nLighthouse (mobile profile; 0-100)")
            cookie = session_cookie(browser, base)
            print(f"{'page':<10} {'performance':>12} {'accessibility':>14} {'best-practices':>15}")
            for path in ("/scan", "/wallet"):
                scores = lighthouse(base, path, cookie)
                if scores is None:
                    print(f"{path:<10} (lighthouse not installed or failed: npm ci --prefix bench)")
                    continue
                print(
                    f"{path:<10} {scores['performance']:>12} {scores['accessibility']:>14}"
                    f" {scores['best-practices']:>15}"
                )
        finally:
            browser.close()
            server.shutdown()
            provider.close()


if __name__ == "__main__":
    main()
