"""マイページ's 「Discord と連携」: a member connects their Discord account once (OAuth2, a state
bound to their session), and may disconnect it. Each view ends its transaction before it calls
Discord (services.py says why)."""

from __future__ import annotations

import hmac
import secrets

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.core.access import member_required, protect
from webapp.core.db import utcnow, writes_database
from webapp.core.errors import DomainError
from webapp.core.http import no_store, site_url
from webapp.discord.client import get_discord_client
from webapp.discord.services import (
    Login,
    clear_roles,
    fetch_account,
    forget_connection,
    get_connection,
    keep_connection,
)
from webapp.discord.settings import get_application, get_settings
from webapp.discord.sync import push_now
from webapp.extensions import db

bp = Blueprint("discord", __name__, url_prefix="/account/discord")
protect(bp, member_required)
STATE_KEY = "discord_oauth_state"


@bp.app_context_processor
def discord_parts():
    """`discord_card()`: what マイページ's Discord card shows (nothing when it is not set up),
    the time now (a date of another year is written with its year) and a link to the
    community's server (when the administrator gave its id)."""

    def card() -> dict | None:
        settings = get_settings(db.session)
        if settings is None or not settings.configured:
            return None
        return {
            "connection": get_connection(db.session, current_user),
            "now": utcnow(),
            "server": server_url(settings.guild_id),
        }

    return {"discord_card": card}


def server_url(guild_id: str) -> str | None:
    """The community's Discord server, opened in Discord (its app, or the browser)."""
    return f"https://discord.com/channels/{guild_id}" if guild_id else None


def redirect_uri() -> str:
    return site_url() + url_for("discord.callback")


def back_to_account():
    return redirect(url_for("accounts.account", _anchor="discord"))


def not_set_up():
    flash(_("Discord is not set up for this community yet."), "error")
    return back_to_account()


@bp.get("/connect")
def start():
    application = get_application(db.session)
    if application is None:
        return not_set_up()
    state = secrets.token_urlsafe(24)
    session[STATE_KEY] = state
    client = get_discord_client()
    return redirect(client.authorize_url(application.client_id, redirect_uri(), state))


@bp.get("/callback")
@writes_database
@no_store
def callback():
    expected = session.pop(STATE_KEY, None)
    state = request.args.get("state", "")
    if not expected or not hmac.compare_digest(expected, state):
        raise DomainError(
            "bad_state", _l("This link is old or was not started here. Please connect again.")
        )
    if request.args.get("error") or not request.args.get("code"):
        flash(_("Discord was not connected."), "info")
        return back_to_account()
    application = get_application(db.session)
    if application is None:
        return not_set_up()
    first = get_connection(db.session, current_user)
    first_login = Login.of(first) if first is not None else None
    first_account = first.discord_user_id if first is not None else None
    db.session.commit()  # no transaction stays open while Discord answers
    client, now = get_discord_client(), utcnow()
    tokens, me = fetch_account(
        application, client, code=request.args["code"], redirect_uri=redirect_uri()
    )
    cleared = True
    if first_login is not None and first_account != str(me.get("id", "")):
        # Another Discord account: the first one's roles go (or the round clears them).
        cleared = clear_roles(first_login, application, client, now)
    connection = keep_connection(db.session, current_user, tokens, me, now, old_cleared=cleared)
    db.session.commit()
    push_now(db.session, connection, application, client, now)  # a failure: rounds retry it
    db.session.commit()
    flash(_("Your Discord account is connected."), "info")
    return back_to_account()


@bp.post("/disconnect")
def stop():
    connection = get_connection(db.session, current_user)
    if connection is None:
        return back_to_account()
    login, application, now = Login.of(connection), get_application(db.session), utcnow()
    db.session.commit()  # no transaction stays open while Discord answers
    cleared = clear_roles(login, application, get_discord_client(), now)
    forget_connection(db.session, current_user, cleared=cleared)  # or the round clears it
    db.session.commit()
    flash(_("Discord is no longer connected."), "info")
    return back_to_account()
