"""An administrator gives, renews and takes back a person's 会員証 from their page
(`/admin/members/<id>`); each act is written to the audit log. Taking a card back asks for the
administrator's password again, as a role change does."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts.services import confirm_password, get_person
from webapp.core.access import admin_required
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.extensions import db
from webapp.membership.services import issue_membership, renew_membership, revoke_membership

bp = Blueprint("member_card", __name__, url_prefix="/admin/members")


@bp.post("/<int:user_id>/card/issue")
@admin_required
def issue(user_id: int):
    member = get_person(db.session, user_id)
    _act(
        lambda: issue_membership(db.session, member, utcnow(), actor=current_user),
        _("%(name)s has been given a member card. It is being recorded.",
          name=member.display_name),
    )  # fmt: skip
    return _back(member)


@bp.post("/<int:user_id>/card/renew")
@admin_required
def renew(user_id: int):
    member = get_person(db.session, user_id)
    _act(
        lambda: renew_membership(db.session, member, actor=current_user, now=utcnow()),
        _("%(name)s's member card has been renewed.", name=member.display_name),
    )
    return _back(member)


@bp.post("/<int:user_id>/card/revoke")
@admin_required
def revoke(user_id: int):
    member = get_person(db.session, user_id)
    if not confirm_password(current_user, request.form.get("password", "")):
        flash(_("Your password is not right: the card was not taken back."), "error")
        return _back(member)
    reason = request.form.get("reason", "")
    _act(
        lambda: revoke_membership(
            db.session, member, actor=current_user, now=utcnow(), reason=reason
        ),
        _("%(name)s's member card has been taken back: it no longer works.",
          name=member.display_name),
    )  # fmt: skip
    return _back(member)


def _act(service, done: str) -> None:
    try:
        service()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(done, "info")


def _back(member):
    return redirect(url_for("membership.person", user_id=member.id))
