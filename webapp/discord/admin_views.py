"""The administrators' Discord page (`/admin/discord`): the application's settings, the role
data's description sent to Discord, and the connections whose pushes fail."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from webapp.core.access import admin_required, protect
from webapp.core.db import utcnow
from webapp.core.errors import DomainError, NotFound
from webapp.discord.client import ERROR_WORDS, get_discord_client
from webapp.discord.forms import SettingsForm
from webapp.discord.models import DiscordConnection
from webapp.discord.services import count_connections, list_failing
from webapp.discord.settings import (
    get_application,
    get_settings,
    register_metadata,
    save_settings,
)
from webapp.discord.sync import push_now
from webapp.discord.views import redirect_uri
from webapp.extensions import db

bp = Blueprint("discord_admin", __name__, url_prefix="/admin/discord")
protect(bp, admin_required)


def page(form: SettingsForm | None = None, status: int = 200):
    settings = get_settings(db.session)
    if form is None:
        form = SettingsForm(
            formdata=None,
            client_id=settings.client_id if settings else "",
            guild_id=settings.guild_id if settings else "",
        )
    return render_template(
        "discord/admin.html",
        form=form.describe_secrets(settings),
        settings=settings,
        redirect_uri=redirect_uri(),
        connected=count_connections(db.session),
        failing=list_failing(db.session),
        error_words=ERROR_WORDS,
        now=utcnow(),
    ), status


@bp.get("")
def index():
    return page()


@bp.post("")
def save():
    form = SettingsForm()
    if not form.validate_on_submit():
        return page(form, 400)
    try:
        save_settings(
            db.session,
            client_id=form.client_id.data or "",
            guild_id=form.guild_id.data or "",
            client_secret=form.client_secret.data or "",
            bot_token=form.bot_token.data or "",
            now=utcnow(),
        )
    except DomainError as error:
        form.client_id.errors = [str(error.message)]
        return page(form, 400)
    db.session.commit()
    flash(_("The Discord settings are saved."), "info")
    return redirect(url_for("discord_admin.index"))


@bp.post("/metadata")
def metadata():
    try:
        register_metadata(db.session, get_discord_client(), utcnow())
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Discord now knows the member data its roles can ask for."), "info")
    return redirect(url_for("discord_admin.index"))


@bp.post("/connections/<int:connection_id>/retry")
def retry(connection_id: int):
    connection = db.session.get(DiscordConnection, connection_id)
    if connection is None:
        raise NotFound("not_found", _("This connection no longer exists."))
    application = get_application(db.session)
    if application is None:
        flash(_("Discord is not set up for this community yet."), "error")
        return redirect(url_for("discord_admin.index"))
    error = push_now(db.session, connection, application, get_discord_client(), utcnow())
    db.session.commit()
    if error is None:
        flash(_("Sent to Discord."), "info")
    else:
        flash(_("Not sent: %(why)s", why=error.description), "error")
    return redirect(url_for("discord_admin.index"))
