"""JSON API v1 for the PWA. Thin like the views; errors are `{"error": code, "message": ...}`."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import IntegrityError

from webapp.accounts.devices import SessionLimits
from webapp.accounts.services import outbox_account
from webapp.api.openapi import openapi_document
from webapp.api.schemas import (
    CONFIRMATION_BATCH_LIMIT,
    claim_accounts,
    confirmation_accounts,
    parse_claims,
    parse_confirmations,
)
from webapp.checkin.services import record_device_claims
from webapp.core.db import mark_writing, utcnow, writes_late
from webapp.core.errors import DomainError
from webapp.core.http import forbid_caching
from webapp.events.services import list_current_events
from webapp.extensions import db
from webapp.membership.cards import card_key
from webapp.yui.confirmations import confirm_helps

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
    """Whether this phone is logged in, the CSRF token for its next post, and how many claims
    one post may carry (the phone sends its whole outbox in as few posts as that allows)."""
    account = (
        outbox_account(current_user.id, current_app.secret_key)
        if current_user.is_authenticated
        else None
    )
    return jsonify(
        {
            "logged_in": current_user.is_authenticated,
            "csrf_token": generate_csrf(),
            "account": account,
            "batch_limit": current_app.config["CHECKIN_BATCH_LIMIT"],
        }
    )


@bp.get("/events")
def current_events():
    events = list_current_events(db.session, utcnow())
    return jsonify({"events": [{"id": event.id, "title": event.title} for event in events]})


PUBLIC_ENDPOINTS = frozenset({"api.openapi", "api.session_state"})
# Endpoints that check the login themselves, in the statement that begins their work.
SELF_AUTHENTICATING = frozenset({"api.post_checkins"})


bp.after_request(forbid_caching)


@bp.before_request
def require_login():
    if request.endpoint in PUBLIC_ENDPOINTS | SELF_AUTHENTICATING:
        return
    if not current_user.is_authenticated:
        raise _login_required()


@bp.post("/checkins")
@writes_late
def post_checkins():
    """A phone's outbox: every claim decided in one transaction, committed before the answer.
    The hot path of a venue whose Wi-Fi comes back: the device session is checked and the member
    locked in one statement (not by Flask-Login's loader), and on SQLite the write lock is
    taken only then."""
    user_id, device_id = _session_identity()
    payload = request.get_json(silent=True)
    if payload is None:
        raise DomainError("malformed_batch", _l("Send the claims as JSON."))
    claims = parse_claims(payload, current_app.config["CHECKIN_BATCH_LIMIT"])
    # A claim bound to another account (scanned by someone else on a shared phone) is never
    # recorded as this person's: the batch is refused whole and the phone keeps it.
    if claim_accounts(payload) - {outbox_account(user_id, current_app.secret_key)}:
        raise DomainError(
            "other_account",
            _l("These check-ins were scanned by someone else on this phone."),
            status=409,
        )
    mark_writing()
    limits = SessionLimits.of(current_app.config)

    def record():
        results = record_device_claims(
            db.session, user_id, device_id, claims, now=utcnow(), limits=limits
        )
        db.session.commit()
        return results

    try:
        results = record()
    except IntegrityError:
        # Another member's batch stored one of these claim ids a moment ago: once more, the
        # batch finds it and answers `id_conflict` for it.
        db.session.rollback()
        results = record()
    if results is None:
        raise _login_required()
    return jsonify({"results": [result.as_dict() for result in results]})


@bp.post("/yui/confirmations")
def post_yui_confirmations():
    """A phone's queued 結い confirmations (a member card scanned face to face, maybe with no
    signal): one answer per scan, in order, committed before the answer. A scan sent again
    answers "already", as does one of a thread confirmed before."""
    payload = request.get_json(silent=True)
    if payload is None:
        raise DomainError("malformed_batch", _l("Send the confirmations as JSON."))
    claims = parse_confirmations(payload, CONFIRMATION_BATCH_LIMIT)
    # Scans bound to another account (someone else on a shared phone) are never this person's.
    if confirmation_accounts(payload) - {outbox_account(current_user.id, current_app.secret_key)}:
        raise DomainError(
            "other_account",
            _l("These confirmations were scanned by someone else on this phone."),
            status=409,
        )
    key = card_key(current_app.secret_key)
    results = confirm_helps(db.session, current_user, claims, card_key=key, now=utcnow())
    db.session.commit()
    return jsonify({"results": [result.as_dict() for result in results]})


def _session_identity() -> tuple[int, str]:
    """The user and device session the cookie names, before any database read; a phone that
    comes back with only its remember cookie is logged in again by Flask-Login first. (Read
    here, the session protection of Flask-Login is not applied: its "basic" mode, the one used,
    only marks a session not fresh.)"""
    raw = session.get("_user_id")
    if raw is None:
        # Flask-Login's loader reads the database: the batch's write transaction starts there.
        mark_writing()
        if current_user.is_authenticated:
            raw = session.get("_user_id")
    user_id, _, device_id = (raw or "").partition(":")
    if not user_id.isdigit() or not device_id:
        raise _login_required()
    return int(user_id), device_id


def _login_required() -> DomainError:
    return DomainError("login_required", _l("Please log in first."), status=401)
