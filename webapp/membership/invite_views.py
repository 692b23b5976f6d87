"""Inviting people (`/admin/members/invite`, `/admin/members/import`; administrators only): one
person, or a season's CSV file (upload, preview, confirm). An invitation's secret is shown in the
answer that made it and nowhere else: as a link and a QR code on the page, on printed A6 cards
(one PDF for a whole import) and, when a mail server is set, in e-mails. The printing and e-mail
buttons post the secrets of that page back; a person's page makes a new link (stopping the
earlier one) when the first is lost."""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts.invitations import (
    INVITATION_STATE_NAMES,
    Invited,
    find_invitation,
    invitation_state,
    invite_again,
    invite_person,
    latest_invitation,
    note_emailed,
)
from webapp.accounts.people_import import RowAction, import_people, preview_import
from webapp.accounts.services import get_person
from webapp.core.access import admin_required, protect
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.core.http import no_store, site_url
from webapp.core.mail import MailError, send_messages
from webapp.core.qr import qr_svg
from webapp.extensions import db
from webapp.membership.invitation_mail import invitation_message
from webapp.membership.invitation_pdf import PrintedInvitation, invitation_cards_pdf
from webapp.membership.invite_forms import ImportForm, InviteForm
from webapp.onchain.connection import get_public_keyring

bp = Blueprint("invitations", __name__, url_prefix="/admin/members")
protect(bp, admin_required)


@bp.app_context_processor
def invitation_helpers():
    """For a person's page (membership/_invitation.html): their latest invitation and its state."""

    def invitation_of(person):
        invitation = latest_invitation(db.session, person)
        state = invitation_state(invitation, utcnow()) if invitation else None
        return invitation, state

    return {"invitation_of": invitation_of, "invitation_state_names": INVITATION_STATE_NAMES}


def _lifetime() -> timedelta:
    return timedelta(days=current_app.config["INVITATION_DAYS"])


def join_url(secret: str) -> str:
    return f"{site_url()}{url_for('join.join', secret=secret)}"


def _shown(invited: list[Invited], heading: str):
    """The page that shows new invitations, once."""
    one = invited[0] if len(invited) == 1 else None
    return render_template(
        "membership/invited.html",
        heading=heading,
        invited=invited,
        one=one,
        url=join_url(one.secret) if one else None,
        svg=qr_svg(join_url(one.secret), _("The invitation's QR code")) if one else None,
        with_email=[i for i in invited if i.person.email],
        smtp=bool(current_app.config["SMTP_URL"]),
    )


@bp.route("/invite", methods=["GET", "POST"])
@no_store
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invited = invite_person(
                db.session, get_public_keyring(), actor=current_user,
                display_name=form.display_name.data, email=form.email.data,
                cohort=form.cohort.data, now=utcnow(), lifetime=_lifetime(),
            )  # fmt: skip
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            name = invited.person.display_name
            return _shown([invited], _("%(name)s is invited", name=name))
    page = render_template("membership/invite.html", form=form)
    return page, 400 if form.errors or request.method == "POST" else 200


@bp.post("/<int:user_id>/invitation")
@no_store
def new_link(user_id: int):
    person = get_person(db.session, user_id)
    try:
        invited = invite_again(
            db.session, person=person, actor=current_user, now=utcnow(), lifetime=_lifetime()
        )
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("membership.person", user_id=person.id))
    db.session.commit()
    return _shown([invited], _("A new invitation for %(name)s", name=person.display_name))


def _posted_invitations() -> list[Invited]:
    """The invitations whose secrets the page posted back, that still work."""
    now, found = utcnow(), []
    for secret in request.form.getlist("secret")[:2000]:
        try:
            found.append(Invited(find_invitation(db.session, secret, now), secret))
        except DomainError:
            continue
    return found


@bp.post("/invitations/cards")
@no_store
def cards():
    """The printed invitations of the secrets posted: one A6 page each."""
    invited = _posted_invitations()
    if not invited:
        flash(_("These invitations no longer work: make new ones on each person's page."), "error")
        return redirect(url_for("membership.members"))
    printed = [
        PrintedInvitation(i.person.display_name, join_url(i.secret), i.invitation.expires_at)
        for i in invited
    ]
    pdf = invitation_cards_pdf(printed, current_app.config["COMMUNITY_NAME"])
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="invitations.pdf"'
    return response


@bp.post("/invitations/email")
def email():
    """Sends the invitations posted to those who have an e-mail address."""
    url = current_app.config["SMTP_URL"]
    invited = [i for i in _posted_invitations() if i.person.email]
    back = request.form.get("back_to", type=int)
    target = url_for("membership.person", user_id=back) if back else url_for("membership.members")
    if not url or not invited:
        flash(_("No e-mail was sent: nobody here has an e-mail address and a working link."),
              "error")  # fmt: skip
        return redirect(target)
    config = current_app.config
    messages = [
        invitation_message(
            sender=config["MAIL_FROM"], to=i.person.email, name=i.person.display_name,
            inviter=current_user.display_name, community=config["COMMUNITY_NAME"],
            url=join_url(i.secret), expires=i.invitation.expires_at,
        )
        for i in invited
    ]  # fmt: skip
    try:
        send_messages(url, messages)
    except MailError:
        current_app.logger.warning("the mail server refused the invitations", exc_info=True)
        flash(_("The mail server could not be reached: no e-mail was sent. Try again later."),
              "error")  # fmt: skip
        return redirect(target)
    now = utcnow()
    for i in invited:
        note_emailed(db.session, i.invitation, actor=current_user, now=now)
    db.session.commit()
    flash(_("Invitations sent by e-mail: %(n)s", n=len(invited)), "info")
    return redirect(target)


@bp.route("/import", methods=["GET", "POST"])
@no_store
def import_file():
    """Upload a CSV file: the answer is its preview (nothing is written yet)."""
    form = ImportForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            preview = preview_import(db.session, data)
        except DomainError as error:
            form.file.errors = [*form.file.errors, str(error.message)]
        else:
            return render_template(
                "membership/import_preview.html",
                preview=preview,
                actions=RowAction,
                data=base64.b64encode(data).decode("ascii"),
                filename=form.file.data.filename or "",
            )
    page = render_template("membership/import.html", form=form)
    return page, 400 if form.errors else 200


@bp.post("/import/confirm")
@no_store
def confirm_import():
    """Writes what the preview showed, and shows the new invitations."""
    try:
        data = base64.b64decode(request.form.get("data", ""), validate=True)
    except (binascii.Error, ValueError):
        data = b""
    try:
        invited = import_people(
            db.session, get_public_keyring(), data, request.form.get("fingerprint", ""),
            actor=current_user, now=utcnow(), lifetime=_lifetime(),
        )  # fmt: skip
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("invitations.import_file"))
    db.session.commit()
    if not invited:
        flash(_("Nothing changed: everyone in the file is already here."), "info")
        return redirect(url_for("membership.members"))
    heading = _("People invited: %(n)s", n=len(invited))
    return _shown(invited, heading)
