"""The members' directory (`/members`, members only) and a member's profile page
(`/members/<id>`): members only, or anyone for a public profile; a private one is its owner's
alone (404 to anyone else). The owner reaches their own from マイページ's 「ほかの人からの見え方」:
the same page others get, with a line saying who can see it."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from webapp.accounts.models import User
from webapp.community.directory import (
    Filters,
    find_members,
    get_profile_page,
    is_public_profile,
    list_project_choices,
)
from webapp.core.access import member_required
from webapp.core.db import utcnow
from webapp.core.http import row_id_arg
from webapp.extensions import db
from webapp.membership.services import is_member
from webapp.thanks.services import received_summary

bp = Blueprint("directory", __name__)


@bp.get("/members")
@member_required
def index():
    project = row_id_arg("project")
    filters = Filters.of(request.args.get("skill", ""), request.args.get("interest", ""), project)
    found = find_members(db.session, filters, request.args.get("page", 1, type=int))
    return render_template(
        "community/directory.html",
        found=found,
        filters=filters,
        projects=list_project_choices(db.session),
    )


@bp.get("/members/<int:user_id>")
def profile(user_id: int):
    if not current_user.is_authenticated and not is_public_profile(db.session, user_id):
        # Logged in, they may see a profile for members; whether there is one is not told.
        return current_app.login_manager.unauthorized()
    page = get_profile_page(db.session, user_id, current_user)
    owner = current_user.is_authenticated and current_user.id == user_id
    received, may_thank = None, False
    if current_user.is_authenticated:
        # The thanks they received are for members' eyes; the way to thank them, for a member
        # with a valid card on a member's profile other than their own.
        person = db.session.get(User, user_id)
        received = received_summary(db.session, person, now=utcnow(), recent=0)
        may_thank = (
            not owner and is_member(db.session, current_user) and is_member(db.session, person)
        )
    return render_template(
        "community/profile.html",
        person=page,
        owner=owner,
        received=received,
        may_thank=may_thank,
    )
