"""JSON API v1 for the PWA. Thin like the views; errors are `{"error": code, "message": ...}`."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.api.openapi import openapi_document
from webapp.checkin.services import parse_claims, record_claims
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.extensions import db

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(current_app.config["CHECKIN_BATCH_LIMIT"]))


@bp.before_request
def require_login():
    if request.endpoint == "api.openapi":
        return
    if not current_user.is_authenticated:
        raise DomainError("login_required", _l("Please log in first."), status=401)


@bp.post("/checkins")
def post_checkins():
    payload = request.get_json(silent=True)
    if payload is None:
        raise DomainError("malformed_batch", _l("Send the claims as JSON."))
    claims = parse_claims(payload, current_app.config["CHECKIN_BATCH_LIMIT"])
    results = record_claims(db.session, current_user, claims, now=utcnow(), source="api")
    db.session.commit()
    return jsonify({"results": [result.as_dict() for result in results]})
