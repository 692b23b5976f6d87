"""Every answer carries the security headers; check-in and ticket pages send no Referer; only
the scanner pages may ask for the camera; HSTS everywhere but a local debug run."""

import re
from pathlib import Path

import pytest

from webapp.checkin import codes

from ..conftest import log_in

TEMPLATES = Path(__file__).resolve().parents[2] / "webapp" / "templates"


@pytest.fixture
def member_client(client, member):
    log_in(client, member.email)
    return client


def test_every_answer_has_the_policy_headers(member_client, make_event):
    event = make_event()
    token = codes.make_printed_token(event.id, event.secret)
    for path in ("/login", "/wallet", "/scan", f"/c/{token}", "/api/v1/session", "/nowhere"):
        headers = member_client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert "frame-ancestors 'none'" in csp, path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["Strict-Transport-Security"].startswith("max-age="), path


def test_the_kiosk_display_cannot_be_framed(app, session, organiser, make_event):
    client = app.test_client()
    log_in(client, organiser.email)
    event = make_event()
    headers = client.get(f"/events/{event.id}/display").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_pages_with_a_secret_in_their_address_send_no_referer(member_client, make_event):
    event = make_event()
    checkin = f"/c/{codes.make_printed_token(event.id, event.secret)}"
    assert member_client.get(checkin).headers["Referrer-Policy"] == "no-referrer"
    assert member_client.get("/login/card").headers["Referrer-Policy"] == "no-referrer"
    assert member_client.get("/wallet").headers["Referrer-Policy"] == "same-origin"


def test_only_the_scanner_pages_may_use_the_camera(member_client):
    assert "camera=(self)" in member_client.get("/scan").headers["Permissions-Policy"]
    assert "camera=()" in member_client.get("/wallet").headers["Permissions-Policy"]
    assert "camera=()" in member_client.get("/login").headers["Permissions-Policy"]


def test_a_local_debug_run_sends_no_hsts(app, client, monkeypatch):
    from webapp.config import load_config

    monkeypatch.setenv("ENISHI_DEBUG", "1")  # as `make run` sets it
    assert load_config()["HTTPS_ONLY"] is False
    monkeypatch.setenv("ENISHI_DEBUG", "0")
    assert load_config()["HTTPS_ONLY"] is True
    app.config["HTTPS_ONLY"] = False
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_no_template_has_an_inline_script_or_event_handler():
    # The CSP refuses them: they would silently not run. Data blocks (type="application/json")
    # are never run, so they may stay.
    found = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                found.append(f"{template.name}: {tag}")
        found += [f"{template.name}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
    assert found == []
