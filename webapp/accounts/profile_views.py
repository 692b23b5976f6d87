"""マイページ's name and password: a person changes what they are called, and sets or changes
their password (the current one first). The page's passkey list comes with them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts.forms import NameForm, PasswordForm, TextSizeForm
from webapp.accounts.passkeys import list_passkeys
from webapp.accounts.services import change_password, rename_user
from webapp.accounts.text_size import text_size_for
from webapp.core.access import member_required
from webapp.core.errors import DomainError
from webapp.extensions import db

bp = Blueprint("profile", __name__)


@bp.app_context_processor
def account_parts():
    """`account_forms(name_form, password_form)`: マイページ's name and password forms (the
    ones given, refused and showing why, or fresh ones) and the person's passkeys."""

    def forms(name_form=None, password_form=None) -> dict:
        return {
            "name_form": name_form
            or NameForm(formdata=None, display_name=current_user.display_name),
            "password_form": password_form or PasswordForm(formdata=None),
            "passkeys": list_passkeys(db.session, current_user),
        }

    return {"account_forms": forms}


def account_page(status: int, **forms):
    """マイページ drawn again, with a refused form showing why (or a flashed refusal)."""
    size = TextSizeForm(formdata=None, size=text_size_for(request, current_user).value)
    return render_template("accounts/account.html", text_size_form=size, **forms), status


@bp.post("/account/name")
@member_required
def rename():
    form = NameForm()
    if form.validate_on_submit():
        try:
            rename_user(db.session, current_user, form.display_name.data)
        except DomainError as error:
            form.display_name.errors = [str(error.message)]
        else:
            db.session.commit()
            flash(_("Your name is saved."), "info")
            return redirect(url_for("accounts.account", _anchor="name"))
    return account_page(400, name_form=form)


@bp.post("/account/password")
@member_required
def password():
    form = PasswordForm()
    had_password = bool(current_user.password_hash)
    if form.validate_on_submit():
        try:
            change_password(
                db.session,
                current_user,
                current=form.current_password.data,
                new=form.new_password.data,
            )
        except DomainError as error:
            field = form.current_password if error.code == "wrong_password" else form.new_password
            field.errors = [str(error.message)]
        else:
            db.session.commit()
            flash(
                _("Your password is changed.") if had_password else _("Your password is set."),
                "info",
            )
            return redirect(url_for("accounts.account", _anchor="password"))
    return account_page(400, password_form=form)
