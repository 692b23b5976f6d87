"""Reading the audit log back: filtered by action and by person (who did it, or to whom), a page
at a time, or all of it as CSV for a spreadsheet (UTF-8 with a byte order mark, which Excel
needs to read Japanese; times in the community's time zone)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from webapp.accounts.audit import AUDIT_ACTIONS
from webapp.accounts.models import AuditEntry, User
from webapp.accounts.services import get_user
from webapp.core.db import MAX_INTEGER, contains_pattern
from webapp.core.paging import clamp_page, page_numbers
from webapp.core.spreadsheet import csv_bytes

PAGE_SIZE = 50
CSV_LIMIT = 100_000
TIME_FORMAT = "yyyy-MM-dd HH:mm:ss"


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""  # a code of AUDIT_ACTIONS
    person_id: int | None = None  # who acted, or on whom
    text: str = ""  # part of the name or e-mail address of who acted, or of on whom

    @classmethod
    def from_args(cls, args) -> AuditFilter:
        action = args.get("action", "")
        person_id = args.get("person", None, type=int)
        return cls(
            action=action if action in AUDIT_ACTIONS else "",
            # No row has an id past the column's range: such a link filters by nobody.
            person_id=person_id if person_id and 0 < person_id <= MAX_INTEGER else None,
            text=args.get("q", "").strip()[:100],
        )

    @property
    def is_empty(self) -> bool:
        return not (self.action or self.person_id or self.text)


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    total: int
    page: int
    pages: int

    @property
    def numbers(self) -> list[int | None]:
        return page_numbers(self.page, self.pages)


def list_audit_page(session: Session, wanted: AuditFilter, page: int = 1) -> AuditPage:
    """The newest entries first."""
    query = _filtered(select(AuditEntry), wanted)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page, pages = clamp_page(page, total, PAGE_SIZE)
    entries = session.scalars(_newest_first(query).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return AuditPage(entries=list(entries), total=total, page=page, pages=pages)


def get_audit_person(session: Session, wanted: AuditFilter) -> User | None:
    return get_user(session, wanted.person_id) if wanted.person_id else None


def audit_csv(session: Session, wanted: AuditFilter) -> bytes:
    entries = session.scalars(_newest_first(_filtered(select(AuditEntry), wanted)).limit(CSV_LIMIT))
    header = [_("When"), _("Who"), _("Action"), _("Action code"), _("On whom"), _("Detail")]
    rows = (
        [
            format_datetime(entry.at, TIME_FORMAT),
            person_name(entry.actor),
            str(AUDIT_ACTIONS.get(entry.action, entry.action)),
            entry.action,
            person_name(entry.subject) if entry.subject else "",
            entry.detail,
        ]
        for entry in entries
    )
    return csv_bytes(header, rows)


def person_name(user: User) -> str:
    """A person's name as a list shows it: a closed account has none left."""
    if user.is_closed:
        return _("Closed account #%(id)s", id=user.id)
    return user.display_name


def _filtered(query: Select, wanted: AuditFilter) -> Select:
    if wanted.action:
        query = query.where(AuditEntry.action == wanted.action)
    if wanted.person_id:
        query = query.where(
            or_(AuditEntry.actor_id == wanted.person_id, AuditEntry.subject_id == wanted.person_id)
        )
    if wanted.text:
        pattern = contains_pattern(wanted.text)
        actor, subject = aliased(User), aliased(User)
        matches = [
            person.display_name.ilike(pattern, escape="\\")
            | person.email.ilike(pattern, escape="\\")
            for person in (actor, subject)
        ]
        query = (
            query.join(actor, actor.id == AuditEntry.actor_id)
            .outerjoin(subject, subject.id == AuditEntry.subject_id)
            .where(or_(*matches))
        )
    return query


def _newest_first(query: Select) -> Select:
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
