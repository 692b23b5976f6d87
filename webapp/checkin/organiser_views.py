"""An event's check-in desk, for its organisers: the event page with the live code and who has
checked in, the full-screen display and the venue tablets' display links, the poster, the CSV
lists, and checking in people who have no phone (by member card or by name)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from webapp.checkin.codes import get_kiosk_setup, get_printed_code
from webapp.checkin.display_links import (
    create_display_link,
    get_display_link,
    list_display_links,
    stop_display_link,
)
from webapp.checkin.display_views import current_code
from webapp.checkin.eligibility import rule_in_words
from webapp.checkin.exports import attendance_csv, rejected_csv
from webapp.checkin.poster import poster_pdf
from webapp.checkin.rsvps import list_rsvps, seats_left, set_event_invitation
from webapp.checkin.services import (
    HOW,
    REASONS,
    check_in_at_desk,
    count_attendances,
    decide_held_claim,
    how_checked_in,
    list_attendances,
    list_held_claims,
    list_rejected_claims,
)
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.core.http import answers_json, no_store, site_url, uses_camera
from webapp.core.qr import qr_svg
from webapp.events.access import event_organiser_required
from webapp.events.forms import InvitationForm
from webapp.events.services import (
    RECENT_PAST,
    InvitationSettings,
    checkin_window,
    invitation_of,
    list_past_events,
)
from webapp.extensions import db
from webapp.membership.cards import card_key
from webapp.membership.services import search_members
from webapp.projects.models import Project, ProjectStatus

bp = Blueprint("checkin_organiser", __name__, url_prefix="/events")


# The event page's tabs, each a link of its own (?tab=), so they work without a script: the
# desk (the code, checking in people without a phone, late check-ins to decide), who came, and
# the event's settings. The first is the page's default.
TABS = ("desk", "attendees", "settings")
# The desk lists the latest check-ins only; the attendees tab lists them all.
RECENT = 5


@bp.get("/<int:event_id>")
@event_organiser_required
def show(event):
    tab = _tab()
    if tab == "settings":
        shown = {"event": event, "display_links": list_display_links(db.session, event)}
    else:
        shown = _activity(event, tab)
    if tab == "desk":
        shown["going"], shown["waiting"] = list_rsvps(db.session, event)
        shown["seats_left"] = seats_left(db.session, event)
    shown["rule"] = rule_in_words(event)
    return render_template(
        "checkin/event.html", section=tab, window=checkin_window(event, utcnow()), **shown
    )


@bp.route("/<int:event_id>/invitation", methods=["GET", "POST"])
@event_organiser_required
def invitation(event):
    """Who the event invites (everyone, members, or a rule), its seats and its project."""
    now = utcnow()
    if request.method == "POST":
        form = InvitationForm()
    else:
        current = invitation_of(event)
        form = InvitationForm(
            data={
                "audience": current.audience,
                "rule_card": current.rule_card,
                "rule_badges": current.rule_badges,
                "rule_days": current.rule_days,
                "required_events": list(current.required_event_ids),
                "rule_project": current.rule_project_id or 0,
                "capacity": current.capacity,
                "rsvp_open": current.rsvp_open,
                "project": current.project_id or 0,
            }
        )
    _invitation_choices(form, event, now)
    if form.validate_on_submit():
        chosen = InvitationSettings(
            audience=form.audience.data,
            rule_card=form.rule_card.data,
            rule_badges=form.rule_badges.data,
            rule_days=form.rule_days.data,
            required_event_ids=tuple(form.required_events.data or ()),
            rule_project_id=form.rule_project.data or None,
            capacity=form.capacity.data,
            rsvp_open=form.rsvp_open.data,
            project_id=form.project.data or None,
        )
        try:
            set_event_invitation(db.session, event, chosen, now)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("Saved. Invited: %(rule)s.", rule=rule_in_words(event)), "info")
            return redirect(url_for("checkin_organiser.show", event_id=event.id, tab="settings"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("checkin/invitation.html", event=event, form=form), status


def _invitation_choices(form: InvitationForm, event, now) -> None:
    """Past events (of the last ten years, the latest first) and active projects; whatever the
    event uses already stays listed."""
    past = list_past_events(db.session, now, within=RECENT_PAST * 40, limit=200)
    events = {e.id: e for e in [*past, *event.required_events] if e.id != event.id}
    form.required_events.choices = [
        SelectChoice(e.id, f"{e.title} ({e.starts_at:%Y-%m-%d})") for e in events.values()
    ]
    query = select(Project).where(
        (Project.status == ProjectStatus.ACTIVE)
        | Project.id.in_([i for i in (event.rule_project_id, event.project_id) if i])
    )
    projects = [
        SelectChoice(p.id, p.title) for p in db.session.scalars(query.order_by(Project.title))
    ]
    none = [SelectChoice(0, _("None"))]
    form.rule_project.choices = none + projects
    form.project.choices = none + projects


@bp.get("/<int:event_id>/activity")
@event_organiser_required
@no_store
def activity(event):
    """Who has checked in and what was refused (or, for the desk tab, the latest check-ins and
    those waiting for a decision), as the event page shows it: the page fetches this every few
    seconds, so new check-ins appear without a reload."""
    tab = "desk" if request.args.get("tab") == "desk" else "attendees"
    return render_template(f"checkin/_{tab}_activity.html", **_activity(event, tab))


@bp.get("/<int:event_id>/attendance.csv")
@event_organiser_required
@no_store
def attendance_export(event):
    return _csv_download(attendance_csv(db.session, event), f"event-{event.id}-attendance.csv")


@bp.get("/<int:event_id>/rejected.csv")
@event_organiser_required
@no_store
def rejected_export(event):
    return _csv_download(rejected_csv(db.session, event), f"event-{event.id}-rejected.csv")


@bp.get("/<int:event_id>/checkin")
@uses_camera
@event_organiser_required
def manual_checkin(event):
    """Checking in people without a phone: scan their member card, or find them by name."""
    query = request.args.get("q", "")
    return render_template(
        "checkin/manual.html",
        event=event,
        query=query,
        found=search_members(db.session, query),
        checked_in={a.user_id for a in list_attendances(db.session, event)},
    )


@bp.post("/<int:event_id>/checkin")
@event_organiser_required
def manual_checkin_post(event):
    try:
        member, result = check_in_at_desk(
            db.session,
            current_user,
            event,
            card=request.form.get("card"),
            member_id=request.form.get("user_id", type=int),
            card_key=card_key(current_app.secret_key),
            now=utcnow(),
        )
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(*_manual_answer(result, member))
    return redirect(
        url_for("checkin_organiser.manual_checkin", event_id=event.id, q=request.form.get("q"))
    )


@bp.post("/<int:event_id>/claims/<claim_id>")
@event_organiser_required
def decide_claim(event, claim_id: str):
    """An organiser's decision on a late check-in held for them."""
    decision = request.form.get("decision")
    if decision not in ("approve", "refuse"):
        flash(_("Choose to approve or to refuse."), "error")
        return redirect(url_for("checkin_organiser.show", event_id=event.id))
    try:
        member, result = decide_held_claim(
            db.session, current_user, event, claim_id, approve=decision == "approve", now=utcnow()
        )
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        db.session.commit()
        if result.reason == "refused":
            flash(_("%(name)s's check-in is refused.", name=member.display_name), "info")
        else:
            flash(*_manual_answer(result, member))
    return redirect(url_for("checkin_organiser.show", event_id=event.id))


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
@event_organiser_required
@no_store
def poster(event):
    url = get_printed_code(event, site_url())
    response = Response(poster_pdf(event, url), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="event-{event.id}-poster.pdf"'
    return response


@bp.get("/<int:event_id>/display")
@event_organiser_required
@no_store  # the page carries the display key: no cache may keep it
def display(event):
    kiosk = get_kiosk_setup(event, site_url(), utcnow())
    return render_template(
        "checkin/display.html",
        event=event,
        checkin=current_code(event),
        kiosk=kiosk,
        checked_in=count_attendances(db.session, event),
        count_url=url_for("checkin_organiser.count", event_id=event.id),
    )


@bp.post("/<int:event_id>/display-links")
@event_organiser_required
@no_store  # the answer shows the new link, whose token is kept nowhere else
def create_display_link_post(event):
    """A link for a venue tablet: it shows this event's code and nothing else."""
    try:
        link, token = create_display_link(
            db.session, event, current_user, request.form.get("label", ""), utcnow()
        )
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("checkin_organiser.show", event_id=event.id, tab="settings"))
    db.session.commit()
    url = f"{site_url()}/display/{token}"
    label = _("Display link for %(label)s", label=link.label)
    return render_template(
        "checkin/display_link_made.html", event=event, link=link, url=url, svg=qr_svg(url, label)
    )


@bp.post("/<int:event_id>/display-links/<int:link_id>/revoke")
@event_organiser_required
def revoke_display_link(event, link_id: int):
    link = get_display_link(db.session, event, link_id)
    if stop_display_link(db.session, link, current_user, utcnow()):
        db.session.commit()
        flash(
            _(
                "The link for %(label)s is stopped. The codes now have a new key: displays left "
                "open elsewhere pick it up when they next reach the server.",
                label=link.label,
            ),
            "info",
        )
    else:
        flash(_("The link for %(label)s was already stopped.", label=link.label), "info")
    return redirect(url_for("checkin_organiser.show", event_id=event.id, tab="settings"))


@bp.get("/<int:event_id>/code")
@answers_json
@event_organiser_required
def code(event):
    """The display code of this moment, for the display page to rotate without reloading."""
    return jsonify(current_code(event))


@bp.get("/<int:event_id>/count")
@answers_json
@event_organiser_required
@no_store
def count(event):
    """How many have checked in: the display page asks every few seconds."""
    return jsonify(checked_in=count_attendances(db.session, event))


def _tab() -> str:
    tab = request.args.get("tab")
    return tab if tab in TABS else TABS[0]


def _activity(event, tab: str) -> dict:
    """What the desk tab ("desk") or the attendees tab (any other) lists."""
    attendances = list_attendances(db.session, event)
    shown = {"event": event, "attendances": attendances, "reasons": REASONS}
    if tab == "desk":
        listed = shown["recent"] = attendances[-RECENT:][::-1]  # the latest first
        shown["held"] = list_held_claims(db.session, event)
    else:
        listed = attendances
        shown["rejected"] = list_rejected_claims(db.session, event, limit=100)
    shown["how"] = {a.id: HOW[how_checked_in(a)] for a in listed}
    return shown


def _csv_download(text: str, filename: str) -> Response:
    response = Response(text.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
