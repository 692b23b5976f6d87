"""The site's own pages: home, language switch, health, the web app manifest, the service
worker and the offline page. App composition: it may use every domain."""

from __future__ import annotations

import json
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text

from webapp.config import PROJECT_DIR
from webapp.core.access import member_required
from webapp.core.http import answers_json, safe_next
from webapp.core.shell import qr_decoder_url, shell_urls, shell_version, worker_script_urls
from webapp.extensions import db
from webapp.ledger.services import get_balance
from webapp.onchain.connection import get_chain_client
from webapp.perks.services import staff_partners

bp = Blueprint("site", __name__)


@bp.get("/")
@member_required
def index():
    """ホーム: the member's tokens and the way to the scanner. (The events to come and what
    changed since the last visit are still to be added here.)"""
    balance = get_balance(db.session, current_user)
    return render_template("home.html", balance=balance)


@bp.get("/start")
@member_required
def start():
    """Where a login lands: organisers on their events, a shop's staff on the shop's page,
    members on ホーム."""
    if current_user.is_organiser:
        return redirect(url_for("events.index"))
    if staff_partners(db.session, current_user):
        return redirect(url_for("perks_shop.home"))
    return redirect(url_for("site.index"))


@bp.post("/lang")
def switch_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next"), "/"))


@bp.get("/healthz")
@answers_json
def healthz():
    report = {"database": _database_status(), "chain": _chain_status()}
    healthy = report["database"]["ok"] and report["chain"]["ok"]
    report["status"] = "ok" if healthy else "degraded"
    return jsonify(report), 200 if healthy else 503


def _database_status() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:
        db.session.rollback()
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "dialect": db.engine.dialect.name}


def _chain_status() -> dict:
    try:
        client = get_chain_client(db.session)
        status = {"chain_id": client.chain_id, "block": client.block_number()}
    except Exception as exc:
        db.session.rollback()
        return {"ok": False, "error": type(exc).__name__}
    status["contracts"] = client.addresses.as_dict() if client.addresses else None
    status["ok"] = client.addresses is not None
    if client.addresses is None:
        status["error"] = "contracts not deployed"
    return status


@bp.get("/manifest.json")
def manifest():
    # The manifest lives at the project's root (one file, edited by hand), served from here so
    # that its scope is the whole app.
    body = (PROJECT_DIR / "manifest.json").read_bytes()
    return Response(body, mimetype="application/manifest+json")


@bp.get("/offline")
def offline():
    return render_template("offline.html")


@bp.get("/sw.js")
def service_worker():
    shell = shell_urls()
    body = (
        (Path(current_app.static_folder) / "sw.js")
        .read_text(encoding="utf-8")
        .replace("__VERSION__", shell_version(current_app, shell))
        .replace("__SHELL__", json.dumps(shell))
        .replace("__QR_DECODER__", json.dumps(qr_decoder_url()))
        .replace("__SCRIPTS__", ", ".join(json.dumps(url) for url in worker_script_urls()))
    )
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"  # a new version must reach phones at once
    return response
