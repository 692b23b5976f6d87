"""The community's choices about what it shows (community_settings, one row): this module is
the table's only writer. Turning the public page on or off is an administrator's change to what
the town sees, so it goes to the audit log like the other administrators' changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from webapp.accounts.audit import record_audit
from webapp.accounts.models import User
from webapp.community.models import CommunitySettings


def public_page_on(session: Session) -> bool:
    settings = session.get(CommunitySettings, 1)
    return bool(settings and settings.public_page)


def get_settings(session: Session) -> CommunitySettings | None:
    return session.get(CommunitySettings, 1)


def set_public_page(session: Session, on: bool, *, actor: User, now: datetime) -> bool:
    """Turns the public page on or off; whether anything changed (the same choice twice is
    not written, nor logged, again)."""
    settings = session.get(CommunitySettings, 1, with_for_update=True)
    if settings is None:
        settings = CommunitySettings(id=1, public_page=False)
        session.add(settings)
    if settings.public_page == on:
        return False
    settings.public_page = on
    settings.updated_at = now
    settings.updated_by_id = actor.id
    action = "community.public_on" if on else "community.public_off"
    record_audit(session, actor=actor, action=action, now=now)
    session.flush()
    return True
