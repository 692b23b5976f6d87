"""Logging a person in on this browser: a new device session, the Flask-Login session and the
device's text size. Shared by the login views and by the join flow (membership.join_views), which
logs a new member in the moment they accept their invitation."""

from __future__ import annotations

from flask import after_this_request, request
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from webapp.accounts.devices import end_device_session, start_device_session
from webapp.accounts.models import LoginCard, TextSize, User
from webapp.accounts.text_size import device_text_size, keep_on_device
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.extensions import db


def log_in_here(user: User, *, remember: bool, card: LoginCard | None = None) -> None:
    """Logs `user` in on this browser, as a new device session, and commits the request's
    transaction (with whatever the caller wrote before: the join flow's acceptance). A session
    already open here (someone else's, say, on a shared tablet) ends first: it would stay
    listed, and live on in its remember cookie."""
    now = utcnow()
    if current_user.is_authenticated:
        try:
            end_device_session(db.session, current_user, current_user.device_id, now)
        except DomainError:  # ended elsewhere a moment ago: nothing left to end
            pass
        logout_user()
    label = describe_browser(request.user_agent.string)
    device = start_device_session(db.session, user, label, now, card)
    db.session.commit()
    user.device_id = device.id
    login_user(user, remember=remember)
    if device_text_size(request) is None:  # a new device starts at the account's text size
        size = TextSize(user.text_size)
        after_this_request(lambda response: keep_on_device(response, size))


def describe_browser(user_agent: str) -> str:
    """A short name for the browser and system, for a person to recognise their devices."""
    browsers = [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome")]
    browser = next((name for mark, name in browsers if mark in user_agent), None)
    if browser is None and "Safari/" in user_agent:
        browser = "Safari"
    systems = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "Mac"),
        ("Linux", "Linux"),
    ]
    system = next((name for mark, name in systems if mark in user_agent), None)
    return " / ".join(part for part in (browser, system) if part) or _("A browser")
