"""The check-in this browser scanned before its login, kept in its Flask session: remembered
when a visitor opens a check-in link, read where the login lands (`/start`) and taken when the
claim is made."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import session, url_for

# A scan made while logged out is remembered, so that a slow login still counts it, but only
# for this long: the remembered time is what the code's age is measured from.
PENDING_SCAN_KEY = "pending_scan"
PENDING_SCAN_MAX_AGE = timedelta(minutes=15)


def remember_pending_scan(token: str, now: datetime) -> None:
    """Keeps the code a visitor opened, with when the server saw it."""
    session[PENDING_SCAN_KEY] = {"token": token, "seen_at": now.isoformat()}


def pending_scan_url(now: datetime) -> str | None:
    """The check-in link scanned on this browser before its login, while it may still count
    from the moment it was scanned: where a login that carries no `next` goes first (a login
    card read by the phone's own camera app)."""
    pending = session.get(PENDING_SCAN_KEY)
    if not pending or _seen_at(pending, now) is None:
        return None
    return url_for("checkin.claim", token=pending["token"])


def take_pending_scan(token: str, now: datetime) -> datetime | None:
    """When this browser first saw `token`, if it is the scan kept for after the login and may
    still count from then; the scan is forgotten either way."""
    pending = session.pop(PENDING_SCAN_KEY, None)
    if not pending or pending.get("token") != token:
        return None
    return _seen_at(pending, now)


def _seen_at(pending: dict, now: datetime) -> datetime | None:
    try:
        seen_at = datetime.fromisoformat(pending["seen_at"])
    except (KeyError, TypeError, ValueError):
        return None
    return seen_at if timedelta(0) <= now - seen_at <= PENDING_SCAN_MAX_AGE else None
