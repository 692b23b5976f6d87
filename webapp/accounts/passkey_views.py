"""Passkeys in the browser: adding one (マイページ, and the join flow's page), logging in with one
from the login page without typing anything, removing one.

The page that asks for a passkey carries the ceremony's options in a JSON block; js/passkeys.js
hands them to the browser and posts its answer back as a form field, so each answer is a page:
on success the next page, on a refusal this page again with what went wrong.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts.forms import LoginForm
from webapp.accounts.login import describe_browser, log_in_here
from webapp.accounts.passkeys import (
    authenticate_passkey,
    login_options,
    register_passkey,
    registration_options,
    relying_party,
    remove_passkey,
)
from webapp.accounts.profile_views import account_page
from webapp.accounts.throttle import note_failed_login, per_address
from webapp.core.access import member_required
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.core.http import no_store, safe_next, site_url
from webapp.extensions import db

bp = Blueprint("passkeys", __name__)


def _relying_party():
    return relying_party(site_url(), "Enishi")


@bp.app_context_processor
def passkey_login():
    """`passkey_login_options()`: the options of a passkey login, for the login page (a fresh
    challenge each time the page is drawn)."""
    return {"passkey_login_options": lambda: login_options(_relying_party(), session, utcnow())}


def _after_adding() -> str:
    return safe_next(request.args.get("next"), url_for("accounts.account", _anchor="passkeys"))


def _new_page(status: int = 200):
    options = registration_options(
        db.session,
        current_user,
        _relying_party(),
        current_app.secret_key,
        session,
        utcnow(),
    )
    return render_template(
        "accounts/passkey_new.html", options=options, next=_after_adding()
    ), status


@bp.get("/account/passkeys/new")
@member_required
@no_store
def new():
    """One big button: this phone's fingerprint or face becomes a way to log in. Then on to
    `next` (the join flow sends a new member here, then to their wallet)."""
    return _new_page()


@bp.post("/account/passkeys")
@member_required
def add():
    try:
        register_passkey(
            db.session,
            current_user,
            request.form.get("credential", ""),
            rp=_relying_party(),
            challenges=session,
            name=describe_browser(request.user_agent.string),
            now=utcnow(),
        )
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _new_page(error.status)
    db.session.commit()
    flash(_("The passkey is added. Next time, log in with your fingerprint or face."), "info")
    return redirect(_after_adding())


@bp.post("/account/passkeys/<int:passkey_id>/remove")
@member_required
def remove(passkey_id: int):
    """Removes a passkey of the person's; their last way to log in stays, and マイページ says
    why."""
    try:
        remove_passkey(db.session, current_user, passkey_id)
    except DomainError as error:
        if error.code != "last_way_to_log_in":
            raise
        flash(str(error.message), "error")
        return account_page(400)
    db.session.commit()
    flash(_("The passkey is removed."), "info")
    return redirect(url_for("accounts.account", _anchor="passkeys"))


@bp.post("/login/passkey")
@per_address
def log_in():
    """The login page's 「パスキーでログイン」: the passkey names its account itself."""
    try:
        user = authenticate_passkey(
            db.session,
            request.form.get("credential", ""),
            rp=_relying_party(),
            secret_key=current_app.secret_key,
            challenges=session,
            now=utcnow(),
        )
    except DomainError as error:
        db.session.rollback()
        note_failed_login()
        flash(str(error.message), "error")
        return render_template("accounts/login.html", form=LoginForm(formdata=None)), error.status
    log_in_here(user, remember=True)
    return redirect(safe_next(request.args.get("next"), url_for("site.start")))
