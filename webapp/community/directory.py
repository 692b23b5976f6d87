"""The members' directory: who chose to be seen (a profile for members or for everyone), found
by skill, interest or project; a member's profile page with what they did; and who took part in
an event, among those who chose to be seen. A private profile is in none of them: each query
here asks `visible_to_members()` of the profile, or `may_see` of the one it shows."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, select, true
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.checkin.models import Attendance
from webapp.core.db import contains_pattern
from webapp.core.errors import NotFound
from webapp.core.paging import clamp_page, page_numbers
from webapp.events.models import Event
from webapp.onchain.jobs import project_badge_token_id
from webapp.profiles.models import Profile, ProfileTag, TagKind, Visibility
from webapp.profiles.services import MemberProfile, get_profile, list_tags, may_see
from webapp.profiles.services import visible_to_members as shown_visibilities
from webapp.projects.models import Project, ProjectBadge, ProjectMember, ProjectStatus
from webapp.yui.confirmations import HelpCounts, helps_count

PAGE_SIZE = 20


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed by: words found in a skill or an interest, a project's
    current members. Empty: everyone who chose to be seen."""

    skill: str = ""
    interest: str = ""
    project_id: int | None = None

    @classmethod
    def of(cls, skill: str = "", interest: str = "", project_id: int | None = None) -> Filters:
        return cls(_normal(skill), _normal(interest), project_id)

    @property
    def any(self) -> bool:
        return bool(self.skill or self.interest or self.project_id)


@dataclass(frozen=True)
class DirectoryEntry:
    user_id: int
    name: str
    first_line: str
    skills: list[str]
    interests: list[str]


@dataclass(frozen=True)
class Directory:
    entries: list[DirectoryEntry]
    total: int
    page: int
    pages: int
    numbers: list[int | None]


def _normal(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()[:100]


def _shown_people():
    """People who may appear to other members: a profile for members or everyone, an account
    that is set up, not closed and not switched off."""
    return and_(
        Profile.user_id == User.id,
        Profile.visibility.in_(shown_visibilities()),
        User.closed_at.is_(None),
        User.active.is_(true()),
        User.joined_at.is_not(None),
    )


def _has_tag(kind: TagKind, words: str):
    return exists().where(
        ProfileTag.user_id == User.id,
        ProfileTag.kind == kind.value,
        ProfileTag.tag.ilike(contains_pattern(words), escape="\\"),
    )


def find_members(
    session: Session, filters: Filters, page: int = 1, size: int = PAGE_SIZE
) -> Directory:
    """One page of the members who chose to be seen and match `filters`, by name."""
    conditions = [_shown_people()]
    if filters.skill:
        conditions.append(_has_tag(TagKind.SKILL, filters.skill))
    if filters.interest:
        conditions.append(_has_tag(TagKind.INTEREST, filters.interest))
    if filters.project_id:
        conditions.append(
            exists().where(
                ProjectMember.user_id == User.id,
                ProjectMember.project_id == filters.project_id,
                ProjectMember.left_at.is_(None),
            )
        )
    base = select(User.id).join(Profile, Profile.user_id == User.id).where(*conditions)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page, pages = clamp_page(page, total, size)
    rows = session.execute(
        select(User.id, User.display_name, Profile.introduction)
        .join(Profile, Profile.user_id == User.id)
        .where(*conditions)
        .order_by(User.display_name, User.id)
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    tags = list_tags(session, [row.id for row in rows])
    entries = [
        DirectoryEntry(
            row.id,
            row.display_name,
            MemberProfile(row.id, row.introduction).first_line,
            tags.get(row.id, {}).get(TagKind.SKILL, []),
            tags.get(row.id, {}).get(TagKind.INTEREST, []),
        )
        for row in rows
    ]
    return Directory(entries, total, page, pages, page_numbers(page, pages))


def list_project_choices(session: Session) -> list[tuple[int, str]]:
    """The projects the list can be narrowed to: the active ones, by title."""
    query = (
        select(Project.id, Project.title)
        .where(Project.status == ProjectStatus.ACTIVE)
        .order_by(Project.title, Project.id)
    )
    return [(row.id, row.title) for row in session.execute(query)]


@dataclass(frozen=True)
class EventBadge:
    event_id: int
    title: str
    starts_at: datetime


@dataclass(frozen=True)
class ProjectBadgeTile:
    project_id: int
    token_id: int
    title: str


@dataclass(frozen=True)
class ProfilePage:
    user_id: int
    name: str
    profile: MemberProfile
    projects: list[tuple[int, str]]  # active projects they are in now: (id, title)
    badges: list[EventBadge]  # newest first
    project_badges: list[ProjectBadgeTile]
    events: int  # events they took part in
    helps: HelpCounts = HelpCounts(0, 0)  # 結い: how often they helped and were helped

    @property
    def visibility(self) -> Visibility:
        return self.profile.visibility


def is_public_profile(session: Session, user_id: int) -> bool:
    """Whether a visitor who is not logged in may see the profile (of an open account)."""
    return (
        session.scalar(
            select(Profile.user_id)
            .join(User, User.id == Profile.user_id)
            .where(
                Profile.user_id == user_id,
                Profile.visibility == Visibility.PUBLIC.value,
                User.closed_at.is_(None),
                User.active.is_(true()),
                User.joined_at.is_not(None),
            )
        )
        is not None
    )


def get_profile_page(session: Session, user_id: int, viewer: User | None) -> ProfilePage:
    """The profile of `user_id` as `viewer` may see it (None: a visitor), with their projects,
    badges and events; a profile the viewer may not see reads as none at all (404)."""
    person = session.get(User, user_id)
    if person is None or person.closed_at is not None or person.joined_at is None:
        raise _no_such_member()
    profile = get_profile(session, user_id)
    owner = viewer is not None and viewer.is_authenticated and viewer.id == user_id
    if not owner and (not person.active or not may_see(profile.visibility, user_id, viewer)):
        raise _no_such_member()
    projects = session.execute(
        select(Project.id, Project.title)
        .join(ProjectMember, ProjectMember.project_id == Project.id)
        .where(
            ProjectMember.user_id == user_id,
            ProjectMember.left_at.is_(None),
            Project.status == ProjectStatus.ACTIVE,
        )
        .order_by(Project.title, Project.id)
    ).all()
    badges = [
        EventBadge(row.id, row.title, row.starts_at)
        for row in session.execute(
            select(Event.id, Event.title, Event.starts_at)
            .join(Attendance, Attendance.event_id == Event.id)
            .where(Attendance.user_id == user_id)
            .order_by(Attendance.checked_in_at.desc(), Attendance.id.desc())
        )
    ]
    project_badges = [
        ProjectBadgeTile(row.id, project_badge_token_id(row.id), row.title)
        for row in session.execute(
            select(Project.id, Project.title)
            .join(ProjectBadge, ProjectBadge.project_id == Project.id)
            .where(ProjectBadge.user_id == user_id)
            .order_by(ProjectBadge.given_at.desc(), ProjectBadge.id.desc())
        )
    ]
    return ProfilePage(
        user_id,
        person.display_name,
        profile,
        [(row.id, row.title) for row in projects],
        badges,
        project_badges,
        len(badges),
        helps_count(session, person),
    )


def _no_such_member() -> NotFound:
    return NotFound("no_such_member", _l("There is no such member."))


@dataclass(frozen=True)
class Attendees:
    shown: list[tuple[int, str]]  # (user id, name) of those who chose to be seen, by name
    others: int  # how many more took part: no names


def visible_attendees(session: Session, event_id: int) -> Attendees:
    """Who took part in the event, as members may see it: those whose profile is for members
    or for everyone by name, the rest only counted."""
    rows = session.execute(
        select(User.id, User.display_name, Profile.visibility)
        .join(Attendance, Attendance.user_id == User.id)
        .outerjoin(Profile, _shown_people())
        .where(Attendance.event_id == event_id)
        .order_by(User.display_name, User.id)
    ).all()
    shown = [(row.id, row.display_name) for row in rows if row.visibility is not None]
    return Attendees(shown, len(rows) - len(shown))
