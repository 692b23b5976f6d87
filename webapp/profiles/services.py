"""Members' profiles: the only writer of `profiles` and `profile_tags`, and the one rule of who
may see a profile. No row is a private, empty profile: a member who never opened the page is
shown to nobody. Where a member lives is written by `profiles.residence`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.profiles.models import Profile, ProfileTag, TagKind, Visibility

MAX_INTRODUCTION = 400
MAX_TAG = 30
MAX_TAGS = 10  # of each kind

# What separates tags typed in one field: commas (also the Japanese 、) and new lines; ・ is not
# one, it joins words inside a tag (まちづくり・防災).
TAG_SEPARATORS = re.compile(r"[,、，\n\r]+")


@dataclass(frozen=True)
class MemberProfile:
    user_id: int
    introduction: str = ""
    visibility: Visibility = Visibility.PRIVATE
    skills: list[str] = field(default_factory=list)
    interests: list[str] = field(default_factory=list)
    updated_at: datetime | None = None

    @property
    def first_line(self) -> str:
        """The introduction's first line: what a directory card shows."""
        return self.introduction.strip().split("\n", 1)[0].strip()


def get_profile(session: Session, user_id: int) -> MemberProfile:
    """The member's profile as they saved it; private and empty when they never did."""
    profile = session.get(Profile, user_id)
    tags = list_tags(session, [user_id]).get(user_id, {})
    if profile is None:
        return MemberProfile(user_id)
    return MemberProfile(
        user_id,
        profile.introduction,
        Visibility(profile.visibility),
        tags.get(TagKind.SKILL, []),
        tags.get(TagKind.INTEREST, []),
        profile.updated_at,
    )


def list_tags(session: Session, user_ids: Iterable[int]) -> dict[int, dict[TagKind, list[str]]]:
    """Each member's tags by kind, in the order they are shown (alphabetical: the rows keep no
    order of their own), for a page of members at once."""
    ids = list(user_ids)
    found: dict[int, dict[TagKind, list[str]]] = {}
    if not ids:
        return found
    query = (
        select(ProfileTag)
        .where(ProfileTag.user_id.in_(ids))
        .order_by(ProfileTag.user_id, ProfileTag.kind, ProfileTag.tag)
    )
    for tag in session.scalars(query):
        found.setdefault(tag.user_id, {}).setdefault(TagKind(tag.kind), []).append(tag.tag)
    return found


def split_tags(text: str) -> list[str]:
    """Tags typed in one field, separated by commas (, 、) or new lines."""
    return [piece for piece in TAG_SEPARATORS.split(text or "") if piece.strip()]


def clean_tags(tags: Iterable[str], kind: TagKind) -> list[str]:
    """The tags as they are kept: trimmed (and in the width NFKC gives: ＩＴ is IT), empty ones
    and repeats dropped (the first spelling kept, case aside); refuses one longer than
    MAX_TAG or more than MAX_TAGS."""
    kept: list[str] = []
    seen: set[str] = set()
    for raw in tags:
        tag = unicodedata.normalize("NFKC", raw).strip()
        if not tag or tag.casefold() in seen:
            continue
        if len(tag) > MAX_TAG:
            raise DomainError(
                f"{kind.value}_too_long",
                _l("“%(tag)s” is too long: a tag has at most %(n)s characters.", tag=tag[:40],
                   n=MAX_TAG),
            )  # fmt: skip
        seen.add(tag.casefold())
        kept.append(tag)
    if len(kept) > MAX_TAGS:
        message = (
            _l("At most %(n)s skills, please.", n=MAX_TAGS)
            if kind == TagKind.SKILL
            else _l("At most %(n)s interests, please.", n=MAX_TAGS)
        )
        raise DomainError(f"too_many_{kind.value}s", message)
    return kept


def save_profile(
    session: Session,
    user: User,
    *,
    introduction: str,
    visibility: Visibility | str,
    skills: Iterable[str],
    interests: Iterable[str],
    now: datetime | None = None,
) -> MemberProfile:
    """Saves the member's profile whole. Every check comes before the first write: refused
    input leaves the profile as it was."""
    introduction = (introduction or "").replace("\r\n", "\n").strip()
    if len(introduction) > MAX_INTRODUCTION:
        raise DomainError(
            "introduction_too_long",
            _l("The introduction is too long: at most %(n)s characters.", n=MAX_INTRODUCTION),
        )
    try:
        visibility = Visibility(visibility)
    except ValueError:
        raise DomainError("unknown_visibility", _l("Choose who may see your profile.")) from None
    kinds = {
        TagKind.SKILL: clean_tags(skills, TagKind.SKILL),
        TagKind.INTEREST: clean_tags(interests, TagKind.INTEREST),
    }
    profile = session.get(Profile, user.id)
    if profile is None:
        profile = Profile(user_id=user.id)
        session.add(profile)
    profile.introduction = introduction
    profile.visibility = visibility.value
    profile.updated_at = now or utcnow()
    session.execute(delete(ProfileTag).where(ProfileTag.user_id == user.id))
    session.add_all(
        ProfileTag(user_id=user.id, kind=kind.value, tag=tag)
        for kind, tags in kinds.items()
        for tag in tags
    )
    session.flush()
    return get_profile(session, user.id)


def may_see(visibility: Visibility | str, owner_id: int, viewer: User | None) -> bool:
    """The one rule of who sees a profile: private, its owner alone; members, anyone logged in;
    public, anyone. `viewer` is None (or not authenticated) for a visitor."""
    logged_in = viewer is not None and viewer.is_authenticated
    if logged_in and viewer.id == owner_id:
        return True
    visibility = Visibility(visibility)
    if visibility == Visibility.PUBLIC:
        return True
    return visibility == Visibility.MEMBERS and logged_in


def visible_to_members() -> tuple[str, ...]:
    """The visibilities a logged-in member sees of others: for queries over many profiles."""
    return (Visibility.MEMBERS.value, Visibility.PUBLIC.value)


def forget_profile(session: Session, user_id: int) -> None:
    """A closing account's profile and tags, gone (privacy.closing). Where they lived stays:
    see there."""
    session.execute(delete(ProfileTag).where(ProfileTag.user_id == user_id))
    session.execute(delete(Profile).where(Profile.user_id == user_id))
    session.flush()
