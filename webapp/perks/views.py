"""Perks for members (`/perks`): choose one, confirm, show the ticket at the shop, cancel it.
The shop's pages are `perks.shop_views`, the administrators' `perks.admin_views`."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webapp.core.access import member_required
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.core.http import answers_json, no_store, secret_in_url
from webapp.core.i18n import current_language
from webapp.core.qr import qr_svg
from webapp.extensions import db
from webapp.ledger.services import get_balance
from webapp.perks.access import ticket_owner_required
from webapp.perks.models import Perk, Redemption, RedemptionStatus
from webapp.perks.redemptions import cancel_redemption, start_redemption, ticket_code, ticket_key
from webapp.perks.services import get_offer, get_perk, list_offers

bp = Blueprint("perks", __name__)


@bp.get("/perks")
@member_required
def index():
    balance = get_balance(db.session, current_user).total
    offers = list_offers(db.session, current_user, balance, utcnow())
    return render_template("perks/index.html", offers=offers, balance=balance)


@bp.get("/perks/<int:perk_id>")
@member_required
def confirm(perk_id: int):
    """The last step before a ticket: it offers only what the member can do (no refusal after
    the tap)."""
    perk = get_perk(db.session, perk_id)
    balance = get_balance(db.session, current_user).total
    offer = get_offer(db.session, current_user, perk, balance, utcnow())
    minutes = current_app.config["TICKET_MINUTES"]
    return render_template(
        "perks/confirm.html", perk=perk, offer=offer, balance=balance, minutes=minutes
    )


@bp.post("/perks/<int:perk_id>/use")
@member_required
def use(perk_id: int):
    perk = get_perk(db.session, perk_id)
    try:
        lifetime = timedelta(minutes=current_app.config["TICKET_MINUTES"])
        ticket = start_redemption(db.session, current_user, perk, utcnow(), lifetime)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("perks.confirm", perk_id=perk.id))
    db.session.commit()
    return redirect(url_for("perks.ticket", redemption_id=ticket.id))


@bp.get("/perks/tickets/<int:redemption_id>")
@secret_in_url
@ticket_owner_required
def ticket(ticket: Redemption):
    state = ticket.state_at(utcnow())
    qr = None
    if state == RedemptionStatus.HELD:
        code = ticket_code(ticket, ticket_key(current_app.secret_key))
        label = _("Ticket for %(title)s", title=ticket.perk.title(current_language()))
        qr = qr_svg(code, label=label)
    return render_template("perks/ticket.html", ticket=ticket, state=state, qr=qr)


@bp.get("/perks/tickets/<int:redemption_id>/state")
@answers_json
@secret_in_url
@ticket_owner_required
@no_store
def ticket_state(ticket: Redemption):
    """What the ticket page asks every few seconds: it shows "used" once the shop confirms."""
    return jsonify({"state": ticket.state_at(utcnow())})


@bp.post("/perks/tickets/<int:redemption_id>/cancel")
@ticket_owner_required
def cancel(ticket: Redemption):
    try:
        cancel_redemption(db.session, current_user, ticket.id, utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("perks.ticket", redemption_id=ticket.id))
    db.session.commit()
    flash(_("The ticket is cancelled; your coins are back."), "info")
    return redirect(url_for("wallet.show"))


@bp.get("/perks/<int:perk_id>/photo.jpg")
def photo(perk_id: int):
    perk = db.session.get(Perk, perk_id)
    if perk is None or perk.photo is None:
        abort(404)
    response = Response(perk.photo, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
