"""What phones download: pages, JSON, scripts and styles compressed for a browser that asks
(brotli, else gzip) and sent as they are to one that does not; static files under URLs that name
their content, kept a year; pages and secrets never kept."""

from __future__ import annotations

import gzip
import hashlib
import re

import brotli
import pytest
from flask import url_for

from webapp.core.assets import Assets

from ..conftest import log_in
from ..support import PROJECT_DIR

STATIC = PROJECT_DIR / "webapp" / "static"
BROWSER = "gzip, deflate, br, zstd"  # what Chromium asks for
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def static_url(app, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


def fetch(client, path: str, accept: str | None):
    headers = {"Accept-Encoding": accept} if accept is not None else {}
    response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return response


@pytest.mark.parametrize(
    ("filename", "mimetype"),
    [
        ("css/enishi.css", "text/css"),
        ("js/outbox.js", "text/javascript"),
        ("vendor/jsQR.js", "text/javascript"),
        ("vendor/icons.svg", "image/svg+xml"),
    ],
)
def test_static_files_are_compressed_for_browsers_that_ask(app, client, filename, mimetype):
    path = static_url(app, filename)
    original = (STATIC / filename).read_bytes()
    plain = fetch(client, path, None)
    assert "Content-Encoding" not in plain.headers
    assert plain.data == original and plain.mimetype == mimetype
    for accept, encoding in ((BROWSER, "br"), ("gzip", "gzip"), ("identity", None)):
        answer = fetch(client, path, accept)
        assert answer.headers.get("Content-Encoding") == encoding, accept
        assert "Accept-Encoding" in answer.headers["Vary"]
        body = DECODE[encoding](answer.data) if encoding else answer.data
        assert body == original, accept
        if encoding:
            assert len(answer.data) < len(original) / 2, accept


def test_images_that_are_compressed_already_go_as_they_are(app, client):
    answer = fetch(client, static_url(app, "icons/icon-512.png"), BROWSER)
    assert "Content-Encoding" not in answer.headers
    assert answer.data == (STATIC / "icons/icon-512.png").read_bytes()


def test_pages_json_and_the_service_worker_are_compressed_for_browsers_that_ask(app, client):
    for path in ("/login", "/scan", "/offline", "/sw.js", "/manifest.json", "/api/v1/openapi.json"):
        plain = fetch(client, path, None)
        assert "Content-Encoding" not in plain.headers, path
        for accept, encoding in ((BROWSER, "br"), ("gzip;q=1, br;q=0.5", "gzip")):
            answer = fetch(client, path, accept)
            assert answer.headers["Content-Encoding"] == encoding, path
            assert "Accept-Encoding" in answer.headers["Vary"], path
            body = DECODE[encoding](answer.data)
            # Pages carry a fresh CSRF token (and the login page a fresh passkey challenge) each
            # time: compare everything else.
            token = re.compile(
                rb'((name="csrf-token" content|name="csrf_token" [^>]*value)=|"challenge": )"[^"]+"'
            )
            assert token.sub(b"", body) == token.sub(b"", plain.data), path
            assert len(answer.data) < len(plain.data), path


def test_hashed_static_urls_are_kept_a_year_and_any_other_is_asked_again(app, client):
    path = static_url(app, "css/enishi.css")
    digest = hashlib.sha256((STATIC / "css/enishi.css").read_bytes()).hexdigest()[:12]
    assert path == f"/static/css/enishi.css?v={digest}"
    kept = fetch(client, path, BROWSER)
    assert kept.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # The same file under its bare name (the manifest's icons, sw.js of an old version) or an
    # old hash may change under that URL: the browser asks again every time.
    for other in ("/static/css/enishi.css", "/static/css/enishi.css?v=0123456789ab"):
        assert fetch(client, other, BROWSER).headers["Cache-Control"] == "no-cache", other
    again = client.get(
        path, headers={"Accept-Encoding": BROWSER, "If-None-Match": kept.headers["ETag"]}
    )
    assert again.status_code == 304


def test_pages_are_never_kept_for_long(app, client, member):
    log_in(client, member.email)
    for path in ("/", "/wallet", "/scan", "/perks", "/account", "/sw.js", "/manifest.json"):
        answer = fetch(client, path, BROWSER)
        cache_control = answer.headers.get("Cache-Control", "")
        assert "immutable" not in cache_control and "max-age" not in cache_control, path


def test_answers_holding_a_secret_stay_no_store_when_compressed(app, client, organiser, make_event):
    event = make_event()
    log_in(client, organiser.email)
    for path in (f"/events/{event.id}/display", "/api/v1/session"):
        answer = fetch(client, path, BROWSER)
        assert answer.headers["Cache-Control"] == "no-store", path
    display = fetch(client, f"/events/{event.id}/display", BROWSER)
    assert display.headers["Content-Encoding"] == "br"


def test_a_changed_file_gets_a_new_url_and_its_new_content(tmp_path):
    (tmp_path / "app.js").write_text("let a = 1;\n" * 100)
    assets = Assets(tmp_path)
    first = assets.version("app.js")
    assert brotli.decompress(assets.body("app.js", "br")) == b"let a = 1;\n" * 100
    (tmp_path / "app.js").write_text("let b = 2;\n" * 101)
    assert assets.version("app.js") != first
    assert brotli.decompress(assets.body("app.js", "br")) == b"let b = 2;\n" * 101
    assert assets.version("missing.js") is None
    assert assets.version("../app.js") is None
    assert assets.version("x" * 5000) is None  # too long a name for the file system: no file
