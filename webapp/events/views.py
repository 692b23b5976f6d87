from __future__ import annotations

from dataclasses import asdict

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.accounts.services import get_user
from webapp.checkin.services import (
    HOW,
    REASONS,
    check_in_by_organiser,
    how_checked_in,
    list_attendances,
    list_rejected_claims,
)
from webapp.core.db import utcnow
from webapp.core.errors import DomainError, Forbidden
from webapp.core.i18n import from_local
from webapp.core.qr import qr_svg
from webapp.events.exports import attendance_csv, rejected_csv
from webapp.events.forms import EventForm
from webapp.events.poster import poster_pdf
from webapp.events.services import (
    add_co_organiser,
    create_event,
    get_display_code,
    get_kiosk_setup,
    get_managed_event,
    get_printed_code,
    list_managed_events,
    remove_co_organiser,
    set_secret_word,
)
from webapp.extensions import db
from webapp.membership.cards import card_key, read_card_code
from webapp.membership.services import search_members

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
                starts_at=from_local(form.starts_at.data),
                ends_at=from_local(form.ends_at.data),
                reward=form.reward.data,
                offline_claim_days=form.offline_claim_days.data,
                description=form.description.data or "",
                secret_word=form.secret_word.data,
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
    return render_template("events/show.html", checkin=_current_code(event), **_activity(event))


@bp.get("/<int:event_id>/activity")
def activity(event_id: int):
    """Who has checked in and what was refused, as the event page shows it: the page fetches
    this every few seconds, so new check-ins appear without a reload."""
    event = get_managed_event(db.session, current_user, event_id)
    response = make_response(render_template("events/_activity.html", **_activity(event)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:event_id>/attendance.csv")
def attendance_export(event_id: int):
    event = get_managed_event(db.session, current_user, event_id)
    return _csv_download(attendance_csv(db.session, event), f"event-{event.id}-attendance.csv")


@bp.get("/<int:event_id>/rejected.csv")
def rejected_export(event_id: int):
    event = get_managed_event(db.session, current_user, event_id)
    return _csv_download(rejected_csv(db.session, event), f"event-{event.id}-rejected.csv")


@bp.get("/<int:event_id>/checkin")
def manual_checkin(event_id: int):
    """Checking in people without a phone: scan their member card, or find them by name."""
    event = get_managed_event(db.session, current_user, event_id)
    query = request.args.get("q", "")
    return render_template(
        "events/checkin.html",
        event=event,
        query=query,
        found=search_members(db.session, query),
        checked_in={a.user_id for a in list_attendances(db.session, event)},
    )


@bp.post("/<int:event_id>/checkin")
def manual_checkin_post(event_id: int):
    event = get_managed_event(db.session, current_user, event_id)
    if request.form.get("card"):
        member_id = read_card_code(request.form["card"], card_key(current_app.secret_key))
        via = "card"
    else:
        member_id = request.form.get("user_id", type=int)
        via = "search"
    member = get_user(db.session, member_id) if member_id is not None else None
    if member is None:
        refusal = (
            _("This is not an Enishi member card.")
            if via == "card"
            else _("There is no such member.")
        )
        flash(refusal, "error")
    else:
        result = check_in_by_organiser(
            db.session, current_user, member, event, via=via, now=utcnow()
        )
        db.session.commit()
        flash(*_manual_answer(result, member))
    return redirect(url_for("events.manual_checkin", event_id=event.id, q=request.form.get("q")))


def _manual_answer(result, member) -> tuple[str, str]:
    name = member.display_name
    if result.status == "accepted":
        return _("%(name)s is checked in.", name=name), "info"
    if result.status == "duplicate":
        return _("%(name)s was already checked in.", name=name), "info"
    if result.reason == "not_a_member":
        return _("%(name)s is not a member yet.", name=name), "error"
    return f"{name}: {result.message}", "error"


@bp.get("/<int:event_id>/poster.pdf")
def poster(event_id: int):
    event = get_managed_event(db.session, current_user, event_id)
    url = get_printed_code(event, current_app.config["BASE_URL"])
    response = Response(poster_pdf(event, url), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="event-{event.id}-poster.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:event_id>/word")
def secret_word(event_id: int):
    event = get_managed_event(db.session, current_user, event_id)
    try:
        set_secret_word(db.session, event, request.form.get("word"))
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The secret word is saved.") if event.secret_word else _("No secret word."), "info")
    return redirect(url_for("events.show", event_id=event.id))


@bp.post("/<int:event_id>/organisers")
def add_organiser(event_id: int):
    event = get_managed_event(db.session, current_user, event_id)
    try:
        user = add_co_organiser(db.session, event, current_user, request.form.get("email", ""))
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("%(name)s now runs this event too.", name=user.display_name), "info")
    return redirect(url_for("events.show", event_id=event.id))


@bp.post("/<int:event_id>/organisers/<int:user_id>/remove")
def remove_organiser(event_id: int, user_id: int):
    event = get_managed_event(db.session, current_user, event_id)
    remove_co_organiser(db.session, event, user_id)
    db.session.commit()
    return redirect(url_for("events.show", event_id=event.id))


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


def _activity(event) -> dict:
    attendances = list_attendances(db.session, event)
    return {
        "event": event,
        "attendances": attendances,
        "how": {a.id: HOW[how_checked_in(a)] for a in attendances},
        "rejected": list_rejected_claims(db.session, event, limit=100),
        "reasons": REASONS,
    }


def _csv_download(text: str, filename: str) -> Response:
    response = Response(text.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _current_code(event) -> dict:
    code = get_display_code(event, current_app.config["BASE_URL"], utcnow())
    label = _("Check-in code for %(title)s", title=event.title)
    return {**asdict(code), "svg": qr_svg(code.url, label=label)}
