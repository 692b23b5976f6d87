"""Health, manifest, configuration, setup and demo data."""

import json

from sqlalchemy import func, select

from webapp.accounts.models import User
from webapp.config import load_config
from webapp.demo import DEMO_LOGINS, DEMO_PASSWORD, NEIGHBOURS
from webapp.events.models import Event
from webapp.extensions import db

from ..conftest import log_in


def test_healthz_reports_database_and_chain(client, chain):
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.get_json()
    assert report["status"] == "ok"
    assert report["database"] == {"ok": True, "dialect": db.engine.dialect.name}
    assert report["chain"]["chain_id"] == chain.chain_id
    assert report["chain"]["contracts"]["badge"] == chain.addresses.badge


def test_healthz_says_degraded_when_the_chain_is_down(client, monkeypatch):
    import webapp.site as views

    def unreachable(session):
        raise ConnectionError("node down")

    monkeypatch.setattr(views, "get_chain_client", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["chain"] == {"ok": False, "error": "ConnectionError"}
    assert response.get_json()["database"]["ok"] is True


def test_the_manifest_is_served_at_the_root(client):
    response = client.get("/manifest.json")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["lang"] == "ja" and manifest["short_name"] == "縁 Enishi"
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as image:
            assert image.status_code == 200


def test_cookies_are_secure_outside_debug(monkeypatch):
    monkeypatch.delenv("ENISHI_DEBUG", raising=False)
    assert load_config()["SESSION_COOKIE_SECURE"] is True
    assert load_config()["REMEMBER_COOKIE_SECURE"] is True
    monkeypatch.setenv("ENISHI_DEBUG", "1")
    assert load_config()["SESSION_COOKIE_SECURE"] is False


def test_demo_data_is_off_unless_asked_for(monkeypatch):
    monkeypatch.delenv("ENISHI_DEMO", raising=False)
    assert load_config()["DEMO"] is False
    monkeypatch.setenv("ENISHI_DEMO", "1")
    assert load_config()["DEMO"] is True


def test_instance_and_port_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ENISHI_INSTANCE", str(tmp_path))
    monkeypatch.setenv("ENISHI_PORT", "5123")
    monkeypatch.delenv("ENISHI_DATABASE_URL", raising=False)
    config = load_config()
    assert config["INSTANCE_DIR"] == tmp_path
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'enishi.sqlite'}"
    assert config["BASE_URL"] == "http://127.0.0.1:5123"


def users(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(User))


def events(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(Event))


def test_setup_loads_demo_data_once_and_prints_the_logins(app, session, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["enishi", "setup"])
    assert first.exit_code == 0, first.output
    for email in (
        "admin@example.org",
        "organiser@example.org",
        "organiser2@example.org",
        "member@example.org",
        "shop@example.org",
    ):
        assert email in first.output
    assert "Already deployed" in first.output
    demo_people = len(DEMO_LOGINS) + len(NEIGHBOURS) + 1  # and the one invited, not yet joined
    assert users(session) == demo_people
    assert events(session) == 7

    again = runner.invoke(args=["enishi", "setup"])
    assert again.exit_code == 0 and "Demo data loaded" not in again.output
    assert users(session) == demo_people and events(session) == 7
    assert log_in(client, "member@example.org", DEMO_PASSWORD).headers["Location"] == "/start"


def test_production_settings_never_create_demo_logins(app, session):
    app.config["DEMO"] = False
    result = app.test_cli_runner().invoke(args=["enishi", "setup"])
    assert result.exit_code == 0, result.output
    assert "example.org" not in result.output
    assert users(session) == 0
