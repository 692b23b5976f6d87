"""The members' directory (`/members`, members only) and a member's profile page
(`/members/<id>`): members only, or anyone for a public profile; a private one is its owner's
alone (404 to anyone else). The owner reaches their own from マイページ's 「ほかの人からの見え方」:
the same page others get, with a line saying who can see it."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from webapp.community.directory import (
    Filters,
    find_members,
    get_profile_page,
    is_public_profile,
    list_project_choices,
)
from webapp.core.access import member_required
from webapp.core.http import row_id_arg
from webapp.extensions import db

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
    return render_template(
        "community/profile.html",
        person=page,
        owner=current_user.is_authenticated and current_user.id == user_id,
    )
