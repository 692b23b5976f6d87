"""The administrators' 結い page (`/admin/yui`): the posts members reported, with their
reports, each hidden with a reason its person reads, or kept; and the hidden posts."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.core.access import admin_required, protect
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.extensions import db
from webapp.yui.choices import AREAS, CATEGORIES, KIND_NAMES
from webapp.yui.forms import ReasonForm, first_error
from webapp.yui.lists import list_hidden_posts, list_reported_posts
from webapp.yui.services import get_post, hide_post, keep_post

bp = Blueprint("yui_admin", __name__, url_prefix="/admin/yui")
protect(bp, admin_required)


@bp.get("")
def index():
    return render_template(
        "yui/admin.html",
        reported=list_reported_posts(db.session),
        hidden=list_hidden_posts(db.session),
        form=ReasonForm(),
        now=utcnow(),
        kinds=KIND_NAMES,
        categories=CATEGORIES,
        areas=AREAS,
    )


@bp.post("/<int:post_id>/hide")
def hide(post_id: int):
    post = get_post(db.session, post_id)
    form = ReasonForm()
    if not form.validate():
        flash(first_error(form), "error")
        return redirect(url_for("yui_admin.index"))
    _act(lambda: hide_post(db.session, post, current_user, form.reason.data or "", utcnow()),
         _("The post is hidden. Its person can read why."))  # fmt: skip
    return redirect(url_for("yui_admin.index"))


@bp.post("/<int:post_id>/keep")
def keep(post_id: int):
    post = get_post(db.session, post_id)
    _act(lambda: keep_post(db.session, post, current_user, utcnow()),
         _("The post stays on the board."))  # fmt: skip
    return redirect(url_for("yui_admin.index"))


def _act(action, done: str) -> None:
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(done, "info")
