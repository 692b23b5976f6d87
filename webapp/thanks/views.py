"""Thanks for members (`/thanks`): the month's points and the feed, giving from a profile, from a
scanned member card and, in two taps, from the check-in's success screen (「主催者にありがとう」).

Whom one may open the form for: someone whose profile one may see (the profile's link), someone
whose card one just scanned (kept in the session), an event's organiser (its own page). So the
form tells no one's name to who merely tries numbers in its address."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.accounts.models import User
from webapp.core.access import member_required, protect
from webapp.core.db import utcnow
from webapp.core.errors import DomainError, NotFound
from webapp.core.http import no_store, uses_camera
from webapp.extensions import db
from webapp.membership.cards import card_key, read_card_code
from webapp.profiles.services import get_profile, may_see
from webapp.thanks.services import (
    MESSAGE_MAX,
    event_organiser,
    get_allowance,
    get_thanks,
    give_thanks,
    is_feed_optout,
    left_for,
    may_give,
    may_receive,
    recent_thanks,
    set_feed_optout,
)

bp = Blueprint("thanks", __name__, url_prefix="/thanks")
protect(bp, member_required)

QUICK_POINTS = (5, 10, 20)
DEFAULT_POINTS = 10
CHECKIN_MESSAGE = _l("Thank you very much")
# The member whose card was scanned last: the form may be opened for them.
SCANNED = "thanks_scanned"


@bp.get("")
@no_store
def index():
    now = utcnow()
    return render_template(
        "thanks/index.html",
        allowance=get_allowance(db.session, current_user, now),
        refusal=may_give(db.session, current_user, now),
        feed=recent_thanks(db.session),
        opted_out=is_feed_optout(db.session, current_user),
    )


@bp.post("/feed")
def feed_setting():
    out = request.form.get("out") == "1"
    set_feed_optout(db.session, current_user, out, now=utcnow())
    db.session.commit()
    if out:
        flash(_("You no longer appear in the feed."), "info")
    else:
        flash(_("You appear in the feed again."), "info")
    return redirect(url_for("thanks.index"))


def _receiver(user_id: int) -> tuple[User, bool]:
    """The person the form is for, if the member may open it for them (else 404), and whether
    the member scanned their card to get here."""
    person = db.session.get(User, user_id)
    if person is None or person.closed_at is not None or person.joined_at is None:
        raise NotFound("no_such_member", _l("There is no such member."))
    scanned = session.get(SCANNED) == user_id
    if not scanned and not may_see(
        get_profile(db.session, user_id).visibility, user_id, current_user
    ):
        raise NotFound("no_such_member", _l("There is no such member."))
    return person, scanned


@bp.route("/give/<int:user_id>", methods=("GET", "POST"))
@no_store
def give(user_id: int):
    receiver, scanned = _receiver(user_id)
    via = "card" if scanned else "profile"
    return _give(receiver, via, url_for("thanks.give", user_id=receiver.id), event=None)


@bp.route("/checkin/<int:event_id>", methods=("GET", "POST"))
@no_store
def checkin(event_id: int):
    """「主催者にありがとう」: the event's organiser, 10 points and a thank-you already chosen, so
    the one tap left is 送る."""
    event, organiser = event_organiser(db.session, event_id, current_user)
    action = url_for("thanks.checkin", event_id=event.id)
    return _give(organiser, "checkin", action, event=event)


def _give(receiver: User, via: str, action: str, *, event):
    now = utcnow()
    form = {"points": str(DEFAULT_POINTS), "message": str(CHECKIN_MESSAGE) if event else ""}
    problem, status = None, 200
    if request.method == "POST":
        form = {
            "points": request.form.get("points", ""),
            "message": request.form.get("message", ""),
        }
        try:
            points = int(form["points"])
        except ValueError:
            points = 0
        try:
            thanks = give_thanks(
                db.session, current_user, receiver, points, form["message"],
                via=via, event_id=event.id if event else None, now=now,
            )  # fmt: skip
        except DomainError as error:
            db.session.rollback()
            problem, status = error.message, 400
        else:
            db.session.commit()
            session.pop(SCANNED, None)
            return redirect(url_for("thanks.sent", thanks_id=thanks.id))
    refusal = _why_not(receiver, now)
    return render_template(
        "thanks/give.html",
        receiver=receiver,
        event=event,
        action=action,
        refusal=refusal,
        problem=problem,
        form=form,
        allowance=get_allowance(db.session, current_user, now),
        left=left_for(db.session, current_user, receiver, now) if refusal is None else 0,
        quick=QUICK_POINTS,
        message_max=MESSAGE_MAX,
    ), status


def _why_not(receiver: User, now) -> str | None:
    """Why no thanks can go to `receiver` at all, said before the form rather than after it."""
    if receiver.id == current_user.id:
        return _("This is you. Thanks go to someone else.")
    for refusal in (
        may_give(db.session, current_user, now),
        may_receive(db.session, receiver, now),
    ):
        if refusal is not None:
            return str(refusal.message)
    return None


@bp.get("/sent/<int:thanks_id>")
@no_store
def sent(thanks_id: int):
    thanks = get_thanks(db.session, thanks_id, current_user)
    return render_template(
        "thanks/sent.html",
        thanks=thanks,
        allowance=get_allowance(db.session, current_user, utcnow()),
    )


@bp.get("/scan")
@uses_camera
def scan():
    return render_template("thanks/scan.html")


@bp.post("/scan")
def scan_card():
    """A member card read by the camera: the form for its member, or why not."""
    member_id = read_card_code(request.form.get("card", ""), card_key(current_app.secret_key))
    person = db.session.get(User, member_id) if member_id is not None else None
    if person is None or person.closed_at is not None:
        flash(_("This is not an Enishi member card."), "error")
        return redirect(url_for("thanks.scan"))
    if person.id == current_user.id:
        flash(_("This is your own card. Scan the card of the person you want to thank."), "error")
        return redirect(url_for("thanks.scan"))
    refusal = may_receive(db.session, person, utcnow())
    if refusal is not None:
        flash(str(refusal.message), "error")
        return redirect(url_for("thanks.scan"))
    session[SCANNED] = person.id
    return redirect(url_for("thanks.give", user_id=person.id))
