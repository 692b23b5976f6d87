"""The administrators' rewards page (`/admin/rewards`): rewards waiting for approval, and the
tokens issued per organiser and per month."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.checkin.rewards import (
    approve_event_reward,
    drop_event_reward,
    list_awaiting_approval,
    tokens_issued,
)
from webapp.core.access import admin_required, protect
from webapp.core.db import utcnow
from webapp.events.services import RewardLimits, get_event, list_events_awaiting_approval
from webapp.extensions import db

bp = Blueprint("rewards_admin", __name__, url_prefix="/admin/rewards")
protect(bp, admin_required)

# The issued-tokens table covers this far back.
REPORT_SPAN = timedelta(days=366)


@bp.get("")
def index():
    return render_template(
        "checkin/rewards.html",
        waiting=list_awaiting_approval(db.session, list_events_awaiting_approval(db.session)),
        issued=tokens_issued(
            db.session, utcnow() - REPORT_SPAN, current_app.config["BABEL_DEFAULT_TIMEZONE"]
        ),
        limits=RewardLimits.of(current_app.config),
    )


@bp.post("/<int:event_id>/approve")
def approve(event_id: int):
    event = get_event(db.session, event_id)
    paid = approve_event_reward(db.session, current_user, event, utcnow())
    db.session.commit()
    flash(_("The reward of %(title)s is approved; %(n)s waiting awards are on their way.",
            title=event.title, n=paid), "info")  # fmt: skip
    return redirect(url_for("rewards_admin.index"))


@bp.post("/<int:event_id>/drop")
def drop(event_id: int):
    event = get_event(db.session, event_id)
    sent = drop_event_reward(db.session, current_user, event, utcnow())
    db.session.commit()
    flash(_("%(title)s pays no coins; %(n)s waiting badges are on their way.",
            title=event.title, n=sent), "info")  # fmt: skip
    return redirect(url_for("rewards_admin.index"))
