"""Joining (`/join/<secret>`, public, on a phone): the invited person sees who invited them and
what Enishi is, chooses their name and how they will log in, and in one transaction joins, is
given their 会員証 (queued for the chain) and is logged in on this phone.

The secret is in the path (a link an administrator prints or e-mails): the page is kept by no
cache and sends its address to no one (no-referrer); the app never logs it. A link that no longer
works gets a page that says why and whom to ask, never an error. Guessing is limited like the
login: per client address, only refusals count."""

from __future__ import annotations

import logging
import re

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts.invitations import REFUSALS, accept_invitation, find_invitation
from webapp.accounts.login import log_in_here
from webapp.accounts.throttle import note_failed_login, per_address_links
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.core.http import no_store, secret_in_url
from webapp.extensions import db
from webapp.membership.invite_forms import JoinForm
from webapp.membership.services import get_membership, issue_membership
from webapp.profiles.residence import set_residence

bp = Blueprint("join", __name__, url_prefix="/join")

SECRET_IN_PATH = re.compile(r"/join/[^\s?\"]+")


class HideJoinSecrets(logging.Filter):
    """Keeps invitation secrets out of the request log (werkzeug's: `"GET /join/<secret> ..."`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                SECRET_IN_PATH.sub("/join/…", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = SECRET_IN_PATH.sub("/join/…", record.msg)
        return True


HIDE_JOIN_SECRETS = HideJoinSecrets()


@bp.record_once
def _hide_secrets_in_logs(state) -> None:
    """The request log, and the app's own (an error on the page is logged with its path)."""
    logging.getLogger("werkzeug").addFilter(HIDE_JOIN_SECRETS)
    state.app.logger.addFilter(HIDE_JOIN_SECRETS)


def _refusal_page(error: DomainError):
    """What a person opening a link that does not work reads: what happened, whom to ask."""
    if error.code == "unknown_invitation":
        note_failed_login()  # a guess: counted like a wrong password
    invitation = getattr(error, "invitation", None)
    inviter = invitation.created_by.display_name if invitation is not None else None
    page = render_template(
        "membership/join_refused.html", code=error.code, message=error.message, inviter=inviter
    )
    return page, error.status


@bp.route("/<secret>", methods=["GET", "POST"])
@per_address_links
@secret_in_url
@no_store
def join(secret: str):
    now = utcnow()
    try:
        invitation = find_invitation(db.session, secret, now)
    except DomainError as error:
        if error.code not in REFUSALS:
            raise
        return _refusal_page(error)
    person = invitation.user
    form = JoinForm(data={"display_name": person.display_name})
    refused = False
    if person.email is None:  # a password logs in with an e-mail address: none, no password
        form.way.choices = [c for c in form.way.choices if c.value != "password"]
    if form.validate_on_submit():
        way = form.way.data
        password = form.password.data if way == "password" else None
        if way == "password" and not password:
            form.password.errors = [*form.password.errors, _("Type the password you chose.")]
        else:
            try:
                person = accept_invitation(
                    db.session, secret, display_name=form.display_name.data,
                    password=password, now=now, way=way,
                )  # fmt: skip
                if get_membership(db.session, person) is None:  # given one already: keep it
                    issue_membership(db.session, person, now)
                if form.residence.data:
                    set_residence(db.session, person.id, form.residence.data, now)
            except DomainError as error:
                db.session.rollback()
                if error.code in REFUSALS:
                    return _refusal_page(error)
                refused = True
                if error.code == "term_over":  # the office's setting, not theirs to mend
                    flash(_("Member cards cannot be given just now: please tell %(name)s.",
                            name=invitation.created_by.display_name), "error")  # fmt: skip
                else:
                    flash(str(error.message), "error")
            else:
                log_in_here(person, remember=True)  # commits the whole join at once
                if way == "passkey":
                    # Made on its own page (one button, then the phone's own prompt), which
                    # then opens the wallet with the new card.
                    return redirect(url_for("passkeys.new", next=url_for("wallet.show")))
                if way == "card":
                    flash(_("Welcome! Ask the office for your login card: it logs you in on a "
                            "new phone."), "info")  # fmt: skip
                else:
                    flash(_("Welcome! Your member card is being recorded."), "info")
                return redirect(url_for("wallet.show"))
    status = 400 if form.errors or refused else 200
    page = render_template(
        "membership/join.html",
        form=form,
        person=person,
        inviter=invitation.created_by.display_name,
        community=current_app.config["COMMUNITY_NAME"],
        logged_in_as=current_user.display_name if current_user.is_authenticated else None,
    )
    return page, status
