"""The README's screenshots, taken from the demo as `make run` serves it, so that they stay true.

    make screenshots    (or .venv/bin/python tools/screenshots.py)

Starts `flask --app webapp enishi serve` (embedded chain, worker, demo data) on a temporary
instance and free ports, waits until the worker has put the demo's records on chain, logs in as
each demo role with Playwright in Debian's Chromium (a phone's 390×844 viewport, Japanese), and
saves the pages of SHOTS into docs/screenshots/ as palette PNGs. The scan page's camera is
Chromium's fake one, showing a plain grey picture.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("ENISHI_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
PASSWORD = "demo-password"
START_SECONDS = 120
# A flat interface in 256 colours looks the same and weighs a third of full colour.
COLOURS = 256

# (file name, login, path); "{event}" is the demo organiser's first event, "/start" lands each
# role on its own first page.
SHOTS = [
    ("home", "member", "/"),
    ("scan", "member", "/scan"),
    ("wallet", "member", "/wallet"),
    ("perks", "member", "/perks"),
    ("mypage", "member", "/account"),
    ("organiser-event", "organiser", "/events/{event}"),
    ("display", "organiser", "/events/{event}/display"),
    ("shop", "shop", "/start"),
    ("admin-mypage", "admin", "/account"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def grey_camera(path: Path) -> Path:
    """A Y4M video of one plain grey frame, for Chromium's fake camera."""
    width, height = 640, 480
    frame = bytes([96]) * (width * height) + bytes([128]) * (width * height // 2)
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
    with path.open("ab") as f:
        for _frame in range(10):
            f.write(b"FRAME\n" + frame)
    return path


def start_server(folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "ENISHI_INSTANCE": str(folder / "instance"),
        "ENISHI_PORT": str(port),
        "ENISHI_CHAIN_PORT": str(free_port()),
        "ENISHI_DEBUG": "1",
        "ENISHI_DEMO": "1",
        "PYTHONPATH": str(ROOT),
    }
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "webapp", "enishi", "serve"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return server, base
        except OSError:
            time.sleep(0.5)
    stop(server)
    tail = (folder / "serve.log").read_text(errors="replace")[-3000:]
    raise SystemExit(f"the app did not start within {START_SECONDS} s:\n{tail}")


def stop(server: subprocess.Popen) -> None:
    server.terminate()  # serve stops its chain node and worker on SIGTERM
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def log_in(context, base: str, who: str):
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#email", f"{who}@example.org")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.press("#password", "Enter")
    return page


def wait_until_recorded(page, base: str) -> None:
    """Until the worker has the demo's badges and coins on chain (nothing 反映中)."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        page.goto(f"{base}/wallet")
        if page.locator("[data-pending]").count() == 0:
            return
        page.wait_for_timeout(1000)
    raise SystemExit("the worker did not confirm the demo's records in time")


def first_event(page, base: str) -> int:
    page.goto(f"{base}/events")
    for href in page.locator("a[href^='/events/']").evaluate_all(
        "(as) => as.map((a) => a.getAttribute('href'))"
    ):
        if found := re.fullmatch(r"/events/(\d+)", href):
            return int(found.group(1))
    raise SystemExit("the demo organiser has no event")


def settle(page) -> None:
    """Until the fonts are in, a camera's picture shows and what it loads is in (a countdown
    has ticked by then)."""
    page.evaluate("document.fonts.ready.then(() => true)")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not page.evaluate(
        "[...document.querySelectorAll('video')].every((v) => v.readyState >= 2)"
    ):
        page.wait_for_timeout(100)
    page.wait_for_load_state("networkidle")  # what a started camera loads (the QR decoder)
    page.wait_for_timeout(500)


def save(page, name: str) -> Path:
    settle(page)
    path = OUT / f"{name}.png"
    raw = path.with_suffix(".raw.png")
    page.screenshot(path=str(raw))
    image = Image.open(raw).convert("RGB")
    image.quantize(colors=COLOURS, dither=Image.Dither.NONE).save(path, optimize=True)
    raw.unlink()
    return path


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        server, base = start_server(Path(folder))
        print(f"the app answers after {time.monotonic() - started:.0f} s")
        camera = grey_camera(Path(folder) / "camera.y4m")
        args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={camera}"]  # fmt: skip
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
                logins = {}
                event = None
                for name, who, path in SHOTS:
                    if who not in logins:
                        context = browser.new_context(
                            viewport=PHONE, locale="ja-JP", timezone_id="Asia/Tokyo",
                            service_workers="block",
                        )  # fmt: skip
                        logins[who] = log_in(context, base, who)
                        if who == "member":
                            wait_until_recorded(logins[who], base)
                    page = logins[who]
                    if "{event}" in path:
                        event = event or first_event(page, base)
                        path = path.format(event=event)
                    page.goto(f"{base}{path}", wait_until="networkidle")
                    shot = save(page, name)
                    size = shot.stat().st_size // 1024
                    print(f"{shot.relative_to(ROOT)}  {who:<10} {path}  {size} KB")
                browser.close()
        finally:
            stop(server)
    print(f"{len(SHOTS)} screenshots in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
