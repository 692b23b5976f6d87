"""The administrators' page for the community page's public version (`/admin/community`):
whether it is on, what it shows, and the switch."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.community.settings import get_settings, set_public_page
from webapp.core.access import admin_required, protect
from webapp.core.db import utcnow
from webapp.extensions import db

bp = Blueprint("community_admin", __name__, url_prefix="/admin/community")
protect(bp, admin_required)


@bp.get("")
def index():
    return render_template("community/admin.html", settings=get_settings(db.session))


@bp.post("")
def save():
    on = request.form.get("public_page") == "on"
    if set_public_page(db.session, on, actor=current_user, now=utcnow()):
        db.session.commit()
    if on:
        flash(_("The public page is on: anyone with its address can see it."), "info")
    else:
        flash(_("The public page is off."), "info")
    return redirect(url_for("community_admin.index"))
