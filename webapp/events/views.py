"""The organisers' event pages: the list, a new event, and an event's settings (its secret word
and who runs it). The check-in desk of an event (its page, codes, lists) is the check-in
domain's (`checkin.organiser_views`)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.core.access import organiser_required
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.core.i18n import from_local
from webapp.events.access import event_organiser_required
from webapp.events.forms import EventForm
from webapp.events.services import (
    RewardLimits,
    add_co_organiser,
    create_event,
    list_managed_events,
    remove_co_organiser,
    set_hold_late_claims,
    set_secret_word,
)
from webapp.extensions import db

bp = Blueprint("events", __name__, url_prefix="/events")


@bp.get("")
@organiser_required
def index():
    return render_template(
        "events/index.html", events=list_managed_events(db.session, current_user)
    )


@bp.route("/new", methods=["GET", "POST"])
@organiser_required
def new():
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = create_event(
                db.session,
                current_user,
                title=form.title.data,
                venue=form.venue.data,
                starts_at=from_local(form.starts_at.data),
                ends_at=from_local(form.ends_at.data),
                reward=form.reward.data,
                offline_claim_days=form.offline_claim_days.data,
                description=form.description.data or "",
                secret_word=form.secret_word.data,
                budget=form.budget.data,
                hold_late_claims=form.hold_late_claims.data,
                limits=RewardLimits.of(current_app.config),
                now=utcnow(),
            )
        except DomainError as error:
            form.form_errors.append(str(error.message))
        else:
            db.session.commit()
            return redirect(url_for("checkin_organiser.show", event_id=event.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("events/new.html", form=form), status


@bp.post("/<int:event_id>/word")
@event_organiser_required
def secret_word(event):
    try:
        set_secret_word(db.session, event, request.form.get("word"))
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The secret word is saved.") if event.secret_word else _("No secret word."), "info")
    return redirect(url_for("checkin_organiser.show", event_id=event.id, tab="settings"))


@bp.post("/<int:event_id>/late-claims")
@event_organiser_required
def late_claims(event):
    hold = request.form.get("hold") == "1" or event.secret_word is not None
    set_hold_late_claims(db.session, event, hold)
    db.session.commit()
    if hold:
        flash(_("Late check-ins now wait for an organiser to look at them."), "info")
    else:
        flash(_("Late check-ins now count at once."), "info")
    return redirect(url_for("checkin_organiser.show", event_id=event.id, tab="settings"))


@bp.post("/<int:event_id>/organisers")
@event_organiser_required
def add_organiser(event):
    try:
        user = add_co_organiser(db.session, event, current_user, request.form.get("email", ""))
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("%(name)s now runs this event too.", name=user.display_name), "info")
    return redirect(url_for("checkin_organiser.show", event_id=event.id, tab="settings"))


@bp.post("/<int:event_id>/organisers/<int:user_id>/remove")
@event_organiser_required
def remove_organiser(event, user_id: int):
    remove_co_organiser(db.session, event, user_id)
    db.session.commit()
    return redirect(url_for("checkin_organiser.show", event_id=event.id, tab="settings"))
