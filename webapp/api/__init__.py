"""JSON API v1 for the PWA. Thin like the views; errors are `{"error": code, "message": ...}`."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from webapp.accounts.services import outbox_account
from webapp.api.openapi import openapi_document
from webapp.api.schemas import claim_accounts, parse_claims
from webapp.checkin.services import record_claims
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.core.http import forbid_caching
from webapp.events.services import list_current_events
from webapp.extensions import db

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/openapi.json")
def openapi():
    config = current_app.config
    return jsonify(
        openapi_document(
            batch_limit=config["CHECKIN_BATCH_LIMIT"], session_cookie=config["SESSION_COOKIE_NAME"]
        )
    )


@bp.get("/session")
def session_state():
    """Whether this phone is logged in, and the CSRF token for its next post."""
    account = (
        outbox_account(current_user, current_app.secret_key)
        if current_user.is_authenticated
        else None
    )
    return jsonify(
        {
            "logged_in": current_user.is_authenticated,
            "csrf_token": generate_csrf(),
            "account": account,
        }
    )


@bp.get("/events")
def current_events():
    events = list_current_events(db.session, utcnow())
    return jsonify({"events": [{"id": event.id, "title": event.title} for event in events]})


PUBLIC_ENDPOINTS = frozenset({"api.openapi", "api.session_state"})


bp.after_request(forbid_caching)


@bp.before_request
def require_login():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    if not current_user.is_authenticated:
        raise DomainError("login_required", _l("Please log in first."), status=401)


@bp.post("/checkins")
def post_checkins():
    payload = request.get_json(silent=True)
    if payload is None:
        raise DomainError("malformed_batch", _l("Send the claims as JSON."))
    claims = parse_claims(payload, current_app.config["CHECKIN_BATCH_LIMIT"])
    # A claim bound to another account (scanned by someone else on a shared phone) is never
    # recorded as this person's: the batch is refused whole and the phone keeps it.
    if claim_accounts(payload) - {outbox_account(current_user, current_app.secret_key)}:
        raise DomainError(
            "other_account",
            _l("These check-ins were scanned by someone else on this phone."),
            status=409,
        )
    results = record_claims(db.session, current_user, claims, now=utcnow(), source="api")
    db.session.commit()
    return jsonify({"results": [result.as_dict() for result in results]})
