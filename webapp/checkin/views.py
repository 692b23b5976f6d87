"""`/c/<token>`: what the phone's camera app opens. A logged-in member is checked in at once; a
visitor who is not logged in is told which event this is and how to log in, and the scan is kept
for after the login."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask import Blueprint, render_template, request, session, url_for
from flask_login import current_user

from webapp.checkin.services import ClaimInput, event_asking_word, get_code_event, record_claim
from webapp.core.db import utcnow, writes_database
from webapp.core.http import secret_in_url, uses_camera
from webapp.extensions import db

bp = Blueprint("checkin", __name__)

# A scan made while logged out is remembered, so that a slow login still counts it, but only
# for this long: the remembered time is what the code's age is measured from.
PENDING_SCAN_KEY = "pending_scan"
PENDING_SCAN_MAX_AGE = timedelta(minutes=15)


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
    observed_at = _take_pending_scan(token, now) or now
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
    session[PENDING_SCAN_KEY] = {"token": token, "seen_at": now.isoformat()}
    found = get_code_event(db.session, token)
    return render_template("checkin/welcome.html", event=found[0] if found else None)


def pending_scan_url(now: datetime) -> str | None:
    """The check-in link scanned on this browser before its login, while it may still count
    from the moment it was scanned: where a login that carries no `next` goes first (a login
    card read by the phone's own camera app)."""
    pending = session.get(PENDING_SCAN_KEY)
    if not pending or _seen_at(pending, now) is None:
        return None
    return url_for("checkin.claim", token=pending["token"])


def _take_pending_scan(token: str, now: datetime) -> datetime | None:
    pending = session.pop(PENDING_SCAN_KEY, None)
    if not pending or pending.get("token") != token:
        return None
    return _seen_at(pending, now)


def _seen_at(pending: dict, now: datetime) -> datetime | None:
    try:
        seen_at = datetime.fromisoformat(pending["seen_at"])
    except (KeyError, TypeError, ValueError):
        return None
    return seen_at if timedelta(0) <= now - seen_at <= PENDING_SCAN_MAX_AGE else None
