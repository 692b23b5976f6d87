"""`/display/<token>`: a venue tablet's own link to one event's rotating check-in code. It needs
no login and gives none: whoever holds the link sees that code and nothing else (see
display_links.py). The page is the organisers' display page without its way back."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, jsonify, render_template, url_for
from flask_babel import gettext as _

from webapp.checkin.codes import get_display_code, get_kiosk_setup
from webapp.checkin.display_links import (
    find_display_link,
    get_working_display_link,
    mark_seen,
    seen_since,
)
from webapp.checkin.services import count_attendances
from webapp.core.db import defer_write, utcnow
from webapp.core.http import answers_json, no_store, secret_in_url, site_url
from webapp.core.qr import qr_svg
from webapp.extensions import db

bp = Blueprint("checkin_display", __name__, url_prefix="/display")


@bp.get("/<link>")
@secret_in_url
@no_store  # the page carries the display key: no cache may keep it
def show(link: str):
    found = find_display_link(db.session, link)
    if found is None or found.revoked_at is not None:
        # 410 for a stopped link, so that the tablet's service worker drops its copy too.
        status = 404 if found is None else 410
        return render_template("checkin/display_stopped.html", stopped=found is not None), status
    now = utcnow()
    if seen_since(found, now):
        link_id = found.id
        defer_write(lambda connection: mark_seen(connection, link_id, now))
    event = found.event
    kiosk = get_kiosk_setup(event, site_url(), now)
    return render_template(
        "checkin/display_link.html",
        event=event,
        checkin=current_code(event),
        kiosk=kiosk,
        checked_in=count_attendances(db.session, event),
        count_url=url_for("checkin_display.count", link=link),
    )


@bp.get("/<link>/count")
@answers_json
@secret_in_url
@no_store
def count(link: str):
    """How many have checked in to the link's event, for the tablet's display: whoever holds
    a working link may ask, as they see the page."""
    found = get_working_display_link(db.session, link)
    return jsonify(checked_in=count_attendances(db.session, found.event))


def current_code(event) -> dict:
    """The display code of this moment, with its QR code drawn (what a display page shows
    before its script takes over)."""
    code = get_display_code(event, site_url(), utcnow())
    label = _("Check-in code for %(title)s", title=event.title)
    return {**asdict(code), "svg": qr_svg(code.url, label=label)}
