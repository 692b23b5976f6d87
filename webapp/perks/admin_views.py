"""The administrators' perks pages (`/admin/perks`): partners, their staff, perks, pause."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.core.access import admin_required, protect
from webapp.core.errors import DomainError
from webapp.core.i18n import from_local
from webapp.extensions import db
from webapp.perks.forms import PartnerForm, PerkForm, StaffForm, first_error
from webapp.perks.redemptions import list_recent_redemptions
from webapp.perks.services import (
    MAX_PHOTO_BYTES,
    add_staff,
    create_partner,
    create_perk,
    get_partner,
    get_perk,
    list_partners,
    list_perks,
    remove_staff,
    set_paused,
)

bp = Blueprint("perks_admin", __name__, url_prefix="/admin/perks")
protect(bp, admin_required)
# Room for the rest of the perk's form beside its photo.
FORM_BYTES = 64 * 1024


@bp.url_value_preprocessor
def _room_for_a_photo(endpoint, values) -> None:
    """A photo from a phone's camera is larger than the site's limit on what a request may
    send (MAX_CONTENT_LENGTH): an administrator's perk form gets room for one. Set before any
    before_request function reads the form (the CSRF check does)."""
    admin = current_user.is_authenticated and current_user.is_admin
    if endpoint == "perks_admin.add_perk" and admin:
        request.max_content_length = MAX_PHOTO_BYTES + FORM_BYTES


@bp.get("")
def index():
    return render_template(
        "perks/admin.html",
        partners=list_partners(db.session),
        perks=list_perks(db.session),
        redemptions=list_recent_redemptions(db.session),
    )


@bp.post("/partners")
def add_partner():
    form = PartnerForm()
    _act(form, lambda: create_partner(
        db.session, name_ja=form.name_ja.data or "", name_en=form.name_en.data or "",
        place=form.place.data or "",
    ))  # fmt: skip
    return redirect(url_for("perks_admin.index"))


@bp.post("/partners/<int:partner_id>/staff")
def add_staff_member(partner_id: int):
    partner = get_partner(db.session, partner_id)
    form = StaffForm()
    _act(form, lambda: add_staff(db.session, partner, form.email.data or ""))
    return redirect(url_for("perks_admin.index"))


@bp.post("/partners/<int:partner_id>/staff/<int:user_id>/remove")
def remove_staff_member(partner_id: int, user_id: int):
    partner = get_partner(db.session, partner_id)
    _act(None, lambda: remove_staff(db.session, partner, user_id))
    return redirect(url_for("perks_admin.index"))


@bp.post("")
def add_perk():
    form = PerkForm()

    def create():
        photo = form.photo.data
        return create_perk(
            db.session,
            get_partner(db.session, form.partner_id.data),
            title_ja=form.title_ja.data or "",
            title_en=form.title_en.data or "",
            description_ja=form.description_ja.data or "",
            description_en=form.description_en.data or "",
            price=form.price.data,
            stock=form.stock.data,
            limit_per_member=form.limit_per_member.data,
            valid_from=from_local(form.valid_from.data) if form.valid_from.data else None,
            valid_until=from_local(form.valid_until.data) if form.valid_until.data else None,
            photo=photo.read() if photo and photo.filename else None,
            photo_alt=form.photo_alt.data or "",
        )

    _act(form, create)
    return redirect(url_for("perks_admin.index"))


@bp.post("/<int:perk_id>/pause")
def pause(perk_id: int):
    perk = get_perk(db.session, perk_id)
    set_paused(db.session, perk, paused=perk.active)
    db.session.commit()
    return redirect(url_for("perks_admin.index"))


def _act(form, action) -> None:
    """Runs `action` if the form reads well, and says how it went."""
    if form is not None and not form.validate():
        flash(first_error(form), "error")
        return
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Saved."), "info")
