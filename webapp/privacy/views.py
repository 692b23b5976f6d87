"""A person's own data (`/account/data`): see what is kept, download it all, close the account."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from webapp.core.access import member_required, protect
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.core.http import no_store
from webapp.core.i18n import local_zone
from webapp.extensions import db
from webapp.privacy.closing import (
    clear_discord_roles,
    close_account,
    confirm_closing,
    confirmation_word,
)
from webapp.privacy.export import collect_personal_data, personal_data_zip

bp = Blueprint("privacy", __name__, url_prefix="/account")
protect(bp, member_required)


@bp.get("/data")
def data():
    return render_template("privacy/data.html")


@bp.get("/data/enishi-data.zip")
@no_store
def download():
    now = utcnow()
    archive = personal_data_zip(collect_personal_data(db.session, current_user, now), now)
    day = now.astimezone(local_zone()).strftime("%Y%m%d")
    response = Response(archive, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="enishi-data-{day}.zip"'
    return response


@bp.get("/close")
def close():
    return render_template("privacy/close.html", word=confirmation_word())


@bp.post("/close")
def close_post():
    now = utcnow()
    try:
        confirm_closing(
            current_user,
            password=request.form.get("password", ""),
            word=request.form.get("word", ""),
        )
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return render_template("privacy/close.html", word=confirmation_word()), 400
    cleared = clear_discord_roles(db.session, current_user, now)  # ends the transaction first
    try:
        close_account(db.session, current_user, now=now, discord_cleared=cleared)
    except DomainError as error:  # closed meanwhile (from another device)
        db.session.rollback()
        flash(str(error.message), "error")
        return render_template("privacy/close.html", word=confirmation_word()), 400
    db.session.commit()
    logout_user()
    flash(_("Your account is closed. Thank you for taking part."), "info")
    return redirect(url_for("accounts.login"))
