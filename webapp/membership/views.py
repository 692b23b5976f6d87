"""The administrators' members pages (`/admin/members`): find a person; on their page, see where
they stand, print or stop their login cards (shown to the member on their devices page) and
change their role; each act written to the audit log."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts.devices import (
    get_card_holder,
    get_login_card,
    issue_login_card,
    list_login_cards,
    may_manage_cards,
    stop_login_card,
)
from webapp.accounts.login_card_pdf import login_card_pdf
from webapp.accounts.passkeys import has_a_way_in
from webapp.accounts.services import ROLE_NAMES, change_role, confirm_password, get_person
from webapp.core.access import admin_required
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.core.http import no_store, site_url
from webapp.extensions import db
from webapp.membership.people import PeopleFilter, list_cohorts, list_people
from webapp.membership.services import (
    MEMBER_STATE_NAMES,
    card_status,
    get_membership,
    member_state,
)

bp = Blueprint("membership", __name__, url_prefix="/admin/members")


@bp.get("")
@admin_required
def members():
    """Everyone, a page at a time: filtered by state, role and cohort, searched by name or
    e-mail address."""
    wanted = PeopleFilter.from_args(request.args)
    return render_template(
        "membership/members.html",
        wanted=wanted,
        found=list_people(db.session, wanted, utcnow(), request.args.get("page", 1, type=int)),
        cohorts=list_cohorts(db.session),
        state_names=MEMBER_STATE_NAMES,
        roles=ROLE_NAMES,
    )


@bp.get("/<int:user_id>")
@admin_required
def person(user_id: int):
    member = get_person(db.session, user_id)
    membership, now = get_membership(db.session, member), utcnow()
    return render_template(
        "membership/person.html",
        member=member,
        membership=membership,
        card=card_status(membership, now) if membership else None,
        state=member_state(member, membership, now),
        state_names=MEMBER_STATE_NAMES,
        may_print=may_manage_cards(current_user, member),
        locked_out=member.joined_at is not None
        and member.closed_at is None
        and not has_a_way_in(db.session, member),
        cards=list_login_cards(db.session, member),
        roles=ROLE_NAMES,
    )


@bp.post("/<int:user_id>/role")
@admin_required
def role(user_id: int):
    member = get_person(db.session, user_id)
    try:
        change_role(
            db.session,
            current_user,
            member,
            request.form.get("role", ""),
            request.form.get("password", ""),
            utcnow(),
        )
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("%(name)s is now: %(role)s", name=member.display_name,
                role=ROLE_NAMES[member.role]), "info")  # fmt: skip
    return redirect(url_for("membership.person", user_id=member.id))


@bp.post("/<int:user_id>/login-card")
@admin_required
@no_store
def print_login_card(user_id: int):
    """A new card, as a PDF: its secret is in this answer and nowhere else. The administrator
    types their password again: an open session alone cannot print one."""
    member = get_card_holder(db.session, current_user, user_id)
    if not confirm_password(current_user, request.form.get("password", "")):
        flash(_("Your password is not right: no card was printed."), "error")
        return redirect(url_for("membership.person", user_id=member.id))
    card, token = issue_login_card(db.session, member, current_user, utcnow())
    db.session.commit()
    url = f"{site_url()}{url_for('accounts.login_with_card')}#{token}"
    response = Response(login_card_pdf(member.display_name, url), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="login-card-{card.id}.pdf"'
    return response


@bp.post("/<int:user_id>/login-card/<int:card_id>/revoke")
@admin_required
def revoke_card(user_id: int, card_id: int):
    member = get_card_holder(db.session, current_user, user_id)
    card = get_login_card(db.session, member, card_id)
    stop_login_card(db.session, card, current_user, utcnow())
    db.session.commit()
    flash(_("The card no longer works, and the phones it logged in are logged out."), "info")
    return redirect(url_for("membership.person", user_id=member.id))
