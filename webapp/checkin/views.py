"""`/c/<token>`: what the phone's camera app opens. A logged-in member is checked in at once; a
visitor who is not logged in is told which event this is and how to log in, and the scan is kept
for after the login."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.checkin.pending import remember_pending_scan, take_pending_scan
from webapp.checkin.rsvps import cancel_seat, take_seat
from webapp.checkin.services import ClaimInput, event_asking_word, get_code_event, record_claim
from webapp.core.access import member_required
from webapp.core.db import utcnow, writes_database
from webapp.core.errors import DomainError
from webapp.core.http import secret_in_url, uses_camera
from webapp.events.services import get_event
from webapp.extensions import db

bp = Blueprint("checkin", __name__)


@bp.get("/scan")
@uses_camera
def scan():
    """The in-app scanner. Open to everyone: a scan made while logged out waits on the phone
    and is sent after login."""
    return render_template("checkin/scan.html")


@bp.route("/c/<token>", methods=["GET", "POST"])
@secret_in_url
@uses_camera  # a visitor may log in with the camera, by reading their login card
@writes_database
def claim(token: str):
    now = utcnow()
    if not current_user.is_authenticated:
        return _welcome(token, now)
    word = None
    event = event_asking_word(db.session, token)
    if event is not None:  # a poster's code: the organiser's secret word comes first
        if request.method == "GET":
            return render_template("checkin/word.html", event=event, token=token)
        word = request.form.get("word", "")
    observed_at = take_pending_scan(token, now) or now
    result = record_claim(
        db.session,
        current_user,
        ClaimInput(id=str(uuid.uuid4()), code=token, scanned_at=observed_at, word=word),
        now=now,
        source="link",
        observed_at=observed_at,
    )
    db.session.commit()
    status = 200 if result.status != "rejected" else 422
    return render_template("checkin/result.html", result=result), status


def _welcome(token: str, now: datetime):
    """A poster or a code scanned with no one logged in: the event, what Enishi is, and the
    ways to log in, each of which comes back here to make the claim."""
    # Remember when the server saw the code: the rotation allowance counts from then.
    remember_pending_scan(token, now)
    found = get_code_event(db.session, token)
    return render_template("checkin/welcome.html", event=found[0] if found else None)


@bp.post("/calendar/<int:event_id>/rsvp")
@member_required
def rsvp(event_id: int):
    """The member says they are coming: a seat, or a place on the waiting list."""
    event = get_event(db.session, event_id)
    try:
        seat = take_seat(db.session, current_user, event, utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        if seat.status == "going":
            flash(_("You are coming to %(title)s: your seat is kept.", title=event.title), "info")
        else:
            flash(_("All seats are taken: you are on the waiting list."), "info")
    return _back(event_id)


@bp.post("/calendar/<int:event_id>/rsvp/cancel")
@member_required
def cancel_rsvp(event_id: int):
    event = get_event(db.session, event_id)
    try:
        cancel_seat(db.session, current_user, event, utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Your reply is cancelled."), "info")
    return _back(event_id)


def _back(event_id: int):
    """Back to the page the reply was made on: the wallet, or the event's page."""
    if request.form.get("back") == "wallet":
        return redirect(url_for("wallet.show") + "#invitations")
    return redirect(url_for("site.calendar_event", event_id=event_id))
