from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.checkin.services import list_attendances
from webapp.core.db import utcnow
from webapp.core.errors import DomainError, Forbidden
from webapp.core.qr import qr_svg
from webapp.events.forms import EventForm
from webapp.events.services import (
    create_event,
    get_display_code,
    get_kiosk_setup,
    get_managed_event,
    list_managed_events,
)
from webapp.extensions import db

bp = Blueprint("events", __name__, url_prefix="/events")


@bp.before_request
@login_required
def organisers_only():
    if not current_user.is_organiser:
        raise Forbidden("not_an_organiser", _("Only organisers can open this page."))


@bp.get("")
def index():
    return render_template(
        "events/index.html", events=list_managed_events(db.session, current_user)
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = create_event(
                db.session,
                current_user,
                title=form.title.data,
                venue=form.venue.data,
                starts_at=_from_local(form.starts_at.data),
                ends_at=_from_local(form.ends_at.data),
                reward=form.reward.data,
                offline_claim_days=form.offline_claim_days.data,
                description=form.description.data or "",
            )
        except DomainError as error:
            form.form_errors.append(str(error.message))
        else:
            db.session.commit()
            return redirect(url_for("events.show", event_id=event.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("events/new.html", form=form), status


@bp.get("/<int:event_id>")
def show(event_id: int):
    event = get_managed_event(db.session, current_user, event_id)
    return render_template(
        "events/show.html",
        event=event,
        attendances=list_attendances(db.session, event),
        checkin=_current_code(event),
    )


@bp.get("/<int:event_id>/display")
def display(event_id: int):
    event = get_managed_event(db.session, current_user, event_id)
    kiosk = get_kiosk_setup(event, current_app.config["BASE_URL"], utcnow())
    response = make_response(
        render_template(
            "events/display.html", event=event, checkin=_current_code(event), kiosk=kiosk
        )
    )
    # The page carries the display key: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:event_id>/code")
def code(event_id: int):
    """The display code of this moment, for the display page to rotate without reloading."""
    event = get_managed_event(db.session, current_user, event_id)
    return jsonify(_current_code(event))


def _current_code(event) -> dict:
    code = get_display_code(event, current_app.config["BASE_URL"], utcnow())
    label = _("Check-in code for %(title)s", title=event.title)
    return {**asdict(code), "svg": qr_svg(code.url, label=label)}


def _from_local(value: datetime) -> datetime:
    return value.replace(tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
