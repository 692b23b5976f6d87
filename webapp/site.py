"""The site's own pages: home, the members' list of events and their pages, language switch,
health, the web app manifest, the service worker and the offline page. App composition: it may
use every domain."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
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
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.accounts.services import mark_home_seen
from webapp.checkin.eligibility import eligibility, list_eligibility, rule_in_words
from webapp.checkin.models import ClaimStatus
from webapp.checkin.pending import pending_scan_url
from webapp.checkin.rsvps import get_seat, seats_left
from webapp.checkin.services import (
    count_attendances_since,
    get_last_claim,
    get_member_attendance,
    list_attended_event_ids,
    stored_refusal_message,
)
from webapp.community.directory import visible_attendees
from webapp.config import PROJECT_DIR
from webapp.core.access import member_required
from webapp.core.db import defer_write, utcnow
from webapp.core.http import answers_json, safe_next
from webapp.core.i18n import local_day
from webapp.core.shell import qr_decoder_url, shell_urls, shell_version, worker_script_urls
from webapp.events.models import Event
from webapp.events.services import (
    can_manage,
    get_event,
    list_past_events,
    list_upcoming_events,
    runs_event,
)
from webapp.extensions import db
from webapp.ledger.services import get_balance, sum_rewards_since
from webapp.onchain.connection import get_chain_client
from webapp.onchain.models import JobStatus
from webapp.perks.redemptions import list_tickets_expired_between
from webapp.perks.services import staff_partners

bp = Blueprint("site", __name__)

# Events Home lists; the rest are a tap away, on the list of events.
HOME_EVENTS = 3


@dataclass(frozen=True)
class Changes:
    """What changed for the member since they last saw Home."""

    badges: int
    coins: int  # rewards credited
    expired_tickets: int
    coins_back: int  # what the expired tickets had held

    def __bool__(self) -> bool:
        return bool(self.badges or self.coins or self.expired_tickets)


@dataclass(frozen=True)
class LastCheckin:
    event: Event
    scanned_at: datetime
    # recorded (on chain) | recording | approval (its reward waits for an administrator) |
    # waiting (for the organiser to look at it) | refused
    state: str
    reason: str | None  # why it was refused, in words

    # Where an accepted check-in's record stands, as `record_chip` (_ui.html) reads it.
    @property
    def recorded(self) -> bool:
        return self.state == "recorded"

    @property
    def held(self) -> bool:
        return self.state == "approval"


@bp.get("/")
@member_required
def index():
    """ホーム: the events the member can go to, their last check-in, what changed since they
    last came here, their coins and the way to the scanner."""
    now, user_id, seen_before = utcnow(), current_user.id, current_user.home_seen_at
    defer_write(lambda connection: mark_home_seen(connection, user_id, now))
    changes = _changes(db.session, current_user, seen_before, now) if seen_before else None
    events = list_upcoming_events(db.session, now, attendee=current_user, limit=HOME_EVENTS)
    return render_template(
        "home.html",
        now=now,
        event_status=event_status,
        events=events,
        attended=list_attended_event_ids(db.session, current_user, [e.id for e in events]),
        last=_last_checkin(db.session, current_user),
        changes=changes,
        balance=get_balance(db.session, current_user),
    )


def _changes(session: Session, user: User, since: datetime, now: datetime) -> Changes:
    expired = list_tickets_expired_between(session, user, since, now)
    return Changes(
        badges=count_attendances_since(session, user, since),
        coins=sum_rewards_since(session, user, since),
        expired_tickets=len(expired),
        coins_back=sum(ticket.price for ticket in expired),
    )


def _last_checkin(session: Session, user: User) -> LastCheckin | None:
    claim = get_last_claim(session, user)
    if claim is None:
        return None
    reason = None
    if claim.status == ClaimStatus.HELD:
        state = "waiting"
    elif claim.status == ClaimStatus.REJECTED:
        state, reason = "refused", stored_refusal_message(claim) or ""
    else:
        job = get_member_attendance(session, user, claim.event).chain_job
        if job.on_chain:
            state = "recorded"
        else:
            state = "approval" if job.status == JobStatus.HELD else "recording"
    return LastCheckin(claim.event, claim.scanned_at, state, reason)


def event_status(event: Event, now: datetime) -> str | None:
    """Where an event stands: on (from its start to its end), today (earlier on its day, in
    Japan), over (once it ended), or None (a later day)."""
    if event.ends_at <= now:
        return "over"
    if event.starts_at <= now:
        return "on"
    if local_day(event.starts_at) == local_day(now):
        return "today"
    return None


@bp.get("/calendar")
@member_required
def calendar():
    """The events members can go to, and those of the last months (read only: organisers run
    theirs from /events)."""
    now = utcnow()
    upcoming = list_upcoming_events(db.session, now)
    past = list_past_events(db.session, now)
    ids = [event.id for event in upcoming + past]
    attended = list_attended_event_ids(db.session, current_user, ids)
    return render_template(
        "calendar/index.html",
        now=now,
        event_status=event_status,
        upcoming=upcoming,
        past=past,
        attended=attended,
        invited=list_eligibility(db.session, current_user, upcoming, now),
    )


@bp.get("/calendar/<int:event_id>")
@member_required
def calendar_event(event_id: int):
    """One event as members see it: when, where, what it pays, who is invited (and whether the
    member is), their seat, whether they were there, and who took part (by name those who
    chose to be seen)."""
    event = get_event(db.session, event_id)
    now = utcnow()
    return render_template(
        "calendar/event.html",
        now=now,
        invited=eligibility(db.session, current_user, event, now),
        rule=rule_in_words(event),
        seat=get_seat(db.session, current_user, event),
        seats_left=seats_left(db.session, event),
        event_status=event_status,
        event=event,
        attendance=get_member_attendance(db.session, current_user, event),
        manages=can_manage(current_user, event),
        runs=runs_event(current_user, event),
        attendees=visible_attendees(db.session, event.id),
    )


@bp.get("/start")
@member_required
def start():
    """Where a login lands: first the check-in scanned here just before it, if any; then
    organisers on their events, a shop's staff on the shop's page, members on ホーム."""
    scanned = pending_scan_url(utcnow())
    if scanned:
        return redirect(scanned)
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
