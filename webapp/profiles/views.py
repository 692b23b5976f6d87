"""マイページ's profile (`/account/profile`): the member writes their introduction, skills and
interests, chooses who may see them and says where they live. What others see is the
directory's profile page (community.directory_views), linked from here."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from webapp.core.access import member_required
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.extensions import db
from webapp.profiles.forms import VISIBILITY_DETAILS, ProfileForm
from webapp.profiles.residence import residence_of, set_residence
from webapp.profiles.services import get_profile, save_profile, split_tags

bp = Blueprint("profiles", __name__)


@bp.route("/account/profile", methods=["GET", "POST"])
@member_required
def edit():
    profile = get_profile(db.session, current_user.id)
    # Shown as the hint asks them to be typed: 、 in Japanese, commas in English.
    joined = "、" if str(get_locale()) == "ja" else ", "
    form = ProfileForm(
        data={
            "introduction": profile.introduction,
            "skills": joined.join(profile.skills),
            "interests": joined.join(profile.interests),
            "visibility": profile.visibility.value,
            "residence": residence_of(db.session, current_user.id).value,
        }
    )
    if request.method == "POST" and form.validate_on_submit():
        now = utcnow()
        try:
            save_profile(
                db.session, current_user, introduction=form.introduction.data or "",
                visibility=form.visibility.data, skills=split_tags(form.skills.data or ""),
                interests=split_tags(form.interests.data or ""), now=now,
            )  # fmt: skip
        except DomainError as error:
            db.session.rollback()
            field = _field_of(form, error.code)
            field.errors = [*field.errors, str(error.message)]
        else:
            if form.residence.data:
                set_residence(db.session, current_user.id, form.residence.data, now)
            db.session.commit()
            flash(_("Your profile is saved."), "info")
            return redirect(url_for("profiles.edit"))
    status = 400 if form.errors else 200
    page = render_template("profiles/edit.html", form=form, details=VISIBILITY_DETAILS)
    return page, status


def _field_of(form: ProfileForm, code: str):
    """The field a refusal is about, to show it under."""
    for word, field in (("skill", form.skills), ("interest", form.interests),
                        ("visibility", form.visibility)):  # fmt: skip
        if word in code:
            return field
    return form.introduction
