"""The audit log: the only writer of its table. What someone did to another person's account
(a login card printed or stopped, a role changed), for the administrators to read back."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts.models import AuditEntry, User

# What each action is called on the page; the codes stay as they are in the table.
AUDIT_ACTIONS = {
    "account.closed": _l("Closed their account"),
    "community.public_off": _l("Turned the community's public page off"),
    "community.public_on": _l("Turned the community's public page on"),
    "invitation.created": _l("Invited a person"),
    "invitation.accepted": _l("Joined (accepted an invitation)"),
    "invitation.emailed": _l("Sent an invitation by e-mail"),
    "invitation.renewed": _l("Made a new invitation link"),
    "login_card.printed": _l("Printed a login card"),
    "login_card.stopped": _l("Stopped a login card"),
    "membership.issued": _l("Gave a member card"),
    "membership.renewed": _l("Renewed a member card"),
    "membership.revoked": _l("Took a member card back"),
    "people.imported": _l("Imported people from a CSV file"),
    "project.approved": _l("Approved a project"),
    "project.closed": _l("Closed a project"),
    "project.declined": _l("Declined a project"),
    "role.changed": _l("Changed a role"),
    "thanks.rules": _l("Changed the rules for thanks"),
    "yui.hidden": _l("Hid a post on the 結い board"),
}


def record_audit(
    session: Session,
    *,
    actor: User,
    action: str,
    now: datetime,
    subject: User | None = None,
    detail: str = "",
) -> AuditEntry:
    entry = AuditEntry(
        at=now,
        actor_id=actor.id,
        action=action,
        subject_id=subject.id if subject else None,
        detail=detail[:200],
    )
    session.add(entry)
    session.flush()
    return entry


def list_audit(session: Session, limit: int = 200) -> list[AuditEntry]:
    """The newest entries first."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    return list(session.scalars(query))
