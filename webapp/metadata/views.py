"""The tokens' public metadata, where the contracts send wallets: a badge's ERC-1155 metadata at
/badges/<id>.json (id as 64 hex digits, or decimal; an event's badge, from PROJECT_BADGE_BASE
a project's contributor badge, from YUI_BADGE_BASE a 結い's, from THANKS_BADGE_BASE a month's
thanks), a membership card's ERC-721 metadata at
/cards/<id> (decimal), and their images (a badge's also small, for the app's own tiles). No
login; any origin may read them."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from webapp.core.errors import DomainError
from webapp.extensions import db
from webapp.metadata import images, wording
from webapp.metadata.services import (
    badge_metadata,
    card_metadata,
    community_badge_image,
    community_badge_metadata,
    event_day,
    find_badge_project,
    find_community_badge,
    get_badge_event,
    get_card_membership,
    project_badge_metadata,
    project_day,
)

bp = Blueprint("metadata", __name__)

CACHE_SECONDS = 300


@bp.after_request
def public(response: Response) -> Response:
    # Wallet apps fetch metadata from their own origin, so every answer (errors too) is
    # readable cross-origin; successful ones may be cached for a while.
    response.headers["Access-Control-Allow-Origin"] = "*"
    if response.status_code < 400:
        response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    # Machines read these URLs: errors are JSON whatever the request accepts.
    return jsonify(error.as_dict()), error.status


@bp.get("/badges/<token_id>.json")
def badge(token_id: str):
    image = _absolute(url_for("metadata.badge_image", token_id=token_id))
    community_badge = find_community_badge(db.session, token_id)
    if community_badge is not None:
        return jsonify(community_badge_metadata(community_badge, image, _community()))
    project = find_badge_project(db.session, token_id)
    if project is not None:
        return jsonify(project_badge_metadata(project, image, _community()))
    event = get_badge_event(db.session, token_id)
    return jsonify(badge_metadata(event, image, _community()))


@bp.get("/badges/<token_id>.png")
def badge_image(token_id: str):
    """The badge's image; `?w=300` the same at THUMBNAIL width (the app's badge tiles)."""
    community_badge = find_community_badge(db.session, token_id)
    if community_badge is not None:
        image = community_badge_image(community_badge, _community())
    elif project := find_badge_project(db.session, token_id, given_only=False):
        day = wording.long_date(project_day(project))
        image = images.badge_png(project.title, day, _community(), wording.PROJECT_BADGE)
    else:
        event = get_badge_event(db.session, token_id)
        day = wording.long_date(event_day(event))
        image = images.badge_png(event.title, day, _community())
    if request.args.get("w", type=int) == images.THUMBNAIL:
        image = images.thumbnail_png(image)
    return _png(image)


@bp.get("/cards/<token_id>")
def card(token_id: str):
    membership = get_card_membership(db.session, token_id)
    image = _absolute(url_for("metadata.card_image", token_id=token_id))
    return jsonify(card_metadata(membership, image, _community()))


@bp.get("/cards/<token_id>.png")
def card_image(token_id: str):
    get_card_membership(db.session, token_id)
    return _png(images.card_png(_community()))


def _community() -> str:
    return current_app.config["COMMUNITY_NAME"]


def _absolute(path: str) -> str:
    return f"{current_app.config['BASE_URL']}{path}"


def _png(body: bytes) -> Response:
    response = Response(body, mimetype="image/png")
    response.add_etag()
    return response.make_conditional(request)
