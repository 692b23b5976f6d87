"""Importing a season's participants from a CSV file, as an office keeps them in Excel: one
person a row (name, e-mail optional, cohort), in UTF-8 (with or without a BOM) or Shift_JIS
(cp932, what Excel writes on a Japanese Windows). Headers in Japanese or English.

First a preview says, row by row, what will happen (invite; already here: nothing; refused,
with the reason) and writes nothing. The import then writes exactly that preview: it carries
the preview's fingerprint (the file's bytes and every row's outcome), and is refused if anything
changed in between. A person is known by their e-mail address, or without one by their name and
cohort: importing the same file twice changes nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from chain.wallets import PublicKeyring
from webapp.accounts.audit import record_audit
from webapp.accounts.invitations import Invited, invite_person
from webapp.accounts.models import Invitation, User
from webapp.accounts.services import MAX_NAME_LENGTH, is_email, normalise_email
from webapp.core.errors import DomainError

MAX_BYTES = 256 * 1024
MAX_ROWS = 2000
MAX_COHORT_LENGTH = 50

# Header words, compared without case, spaces or width (ＮＡＭＥ, Ｅメール): each column's names.
HEADERS = {
    "name": {"name", "fullname", "displayname", "名前", "氏名", "お名前", "表示名", "なまえ"},
    "email": {
        "email", "e-mail", "mail", "emailaddress", "e-mailaddress", "mailaddress",
        "メール", "メールアドレス", "eメール", "eメールアドレス", "めーる",
    },
    "cohort": {"cohort", "season", "期", "コホート", "参加期", "期生", "シーズン"},
}  # fmt: skip


class RowAction(StrEnum):
    INVITE = "invite"
    PRESENT = "present"  # already here: nothing to do
    REFUSED = "refused"


ROW_REASONS = {
    "no_name": _l("No name"),
    "long_name": _l("The name is too long (100 characters at most)"),
    "bad_email": _l("This e-mail address is not right"),
    "long_cohort": _l("The cohort is too long (50 characters at most)"),
    "duplicate": _l("The same person is on an earlier row"),
    "email_taken": _l("Someone else already uses this e-mail address"),
}


@dataclass(frozen=True)
class PreviewRow:
    line: int  # as the spreadsheet numbers it (the header is line 1)
    name: str
    email: str | None
    cohort: str | None
    action: RowAction
    reason: str | None = None  # a code of ROW_REASONS, when refused

    @property
    def reason_text(self):
        return ROW_REASONS[self.reason] if self.reason else ""


@dataclass
class Preview:
    rows: list[PreviewRow]
    fingerprint: str
    counts: dict[RowAction, int] = field(default_factory=dict)

    @property
    def to_invite(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.action == RowAction.INVITE]


def _word(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(c for c in text if not c.isspace() and c != "_")


def _clean(text: str) -> str:
    """A cell as typed, without the surrounding blanks (full-width ones included)."""
    return unicodedata.normalize("NFKC", text).strip() if text else ""


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise DomainError(
            "file_too_big", _l("The file is too big: %(kb)s KB at most.", kb=MAX_BYTES // 1024)
        )
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(
        "bad_encoding", _l("The file could not be read: save it as CSV (UTF-8 or Shift_JIS).")
    )


def read_rows(data: bytes) -> list[tuple[int, str, str | None, str | None]]:
    """(line, name, e-mail, cohort) of each row that is not blank."""
    text = decode(data)
    if "\x00" in text:
        raise DomainError("not_csv", _l("This is not a CSV file."))
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:  # a quote never closed, say: the rest of the file one huge cell
        raise DomainError("not_csv", _l("This is not a CSV file.")) from None
    if not rows:
        raise DomainError("empty_file", _l("The file is empty."))
    columns = _columns(rows[0])
    found = []
    for line, row in enumerate(rows[1:], start=2):
        cells = {key: _clean(row[i]) if i < len(row) else "" for key, i in columns.items()}
        if not any(_clean(cell) for cell in row):
            continue
        found.append((line, cells["name"], cells.get("email") or None, cells.get("cohort") or None))
        if len(found) > MAX_ROWS:
            raise DomainError(
                "too_many_rows",
                _l("The file has more than %(n)s people: split it in several files.", n=MAX_ROWS),
            )
    if not found:
        raise DomainError("empty_file", _l("The file has no one in it, only its header."))
    return found


def _columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        word = _word(cell)
        for key, words in HEADERS.items():
            if word in words and key not in columns:
                columns[key] = index
    if "name" not in columns:
        raise DomainError(
            "no_name_column",
            _l("The first row must name the columns: 名前 (name), メール (e-mail), 期 (cohort)."),
        )
    return columns


def preview_import(session: Session, data: bytes) -> Preview:
    """What importing `data` would do, row by row. Writes nothing."""
    rows = read_rows(data)
    emails = {normalise_email(e) for _, _, e, _ in rows if e}
    by_email = {
        user.email: user
        for user in session.scalars(select(User).where(User.email.in_(emails)))
        if emails
    }
    keys = {(name, cohort or "") for _, name, e, cohort in rows if not e and name}
    present = set()
    if keys:
        names = {name for name, _ in keys}
        query = select(User.display_name, User.cohort).where(User.display_name.in_(names))
        present = {(name, cohort or "") for name, cohort in session.execute(query)}
        # Someone who joined under another name is still the row they were invited from.
        invited = (
            select(Invitation.invited_name, User.cohort)
            .join(User, User.id == Invitation.user_id)
            .where(Invitation.invited_name.in_(names))
        )
        present |= {(name, cohort or "") for name, cohort in session.execute(invited)}
        present &= keys
    seen: set = set()
    outcome = []
    for line, name, email, cohort in rows:
        email = normalise_email(email) if email else None
        key = ("email", email) if email else ("name", name, cohort or "")
        reason, action = None, RowAction.INVITE
        if not name:
            reason = "no_name"
        elif len(name) > MAX_NAME_LENGTH:
            reason = "long_name"
        elif email is not None and not is_email(email):
            reason = "bad_email"
        elif cohort and len(cohort) > MAX_COHORT_LENGTH:
            reason = "long_cohort"
        elif key in seen:
            reason = "duplicate"
        elif email is not None and email in by_email:
            user = by_email[email]
            if user.display_name == name or (cohort and user.cohort == cohort):
                action = RowAction.PRESENT
            else:
                reason = "email_taken"
        elif email is None and (name, cohort or "") in present:
            action = RowAction.PRESENT
        if reason:
            action = RowAction.REFUSED
        else:
            seen.add(key)
        outcome.append(PreviewRow(line, name, email, cohort, action, reason))
    counts = {action: sum(row.action == action for row in outcome) for action in RowAction}
    return Preview(outcome, _fingerprint(data, outcome), counts)


def _fingerprint(data: bytes, rows: list[PreviewRow]) -> str:
    digest = hashlib.sha256(data)
    for row in rows:
        digest.update(f"\n{row.line}:{row.action}:{row.reason or ''}".encode())
    return digest.hexdigest()


def import_people(
    session: Session,
    keyring: PublicKeyring,
    data: bytes,
    fingerprint: str,
    *,
    actor: User,
    now: datetime,
    lifetime: timedelta,
) -> list[Invited]:
    """Invites the rows the preview of `fingerprint` said it would, and nothing else."""
    preview = preview_import(session, data)
    if preview.fingerprint != fingerprint:
        raise DomainError(
            "preview_changed",
            _l("Something changed since the preview. Look at the new preview, then import."),
        )
    invited = [
        invite_person(
            session, keyring, actor=actor, display_name=row.name, email=row.email,
            cohort=row.cohort, now=now, lifetime=lifetime, detail="from a CSV file",
        )
        for row in preview.to_invite
    ]  # fmt: skip
    if invited:
        record_audit(
            session,
            actor=actor,
            action="people.imported",
            now=now,
            detail=f"{len(invited)} invited, {preview.counts[RowAction.PRESENT]} already here, "
            f"{preview.counts[RowAction.REFUSED]} refused; file {fingerprint[:12]}",
        )
    return invited
