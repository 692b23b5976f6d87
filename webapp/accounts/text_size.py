"""The size of the app's text (標準, 大きい, 特大), kept on the device and on the account.

Which wins: the size chosen on this device (its cookie), then the account's, then 標準. A
device where nobody has chosen a size takes the account's at its first login and keeps it from
then on, so that a new phone starts at the member's size, each device keeps what was chosen on
it, and pages drawn before a login (the login page, a poster's link) are drawn at it too. The
page is drawn at its size by the server (a class on <html>): no script runs first, and none
could run inline (the site's CSP)."""

from __future__ import annotations

from flask import Request, Response, current_app

from webapp.accounts.models import TextSize, User

COOKIE = "text_size"
# Browsers keep a cookie at most 400 days; a choice made once should not expire sooner.
COOKIE_DAYS = 400


def device_text_size(request: Request) -> TextSize | None:
    """The size chosen on this device, if any (an unknown value counts as none)."""
    sent = request.cookies.get(COOKIE, "")
    return TextSize(sent) if sent in set(TextSize) else None


def text_size_for(request: Request, user: User | None) -> TextSize:
    """The size this page is drawn at: the device's, else the account's, else 標準."""
    chosen = device_text_size(request)
    if chosen is not None:
        return chosen
    if user is not None and user.is_authenticated and user.text_size in set(TextSize):
        return TextSize(user.text_size)
    return TextSize.STANDARD


def keep_on_device(response: Response, size: TextSize) -> Response:
    """Remembers `size` on this device (read by the server only: no script needs it)."""
    config = current_app.config
    response.set_cookie(
        COOKIE,
        size.value,
        max_age=COOKIE_DAYS * 24 * 3600,
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response
