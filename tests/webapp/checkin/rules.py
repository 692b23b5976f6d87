"""Helpers for events that invite by rule: badges at given moments, a project, a rule."""

from __future__ import annotations

from datetime import datetime

from webapp.checkin.models import Attendance
from webapp.checkin.services import record_claim
from webapp.core.db import utcnow
from webapp.events.services import InvitationSettings, set_invitation
from webapp.projects.services import activate_project, join_project, propose_project

from .scans import claim, code_for


def attend(session, user, event, at: datetime | None = None) -> Attendance:
    """`user` checks in to `event` (open now); the badge is dated `at`."""
    result = record_claim(session, user, claim(code_for(event)), now=utcnow(), source="api")
    assert result.accepted, result
    attendance = session.query(Attendance).filter_by(user_id=user.id, event_id=event.id).one()
    if at is not None:
        attendance.checked_in_at = at
    session.flush()
    return attendance


def make_project(session, lead, title="ぶどう畑の手入れ"):
    project = propose_project(
        session, lead, title=title, purpose="畑", help_wanted="", lead=lead, now=utcnow()
    )
    activate_project(session, project, now=utcnow())
    return project


def invite(session, event, **fields) -> None:
    """Sets the event's invitation (audience "rule" unless given) and commits."""
    fields.setdefault("audience", "rule")
    set_invitation(session, event, InvitationSettings(**fields))
    session.commit()


__all__ = ["attend", "invite", "join_project", "make_project"]
