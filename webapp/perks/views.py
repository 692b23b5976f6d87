"""Perks for members (`/perks`: choose, confirm, show the ticket), for partner staff
(`/partner`: find a ticket by QR or 6 digits, confirm it used), and for administrators
(`/admin/perks`: partners, staff, perks, pause)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.core.db import utcnow
from webapp.core.errors import DomainError, Forbidden, NotFound
from webapp.core.i18n import current_language, from_local, local_zone
from webapp.core.qr import qr_svg
from webapp.extensions import db
from webapp.perks.models import Partner, Perk, Redemption, RedemptionStatus
from webapp.perks.redemptions import (
    cancel_redemption,
    find_ticket,
    list_recent_redemptions,
    list_used_today,
    start_redemption,
    ticket_code,
    ticket_key,
    use_ticket,
)
from webapp.perks.services import (
    add_staff,
    create_partner,
    create_perk,
    list_offers,
    list_partners,
    list_shop_perks,
    remove_staff,
    set_paused,
    staff_partners,
)
from webapp.rewards.services import get_balance

bp = Blueprint("perks", __name__)


@bp.app_context_processor
def shop_link():
    """`works_at_shop()`: whether the menu shows the shop page (asked only when drawn)."""

    def works_at_shop() -> bool:
        return current_user.is_authenticated and bool(staff_partners(db.session, current_user))

    return {"works_at_shop": works_at_shop}


# -- members ----------------------------------------------------------------------------------


@bp.get("/perks")
@login_required
def index():
    balance = get_balance(db.session, current_user).total
    offers = list_offers(db.session, current_user, balance, utcnow())
    return render_template("perks/index.html", offers=offers, balance=balance)


@bp.get("/perks/<int:perk_id>")
@login_required
def confirm(perk_id: int):
    perk = _perk(perk_id)
    balance = get_balance(db.session, current_user).total
    minutes = current_app.config["TICKET_MINUTES"]
    return render_template("perks/confirm.html", perk=perk, balance=balance, minutes=minutes)


@bp.post("/perks/<int:perk_id>/use")
@login_required
def use(perk_id: int):
    perk = _perk(perk_id)
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
@login_required
def ticket(redemption_id: int):
    redemption = _own_ticket(redemption_id)
    state = redemption.state_at(utcnow())
    qr = None
    if state == RedemptionStatus.HELD:
        code = ticket_code(redemption, ticket_key(current_app.secret_key))
        label = _("Ticket for %(title)s", title=redemption.perk.title(current_language()))
        qr = qr_svg(code, label=label)
    return render_template("perks/ticket.html", ticket=redemption, state=state, qr=qr)


@bp.get("/perks/tickets/<int:redemption_id>/state")
@login_required
def ticket_state(redemption_id: int):
    """What the ticket page asks every few seconds: it shows "used" once the shop confirms."""
    response = jsonify({"state": _own_ticket(redemption_id).state_at(utcnow())})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/perks/tickets/<int:redemption_id>/cancel")
@login_required
def cancel(redemption_id: int):
    try:
        cancel_redemption(db.session, current_user, redemption_id, utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("perks.ticket", redemption_id=redemption_id))
    db.session.commit()
    flash(_("The ticket is cancelled; your tokens are back."), "info")
    return redirect(url_for("wallet.show"))


@bp.get("/perks/<int:perk_id>/photo.jpg")
def photo(perk_id: int):
    perk = db.session.get(Perk, perk_id)
    if perk is None or perk.photo is None:
        abort(404)
    response = Response(perk.photo, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _perk(perk_id: int) -> Perk:
    perk = db.session.get(Perk, perk_id)
    if perk is None:
        raise NotFound("no_such_perk", _("There is no such perk."))
    return perk


def _own_ticket(redemption_id: int) -> Redemption:
    redemption = db.session.get(Redemption, redemption_id)
    if redemption is None or redemption.user_id != current_user.id:
        raise NotFound("no_such_ticket", _("There is no such ticket."))
    return redemption


# -- partner staff ----------------------------------------------------------------------------


@bp.get("/partner")
@login_required
def partner_home():
    shops = staff_partners(db.session, current_user)
    if not shops:
        raise Forbidden("not_staff", _("Only a partner shop's staff can open this page."))
    if len(shops) == 1:
        return redirect(url_for("perks.partner_shop", partner_id=shops[0].id))
    return render_template("partner/index.html", shops=shops)


@bp.get("/partner/<int:partner_id>")
@login_required
def partner_shop(partner_id: int):
    shop = _my_shop(partner_id)
    return render_template(
        "partner/shop.html",
        shop=shop,
        perks=list_shop_perks(db.session, shop),
        used=list_used_today(db.session, shop, _today()),
    )


@bp.post("/partner/<int:partner_id>/find")
@login_required
def partner_find(partner_id: int):
    shop = _my_shop(partner_id)
    key = ticket_key(current_app.secret_key)
    try:
        redemption = find_ticket(
            db.session, current_user, shop, request.form.get("code", ""), key, utcnow()
        )
    except DomainError as error:
        db.session.commit()  # the failed try counts
        flash(str(error.message), "error")
        return redirect(url_for("perks.partner_shop", partner_id=shop.id)), 303
    db.session.commit()
    return render_template(
        "partner/ticket.html",
        shop=shop,
        ticket=redemption,
        state=redemption.state_at(utcnow()),
        code=request.form.get("code", ""),
    )


@bp.post("/partner/<int:partner_id>/use")
@login_required
def partner_use(partner_id: int):
    """Confirms the ticket whose code the shop scanned or typed (sent again with the form)."""
    shop = _my_shop(partner_id)
    key = ticket_key(current_app.secret_key)
    code = request.form.get("code", "")
    try:
        redemption = use_ticket(db.session, current_user, shop, code, key, utcnow())
    except DomainError as error:
        db.session.commit()  # an expired ticket's release stays
        flash(str(error.message), "error")
        return redirect(url_for("perks.partner_shop", partner_id=shop.id))
    db.session.commit()
    flash(
        _("Used: %(title)s for %(name)s.", title=redemption.perk.title(current_language()),
          name=redemption.user.display_name),
        "info",
    )  # fmt: skip
    return redirect(url_for("perks.partner_shop", partner_id=shop.id))


def _my_shop(partner_id: int) -> Partner:
    shop = next((s for s in staff_partners(db.session, current_user) if s.id == partner_id), None)
    if shop is None:
        raise Forbidden("not_staff", _("Only a partner shop's staff can open this page."))
    return shop


def _today() -> datetime:
    zone = local_zone()
    return datetime.combine(datetime.now(zone).date(), time(), tzinfo=zone)


# -- administrators ---------------------------------------------------------------------------


@bp.get("/admin/perks")
@login_required
def admin():
    _admins_only()
    perks = db.session.query(Perk).order_by(Perk.partner_id, Perk.id).all()
    return render_template(
        "perks/admin.html",
        partners=list_partners(db.session),
        perks=perks,
        redemptions=list_recent_redemptions(db.session),
    )


@bp.post("/admin/perks/partners")
@login_required
def admin_add_partner():
    _admins_only()
    form = request.form
    _act(lambda: create_partner(
        db.session, name_ja=form.get("name_ja", ""), name_en=form.get("name_en", ""),
        place=form.get("place", ""),
    ))  # fmt: skip
    return redirect(url_for("perks.admin"))


@bp.post("/admin/perks/partners/<int:partner_id>/staff")
@login_required
def admin_add_staff(partner_id: int):
    _admins_only()
    partner = db.session.get(Partner, partner_id) or abort(404)
    _act(lambda: add_staff(db.session, partner, request.form.get("email", "")))
    return redirect(url_for("perks.admin"))


@bp.post("/admin/perks/partners/<int:partner_id>/staff/<int:user_id>/remove")
@login_required
def admin_remove_staff(partner_id: int, user_id: int):
    _admins_only()
    partner = db.session.get(Partner, partner_id) or abort(404)
    _act(lambda: remove_staff(db.session, partner, user_id))
    return redirect(url_for("perks.admin"))


@bp.post("/admin/perks")
@login_required
def admin_add_perk():
    _admins_only()
    form = request.form
    partner = db.session.get(Partner, form.get("partner_id", type=int) or 0)
    if partner is None:
        flash(_("Choose a partner."), "error")
        return redirect(url_for("perks.admin"))
    upload = request.files.get("photo")
    _act(lambda: create_perk(
        db.session, partner,
        title_ja=form.get("title_ja", ""), title_en=form.get("title_en", ""),
        description_ja=form.get("description_ja", ""),
        description_en=form.get("description_en", ""),
        price=form.get("price", type=int), stock=form.get("stock", type=int),
        limit_per_member=form.get("limit_per_member", type=int),
        valid_from=_local(form.get("valid_from")), valid_until=_local(form.get("valid_until")),
        photo=upload.read() if upload and upload.filename else None,
    ))  # fmt: skip
    return redirect(url_for("perks.admin"))


@bp.post("/admin/perks/<int:perk_id>/pause")
@login_required
def admin_pause(perk_id: int):
    _admins_only()
    perk = _perk(perk_id)
    set_paused(db.session, perk, paused=perk.active)
    db.session.commit()
    return redirect(url_for("perks.admin"))


def _admins_only() -> None:
    if not current_user.is_admin:
        raise Forbidden("not_an_admin", _("Only administrators can open this page."))


def _act(action) -> None:
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Saved."), "info")


def _local(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return from_local(datetime.fromisoformat(value))
    except ValueError:
        return None
