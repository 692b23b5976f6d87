"""The app shell: what the service worker precaches and runs, and the version that names its
cache."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, url_for

from webapp.config import PROJECT_DIR

SHELL_PAGES = ("/scan", "/offline", "/manifest.json")
# What the pages draw offline. The PNG icons are not in it: the browser reads them from the
# manifest, online, when the app is installed; pages use the SVG.
SHELL_STATIC = (
    "css/enishi.css",
    "js/api.js",
    "js/outbox.js",
    "js/sync.js",
    "js/camera.js",
    "js/scanner.js",
    "js/confirm.js",
    "js/wallet.js",
    "js/kiosk.js",
    "vendor/qrcode-generator.js",
    "vendor/icons.svg",
    "icons/icon.svg",
)
# The scanner's decoder where the browser cannot read QR codes itself (no BarcodeDetector, as
# on iPhones and desktop Linux): two thirds of the shell's weight, so the service worker
# precaches it only on such a phone, and keeps it on first use anywhere (js/camera.js).
QR_DECODER = "vendor/jsQR.js"
# What the service worker runs itself (importScripts).
WORKER_SCRIPTS = ("js/api.js", "js/outbox.js", "js/camera.js")


def shell_urls() -> list[str]:
    return [*SHELL_PAGES, *(url_for("static", filename=name) for name in SHELL_STATIC)]


def qr_decoder_url() -> str:
    return url_for("static", filename=QR_DECODER)


def worker_script_urls() -> list[str]:
    return [url_for("static", filename=name) for name in WORKER_SCRIPTS]


def shell_version(app: Flask, shell: list[str]) -> str:
    """A hash of everything the shell is made of, so that any change installs a new cache."""
    cached = app.extensions.get("enishi.shell_version")
    if cached:
        return cached
    digest = hashlib.sha256("\n".join(shell).encode())
    sources = [Path(app.static_folder), Path(app.template_folder), PROJECT_DIR / "manifest.json"]
    sources.append(Path(app.root_path) / "translations")
    for source in sources:
        files = sorted(source.rglob("*")) if source.is_dir() else [source]
        for path in files:
            if path.is_file() and path.suffix != ".mo":
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    version = digest.hexdigest()[:16]
    app.extensions["enishi.shell_version"] = version
    return version
