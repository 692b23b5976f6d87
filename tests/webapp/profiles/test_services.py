"""A member's profile: what is kept of what they typed, what is refused (leaving nothing
written), the one rule of who sees it, and where they live with its history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from webapp.core.errors import DomainError
from webapp.profiles.models import Area, Profile, ProfileTag, Residence, Visibility
from webapp.profiles.residence import residence_of, set_residence
from webapp.profiles.services import (
    forget_profile,
    get_profile,
    may_see,
    save_profile,
    split_tags,
)

APRIL = datetime(2026, 4, 10, 3, 0, tzinfo=UTC)
MAY = datetime(2026, 5, 20, 3, 0, tzinfo=UTC)


def save(session, user, **fields):
    values = {"introduction": "", "visibility": "members", "skills": [], "interests": []}
    values.update(fields)
    profile = save_profile(session, user, now=APRIL, **values)
    session.commit()
    return profile


def rows(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_a_member_who_never_saved_has_a_private_empty_profile(session, member):
    profile = get_profile(session, member.id)
    assert profile.visibility == Visibility.PRIVATE
    assert (profile.introduction, profile.skills, profile.interests) == ("", [], [])


def test_tags_are_trimmed_and_repeats_dropped(session, member):
    saved = save(
        session, member,
        introduction="  塩尻でデザインをしています。\r\n子育て中です。  ",
        skills=[" デザイン ", "ＩＴ", "it", "", "デザイン", "写真"],
        interests=["農業", " 子育て", "農業 "],
    )  # fmt: skip
    assert saved.skills == ["IT", "デザイン", "写真"]  # NFKC: ＩＴ is IT; it is the same tag
    assert saved.interests == ["子育て", "農業"]
    assert saved.introduction == "塩尻でデザインをしています。\n子育て中です。"
    assert saved.first_line == "塩尻でデザインをしています。"
    again = get_profile(session, member.id)
    assert (again.visibility, again.skills, again.interests) == (
        Visibility.MEMBERS, ["IT", "デザイン", "写真"], ["子育て", "農業"],
    )  # fmt: skip


def test_saving_again_replaces_the_tags(session, member):
    save(session, member, skills=["デザイン", "IT"])
    save(session, member, skills=["写真"], interests=["農業"])
    assert get_profile(session, member.id).skills == ["写真"]
    assert rows(session, ProfileTag) == 2


def test_typed_tags_are_split_at_commas_and_new_lines():
    assert split_tags("デザイン、IT, 写真\n農業，まちづくり・防災,, ") == [
        "デザイン", "IT", " 写真", "農業", "まちづくり・防災",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"skills": ["あ" * 31]}, "skill_too_long"),
        ({"interests": ["x" * 31]}, "interest_too_long"),
        ({"skills": [f"技{n}" for n in range(11)]}, "too_many_skills"),
        ({"interests": [f"関心{n}" for n in range(11)]}, "too_many_interests"),
        ({"introduction": "あ" * 401}, "introduction_too_long"),
        ({"visibility": "everyone"}, "unknown_visibility"),
    ],
)
def test_refused_input_writes_nothing(session, member, fields, code):
    with pytest.raises(DomainError) as refused:
        save(session, member, **fields)
    session.rollback()
    assert refused.value.code == code
    assert (rows(session, Profile), rows(session, ProfileTag)) == (0, 0)


def test_refused_input_leaves_the_earlier_profile_as_it_was(session, member):
    save(session, member, introduction="はじめまして", skills=["デザイン"], visibility="public")
    with pytest.raises(DomainError):
        save(session, member, introduction="新しい紹介", skills=["IT", "あ" * 31])
    session.rollback()
    kept = get_profile(session, member.id)
    assert (kept.introduction, kept.skills, kept.visibility) == (
        "はじめまして", ["デザイン"], Visibility.PUBLIC,
    )  # fmt: skip


def test_the_limits_themselves_are_accepted(session, member):
    saved = save(
        session, member, introduction="あ" * 400, skills=[f"{n:02d}" + "あ" * 28 for n in range(10)]
    )
    assert len(saved.skills) == 10 and all(len(tag) == 30 for tag in saved.skills)


# Who sees a profile: (its visibility, who asks) -> seen.
RULE = [
    ("private", "owner", True),
    ("private", "member", False),
    ("private", "visitor", False),
    ("members", "owner", True),
    ("members", "member", True),
    ("members", "visitor", False),
    ("public", "owner", True),
    ("public", "member", True),
    ("public", "visitor", True),
]


@pytest.mark.parametrize(("visibility", "who", "seen"), RULE)
def test_who_may_see_a_profile(make_user, visibility, who, seen):
    owner, other = make_user(), make_user()
    viewer = {"owner": owner, "member": other, "visitor": AnonymousUserMixin()}[who]
    assert may_see(Visibility(visibility), owner.id, viewer) is seen
    if who == "visitor":
        assert may_see(Visibility(visibility), owner.id, None) is seen


def test_a_move_keeps_where_they_lived_before(session, member):
    assert residence_of(session, member.id) == Area.UNKNOWN
    assert set_residence(session, member.id, Area.OUTSIDE, APRIL)
    assert not set_residence(session, member.id, Area.OUTSIDE, MAY)  # the same: no new row
    assert set_residence(session, member.id, Area.CITY, MAY)
    session.commit()
    assert residence_of(session, member.id) == Area.CITY
    assert residence_of(session, member.id, at=datetime(2026, 4, 30, tzinfo=UTC)) == Area.OUTSIDE
    assert residence_of(session, member.id, at=datetime(2026, 4, 1, tzinfo=UTC)) == Area.UNKNOWN
    assert rows(session, Residence) == 2


def test_forgetting_a_profile_removes_it_and_its_tags_only(session, make_user):
    me, other = make_user(), make_user()
    save(session, me, skills=["デザイン"], interests=["農業"])
    save(session, other, skills=["IT"])
    set_residence(session, me.id, Area.CITY, APRIL)
    forget_profile(session, me.id)
    session.commit()
    assert session.get(Profile, me.id) is None
    assert session.scalars(select(ProfileTag.tag)).all() == ["IT"]
    assert residence_of(session, me.id) == Area.CITY
