"""Projects: propose, activate, join and leave (the only writer of projects and their members).

A member proposes a project; it becomes active by the rule the community chose (an
administrator's approval by default, or a passed proposal); then members join and leave it.
Only members whose 会員証 gives its rights may propose, lead or join."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.core.errors import DomainError, NotFound
from webapp.membership.services import is_member
from webapp.projects.models import Project, ProjectMember, ProjectStatus

MAX_TITLE_LENGTH = 200


def get_project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound("no_such_project", _l("There is no such project."))
    return project


def propose_project(
    session: Session,
    proposer: User,
    *,
    title: str,
    purpose: str,
    help_wanted: str,
    lead: User,
    now: datetime,
) -> Project:
    """A member's new project, waiting to become active; its lead is its first member."""
    title = title.strip()
    if not title or len(title) > MAX_TITLE_LENGTH:
        raise DomainError("bad_title", _l("Give the project a title of at most 200 characters."))
    for person in (proposer, lead):
        if not is_member(session, person, now):
            raise DomainError(
                "not_a_member", _l("Only members with a membership card can launch a project.")
            )
    project = Project(
        title=title,
        purpose=purpose.strip(),
        help_wanted=help_wanted.strip(),
        lead_id=lead.id,
        proposed_by_id=proposer.id,
        status=ProjectStatus.PROPOSED,
        created_at=now,
    )
    session.add(project)
    session.flush()
    session.add(ProjectMember(project_id=project.id, user_id=lead.id, joined_at=now))
    session.flush()
    return project


def activate_project(
    session: Session, project: Project, *, now: datetime, approved_by: User | None = None
) -> None:
    """Makes a proposed project active: by an administrator's approval (`approved_by`), or,
    with none, because its proposal passed."""
    if project.status != ProjectStatus.PROPOSED:
        raise DomainError("not_proposed", _l("This project no longer waits for a decision."))
    project.status = ProjectStatus.ACTIVE
    project.activated_at = now
    project.approved_by_id = approved_by.id if approved_by else None
    session.flush()


def decline_project(session: Session, project: Project, *, now: datetime) -> None:
    if project.status != ProjectStatus.PROPOSED:
        raise DomainError("not_proposed", _l("This project no longer waits for a decision."))
    project.status = ProjectStatus.DECLINED
    project.ended_at = now
    session.flush()


def join_project(session: Session, project: Project, user: User, *, now: datetime) -> None:
    """`user` joins an active project (again, if they had left it)."""
    if project.status != ProjectStatus.ACTIVE:
        raise DomainError("not_active", _l("Only an active project can be joined."))
    if not is_member(session, user, now):
        raise DomainError(
            "not_a_member", _l("Only members with a membership card can join a project.")
        )
    row = session.get(ProjectMember, (project.id, user.id))
    if row is None:
        session.add(ProjectMember(project_id=project.id, user_id=user.id, joined_at=now))
    elif row.left_at is not None:
        row.joined_at, row.left_at = now, None
    session.flush()


def leave_project(session: Session, project: Project, user: User, *, now: datetime) -> None:
    row = session.get(ProjectMember, (project.id, user.id))
    if row is not None and row.left_at is None:
        row.left_at = now
        session.flush()


def in_project_ids(session: Session, user_id: int) -> set[int]:
    """The active projects `user_id` is a member of now."""
    query = (
        select(ProjectMember.project_id)
        .join(Project, Project.id == ProjectMember.project_id)
        .where(
            ProjectMember.user_id == user_id,
            ProjectMember.left_at.is_(None),
            Project.status == ProjectStatus.ACTIVE,
        )
    )
    return set(session.scalars(query))


def list_project_members(session: Session, project: Project) -> list[User]:
    query = (
        select(User)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == project.id, ProjectMember.left_at.is_(None))
        .order_by(User.display_name)
    )
    return list(session.scalars(query))
