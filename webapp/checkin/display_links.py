"""Display links: the only writer of their table. A link `/display/<token>` shows one event's
rotating check-in code on a tablet left at the venue, without an organiser's session on it.

The token is 32 random bytes (url-safe); only its SHA-256 is kept, so the link is shown once,
when it is made. Anyone holding the link sees the kiosk page of that event and nothing else:
it logs no one in. The page carries the event's display key (the kiosk computes codes itself,
offline too), so stopping a link also rotates that key (`events.services.rotate_display_key`):

- codes signed with the old key are refused from then on (`bad_signature`), including claims
  scanned before the link was stopped and sent later from a phone that was offline. A stopped
  link is usually a lost or stolen tablet, and its holder can make the old key's code for any
  past slot, which a check-in could not tell from a real offline scan. Members caught by it
  are checked in by hand at the organiser's desk;
- every other display (links not stopped, the organisers' own display page) gets the new key
  when it next loads the page while online;
- printed posters are signed with a key that never rotates, and keep working.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.checkin.models import DisplayLink
from webapp.core.errors import DomainError, NotFound
from webapp.events.models import Event
from webapp.events.services import rotate_display_key

TOKEN_BYTES = 32
MAX_TOKEN_CHARS = 64
MAX_LABEL_CHARS = 100
# When a link was last opened is written at most this often: a reload need not write.
SEEN_EVERY = timedelta(minutes=1)


def create_display_link(
    session: Session, event: Event, creator: User, label: str, now: datetime
) -> tuple[DisplayLink, str]:
    """A new display link for `event`, and its token (shown once, never stored)."""
    label = " ".join((label or "").split())
    if not label:
        raise DomainError(
            "label_required", _l("Give the link a name, such as the reception tablet.")
        )
    if len(label) > MAX_LABEL_CHARS:
        raise DomainError("label_too_long", _l("The name can have at most 100 characters."))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = DisplayLink(
        event_id=event.id,
        label=label,
        token_hash=_hash(token),
        created_by_id=creator.id,
        created_at=now,
    )
    session.add(link)
    session.flush()
    return link, token


def list_display_links(session: Session, event: Event) -> list[DisplayLink]:
    """The event's display links, working ones first, newest first."""
    query = (
        select(DisplayLink)
        .where(DisplayLink.event_id == event.id)
        .order_by(DisplayLink.revoked_at.is_not(None), DisplayLink.id.desc())
    )
    return list(session.scalars(query))


def get_display_link(session: Session, event: Event, link_id: int) -> DisplayLink:
    link = session.get(DisplayLink, link_id)
    if link is None or link.event_id != event.id:
        raise NotFound("no_such_display_link", _l("There is no such display link."))
    return link


def stop_display_link(session: Session, link: DisplayLink, actor: User, now: datetime) -> bool:
    """Stops the link and rotates the event's display key; False if it was stopped already
    (a second click rotates nothing)."""
    query = (
        select(DisplayLink.revoked_at)
        .where(DisplayLink.id == link.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if session.scalar(query) is not None:
        return False
    link.revoked_at = now
    link.revoked_by_id = actor.id
    rotate_display_key(session, link.event)
    return True


def find_display_link(session: Session, token: str) -> DisplayLink | None:
    """The link whose token this is, stopped or not (the page tells a stopped link apart)."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    return session.scalar(select(DisplayLink).where(DisplayLink.token_hash == _hash(token)))


def get_working_display_link(session: Session, token: str) -> DisplayLink:
    """The link whose token this is, if it still works: an unknown one is not found (404), a
    stopped one is gone (410)."""
    link = find_display_link(session, token)
    if link is None:
        raise NotFound("no_such_display_link", _l("There is no such display link."))
    if link.revoked_at is not None:
        raise DomainError("display_link_stopped", _l("This display link is stopped."), status=410)
    return link


def seen_since(link: DisplayLink, now: datetime) -> bool:
    """Whether the link's last opening is stale enough to be written again."""
    return link.last_seen_at is None or now - link.last_seen_at >= SEEN_EVERY


def mark_seen(connection: Connection, link_id: int, now: datetime) -> None:
    """Records that a device opened the link, in a transaction of its own (a GET answers it;
    see core.db.defer_write)."""
    connection.execute(
        update(DisplayLink).where(DisplayLink.id == link_id).values(last_seen_at=now)
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
