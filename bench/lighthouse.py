"""Lighthouse's mobile profile on the pages members and organisers use most: performance and
accessibility, 0-100 (goal, issue 16: performance at least 95, accessibility 100).

    npm ci --prefix bench && .venv/bin/python bench/lighthouse.py [--detail]

Starts the app in this process (demo data, chain jobs confirmed) on a free port and runs npm
`lighthouse` (pinned in bench/package.json) on Debian's Chromium (CHROME_PATH) once per page:
`/wallet`, `/scan` and `/perks` logged in as the demo member, and the demo event's page logged
in as its organiser. A login is a real one (the login form, in Playwright); Lighthouse gets its
session cookie as an extra header. Lighthouse resets the browser's storage first, so each run
is a first visit, on its simulated slow 4G and 4x slower CPU. Each page runs three times
(`--runs`) and the run with the median performance score is shown. `--detail` lists, per page, the
audits that cost points (accessibility failures, the performance metrics' scores).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pwa import ARGS, CHROMIUM, PASSWORD, start_app  # noqa: E402
from webapp.accounts.services import get_user_by_email  # noqa: E402
from webapp.events.services import list_managed_events  # noqa: E402
from webapp.extensions import db  # noqa: E402

LIGHTHOUSE = ROOT / "bench" / "node_modules" / ".bin" / "lighthouse"
METRICS = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
    "speed-index",
)


def cookie_of(browser, base: str, email: str) -> str:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
    context.close()
    return cookie


def organisers_event(app) -> int:
    """The demo organiser's first event."""
    with app.app_context():
        organiser = get_user_by_email(db.session, "organiser@example.org")
        found = list_managed_events(db.session, organiser)[0].id
        db.session.remove()
    return found


def run_lighthouse(url: str, cookie: str) -> dict:
    command = [
        str(LIGHTHOUSE), url, "--quiet", "--output=json", "--form-factor=mobile",
        "--only-categories=performance,accessibility",
        f"--chrome-flags={' '.join(['--headless=new', *ARGS])}",
        f"--extra-headers={json.dumps({'Cookie': cookie})}",
    ]  # fmt: skip
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=300,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url}:\n{result.stderr[-2000:]}")
    report = json.loads(result.stdout)
    if report["finalDisplayedUrl"] != url:  # sent to the login page: the cookie did not take
        raise RuntimeError(f"lighthouse was sent from {url} to {report['finalDisplayedUrl']}")
    return report


def median_run(url: str, cookie: str, runs: int) -> dict:
    """The run with the median performance score: Lighthouse's simulated throttling scales
    what this shared machine's CPU did, which varies from run to run."""
    reports = sorted(
        (run_lighthouse(url, cookie) for _run in range(runs)),
        key=lambda report: report["categories"]["performance"]["score"],
    )
    return reports[len(reports) // 2]


def findings(report: dict) -> list[str]:
    """What cost points: failed accessibility audits, and each performance metric's score."""
    audits = report["audits"]
    lines = []
    for ref in report["categories"]["accessibility"]["auditRefs"]:
        audit = audits[ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            items = audit.get("details", {}).get("items", [])
            where = "; ".join(i.get("node", {}).get("selector", "") for i in items[:3])
            lines.append(f"accessibility  {ref['id']}: {audit['title']} ({where})")
    for name in METRICS:
        audit = audits[name]
        lines.append(f"performance    {name}: {audit['displayValue']} (score {audit['score']})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--detail", action="store_true", help="what cost points, per page")
    parser.add_argument("--runs", type=int, default=3, help="runs per page (the median counts)")
    options = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("npm lighthouse is not installed: npm ci --prefix bench")
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        app, server, provider, base = start_app(Path(folder))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            member = cookie_of(browser, base, "member@example.org")
            organiser = cookie_of(browser, base, "organiser@example.org")
            pages = [
                ("/wallet", "member", member),
                ("/scan", "member", member),
                ("/perks", "member", member),
                (f"/events/{organisers_event(app)}", "organiser", organiser),
            ]
            reports = [
                (path, who, median_run(f"{base}{path}", cookie, options.runs))
                for path, who, cookie in pages
            ]
        finally:
            browser.close()
            server.shutdown()
            provider.close()

    print("Lighthouse, mobile profile (0-100; goal: performance >= 95, accessibility 100)")
    print(f"{'page':<12} {'who':<10} {'performance':>12} {'accessibility':>14}")
    for path, who, report in reports:
        scores = {name: round(c["score"] * 100) for name, c in report["categories"].items()}
        print(f"{path:<12} {who:<10} {scores['performance']:>12} {scores['accessibility']:>14}")
    if options.detail:
        for path, _who, report in reports:
            print(f"\n{path}")
            for line in findings(report):
                print(f"  {line}")


if __name__ == "__main__":
    main()
