"""Projects: propose, activate, join and leave (the only writer of projects and their members).

A member proposes a project; it becomes active by the rule the community chose (an
administrator's approval by default, or a passed proposal); then members join and leave it.
Only members whose 会員証 gives its rights may propose, lead or join. A project's lead (or an
administrator) closes it, and gives its contributor badge to its members, once each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.accounts.audit import record_audit
from webapp.accounts.models import User
from webapp.core.errors import DomainError, Forbidden, NotFound
from webapp.events.models import Event
from webapp.membership.models import Membership
from webapp.membership.services import MemberState, is_member, member_state_column
from webapp.onchain.jobs import queue_project_badge
from webapp.projects.models import Project, ProjectBadge, ProjectMember, ProjectStatus

MAX_TITLE_LENGTH = 200
MAX_REASON_LENGTH = 1000
# How a proposed project becomes active (ENISHI_PROJECT_APPROVAL).
APPROVAL_BY_ADMIN = "admin"
APPROVAL_BY_PROPOSAL = "proposal"
APPROVAL_RULES = (APPROVAL_BY_ADMIN, APPROVAL_BY_PROPOSAL)


def check_approval_rule(rule: str) -> None:
    """Refuses an ENISHI_PROJECT_APPROVAL that is neither rule (at the app's start)."""
    if rule not in APPROVAL_RULES:
        raise ValueError(
            f"ENISHI_PROJECT_APPROVAL: {rule!r} is none of {', '.join(APPROVAL_RULES)}"
        )


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


def decline_project(session: Session, project: Project, *, now: datetime, reason: str = "") -> None:
    """Declines a proposed project: by an administrator (with `reason`, for its proposer), or
    because its proposal did not pass."""
    if project.status != ProjectStatus.PROPOSED:
        raise DomainError("not_proposed", _l("This project no longer waits for a decision."))
    project.status = ProjectStatus.DECLINED
    project.ended_at = now
    project.decline_reason = reason.strip()[:MAX_REASON_LENGTH]
    session.flush()


def approve_project(session: Session, project: Project, *, admin: User, now: datetime) -> None:
    """An administrator's approval (where the community's rule is theirs): written to the audit
    log."""
    lock_project(session, project)
    activate_project(session, project, now=now, approved_by=admin)
    record_audit(
        session, actor=admin, action="project.approved", now=now, subject=project.lead,
        detail=project.title,
    )  # fmt: skip


def decline_by_admin(
    session: Session, project: Project, *, admin: User, now: datetime, reason: str = ""
) -> None:
    lock_project(session, project)
    decline_project(session, project, now=now, reason=reason)
    record_audit(
        session, actor=admin, action="project.declined", now=now, subject=project.lead,
        detail=project.title,
    )  # fmt: skip


def close_project(session: Session, project: Project, *, actor: User, now: datetime) -> None:
    """Closes an active project: no one joins any more; its members and badges stay."""
    ensure_leads(project, actor)
    lock_project(session, project)
    if project.status != ProjectStatus.ACTIVE:
        raise DomainError("not_active", _l("Only an active project can be closed."))
    project.status = ProjectStatus.CLOSED
    project.ended_at = now
    session.flush()
    if actor.is_admin and actor.id != project.lead_id:
        record_audit(
            session, actor=actor, action="project.closed", now=now, subject=project.lead,
            detail=project.title,
        )  # fmt: skip


def can_lead(project: Project, user: User) -> bool:
    """Whether `user` may close the project and give its badge: its lead, or an administrator."""
    return user.id == project.lead_id or bool(user.is_admin)


def ensure_leads(project: Project, user: User) -> None:
    if not can_lead(project, user):
        raise Forbidden(
            "not_the_lead", _l("Only the project's lead or an administrator can do this.")
        )


def lock_project(session: Session, project: Project) -> None:
    """Locks the project's row and reads it again: two deciding at once (administrators, or a
    proposal closing, or two members putting it to the vote) decide once."""
    session.scalar(
        select(Project)
        .where(Project.id == project.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def join_project(session: Session, project: Project, user: User, *, now: datetime) -> None:
    """`user` joins an active project (again, if they had left it)."""
    lock_project(session, project)
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


def is_in_project(session: Session, project: Project, user: User) -> bool:
    row = session.get(ProjectMember, (project.id, user.id))
    return row is not None and row.left_at is None


@dataclass(frozen=True)
class ProjectSummary:
    project: Project
    members: int  # how many are in it now


def list_projects(session: Session) -> list[ProjectSummary]:
    """Active projects (newest first), then those waiting for a decision (oldest first)."""
    members = (
        select(func.count())
        .select_from(ProjectMember)
        .where(ProjectMember.project_id == Project.id, ProjectMember.left_at.is_(None))
        .scalar_subquery()
    )
    order = case((Project.status == ProjectStatus.ACTIVE, 0), else_=1)
    query = (
        select(Project, members)
        .where(Project.status.in_((ProjectStatus.ACTIVE, ProjectStatus.PROPOSED)))
        .order_by(order, case((Project.status == ProjectStatus.ACTIVE, -Project.id),
                              else_=Project.id))
    )  # fmt: skip
    return [ProjectSummary(project, count) for project, count in session.execute(query)]


def list_waiting_projects(session: Session) -> list[Project]:
    """Projects waiting for a decision, oldest first (the administrators' page)."""
    query = select(Project).where(Project.status == ProjectStatus.PROPOSED).order_by(Project.id)
    return list(session.scalars(query))


def list_lead_candidates(session: Session, now: datetime) -> list[User]:
    """Who may lead a project: members whose 会員証 gives its rights now, by name."""
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(member_state_column(now) == MemberState.MEMBER.value)
        .order_by(User.display_name, User.id)
    )
    return list(session.scalars(query))


def list_project_events(session: Session, project: Project) -> list[Event]:
    """The events that belong to the project, in time order."""
    query = select(Event).where(Event.project_id == project.id).order_by(Event.starts_at)
    return list(session.scalars(query))


# -- the contributor badge -------------------------------------------------------------------


def give_badges(
    session: Session, project: Project, giver: User, people: list[User], *, now: datetime
) -> list[ProjectBadge]:
    """Gives the project's contributor badge to `people` (members of the project, now or
    before), each through a chain job; someone who has it already is passed over, so giving it
    twice, or two people giving it at once, gives it once. Returns the badges given now."""
    ensure_leads(project, giver)
    if project.status not in (ProjectStatus.ACTIVE, ProjectStatus.CLOSED):
        raise DomainError(
            "not_active", _l("A project's badge can be given once the project is active.")
        )
    given = []
    for person in people:
        if session.get(ProjectMember, (project.id, person.id)) is None:
            raise DomainError(
                "not_in_project",
                _l("%(name)s is not a member of this project.", name=person.display_name),
            )
        if person.closed_at is not None:
            raise DomainError(
                "account_closed",
                _l("%(name)s's account is closed: no badge can be given to it.",
                   name=person.display_name),
            )  # fmt: skip
        if not person.address:
            raise DomainError(
                "no_address", _l("%(name)s has no account to record a badge to yet.",
                                 name=person.display_name),
            )  # fmt: skip
        badge = _give_badge(session, project, giver, person, now)
        if badge is not None:
            given.append(badge)
    return given


def _give_badge(
    session: Session, project: Project, giver: User, person: User, now: datetime
) -> ProjectBadge | None:
    if _badge_of(session, project.id, person.id) is not None:
        return None
    try:
        with session.begin_nested():  # the badge and its job, or neither
            job = queue_project_badge(
                session, user_id=person.id, address=person.address, project_id=project.id
            )
            badge = ProjectBadge(
                project_id=project.id, user_id=person.id, chain_job_id=job.id, given_at=now,
                given_by_id=giver.id,
            )  # fmt: skip
            session.add(badge)
            session.flush()
    except IntegrityError:  # given by someone else a moment ago
        return None
    return badge


def _badge_of(session: Session, project_id: int, user_id: int) -> ProjectBadge | None:
    query = select(ProjectBadge).where(
        ProjectBadge.project_id == project_id, ProjectBadge.user_id == user_id
    )
    return session.scalar(query)


def list_badge_holders(session: Session, project: Project) -> list[ProjectBadge]:
    """Who was given the project's badge, by name."""
    query = (
        select(ProjectBadge)
        .join(User, User.id == ProjectBadge.user_id)
        .where(ProjectBadge.project_id == project.id)
        .order_by(User.display_name, User.id)
    )
    return list(session.scalars(query))


def list_member_project_badges(session: Session, user: User) -> list[ProjectBadge]:
    """The project badges `user` was given, newest first (the wallet)."""
    query = (
        select(ProjectBadge)
        .where(ProjectBadge.user_id == user.id)
        .order_by(ProjectBadge.given_at.desc(), ProjectBadge.id.desc())
    )
    return list(session.scalars(query))
