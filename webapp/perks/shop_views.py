"""The partner shop's pages (`/partner`), for its staff: find a ticket by its QR code or its six
digits, and confirm it used."""

from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.core.access import member_required
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.core.http import uses_camera
from webapp.core.i18n import current_language, local_zone
from webapp.extensions import db
from webapp.perks.access import shop_staff_required
from webapp.perks.redemptions import find_ticket, list_used_today, ticket_key, use_ticket
from webapp.perks.services import NotStaff, list_shop_perks, staff_partners

bp = Blueprint("perks_shop", __name__, url_prefix="/partner")


@bp.app_context_processor
def shop_link():
    """`works_at_shop()`: whether the menu shows the shop page (asked only when drawn)."""

    def works_at_shop() -> bool:
        return current_user.is_authenticated and bool(staff_partners(db.session, current_user))

    return {"works_at_shop": works_at_shop}


@bp.get("")
@member_required
def home():
    shops = staff_partners(db.session, current_user)
    if not shops:
        raise NotStaff()
    if len(shops) == 1:
        return redirect(url_for("perks_shop.shop", partner_id=shops[0].id))
    return render_template("partner/index.html", shops=shops)


@bp.get("/<int:partner_id>")
@uses_camera
@shop_staff_required
def shop(shop):
    return render_template(
        "partner/shop.html",
        shop=shop,
        perks=list_shop_perks(db.session, shop),
        used=list_used_today(db.session, shop, _today()),
    )


@bp.post("/<int:partner_id>/find")
@shop_staff_required
def find(shop):
    key = ticket_key(current_app.secret_key)
    try:
        redemption = find_ticket(
            db.session, current_user, shop, request.form.get("code", ""), key, utcnow()
        )
    except DomainError as error:
        db.session.commit()  # the failed try counts
        flash(str(error.message), "error")
        return redirect(url_for("perks_shop.shop", partner_id=shop.id)), 303
    db.session.commit()
    return render_template(
        "partner/ticket.html",
        shop=shop,
        ticket=redemption,
        state=redemption.state_at(utcnow()),
        code=request.form.get("code", ""),
    )


@bp.post("/<int:partner_id>/use")
@shop_staff_required
def use(shop):
    """Confirms the ticket whose code the shop scanned or typed (sent again with the form)."""
    key = ticket_key(current_app.secret_key)
    code = request.form.get("code", "")
    try:
        redemption = use_ticket(db.session, current_user, shop, code, key, utcnow())
    except DomainError as error:
        db.session.commit()  # an expired ticket's release stays
        flash(str(error.message), "error")
        return redirect(url_for("perks_shop.shop", partner_id=shop.id))
    db.session.commit()
    flash(
        _("Used: %(title)s for %(name)s.", title=redemption.perk.title(current_language()),
          name=redemption.user.display_name),
        "info",
    )  # fmt: skip
    return redirect(url_for("perks_shop.shop", partner_id=shop.id))


def _today() -> datetime:
    zone = local_zone()
    return datetime.combine(datetime.now(zone).date(), time(), tzinfo=zone)
