"""The members' directory and profile pages: who is listed (those who chose members or public,
never a private profile, a closed or a switched-off account), the search by skill, interest and
project, a profile as each kind of reader gets it (a public one needs no login and never shows
an e-mail address), マイページ's profile form, and who took part on an event's page."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from webapp.accounts.models import Role
from webapp.checkin.services import ClaimInput, record_claim
from webapp.community.directory import Filters, find_members, visible_attendees
from webapp.core.db import utcnow
from webapp.profiles.models import Area, Profile, ProfileTag, Residence
from webapp.profiles.residence import residence_of, set_residence
from webapp.profiles.services import save_profile
from webapp.projects.services import activate_project, join_project, propose_project

from ...conftest import csrf_token, log_in
from ..checkin.scans import code_for

APRIL = datetime(2026, 4, 10, 3, 0, tzinfo=UTC)


def show(session, user, visibility, skills=(), interests=(), introduction=""):
    save_profile(session, user, introduction=introduction, visibility=visibility,
                 skills=list(skills), interests=list(interests), now=APRIL)  # fmt: skip
    session.commit()


def check_in(session, person, event) -> None:
    sent = ClaimInput(str(uuid.uuid4()), code_for(event), utcnow())
    assert record_claim(session, person, sent, now=utcnow(), source="api").status == "accepted"
    session.commit()


def logged_in(app, person):
    client = app.test_client()
    log_in(client, person.email)
    return client


def listed(page: str) -> list[str]:
    """The member ids the directory's page links to, in its order."""
    link = r'data-testid="person-card">\s*<a class="person-card-link" href="/members/(\d+)"'
    return re.findall(link, page)


@pytest.fixture
def people(session, make_user):
    """Four members: one for members, one public, one private, one who never saved a profile."""
    seen, public, private, silent = (make_user() for _ in range(4))
    show(session, seen, "members", ["デザイン", "IT"], ["子育て"], "デザイナーです\n二行目")
    show(session, public, "public", ["農業"], ["ワイン", "子育て"], "ぶどうを育てています")
    show(session, private, "private", ["デザイン"], ["子育て"], "ひみつ")
    return seen, public, private, silent


def test_the_directory_lists_only_those_who_chose_to_be_seen(app, session, people, make_user):
    seen, public, private, silent = people
    closed, off = make_user(), make_user()
    show(session, closed, "public", ["デザイン"])
    show(session, off, "members", ["デザイン"])
    closed.closed_at, off.active = utcnow(), False
    session.commit()
    page = logged_in(app, silent).get("/members").get_data(as_text=True)
    assert sorted(listed(page)) == sorted([str(seen.id), str(public.id)])
    assert "デザイナーです" in page and "二行目" not in page  # the first line only
    assert "ひみつ" not in page and private.display_name not in page


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ({"skill": "デザイン"}, ["seen"]),
        ({"skill": "でざいん"}, []),
        ({"skill": "it"}, ["seen"]),  # any case
        ({"interest": "子育て"}, ["seen", "public"]),
        ({"interest": "ワイ"}, ["public"]),  # part of a tag
        ({"interest": "子育て", "skill": "農業"}, ["public"]),
        ({"skill": "%"}, []),  # taken as itself
        ({}, ["seen", "public"]),
    ],
)
def test_the_search_never_finds_a_private_profile(session, people, query, who):
    seen, public, _private, _silent = people
    found = find_members(session, Filters.of(**query))
    names = {"seen": seen.id, "public": public.id}
    assert sorted(e.user_id for e in found.entries) == sorted(names[w] for w in who)


def test_the_directory_finds_a_project_s_current_members(app, session, people, make_user):
    seen, public, private, silent = people
    admin = make_user(Role.ADMIN)
    project = propose_project(session, seen, title="灯りのまつり", purpose="", help_wanted="",
                              lead=seen, now=utcnow())  # fmt: skip
    activate_project(session, project, now=utcnow(), approved_by=admin)
    for person in (seen, private):
        join_project(session, project, person, now=utcnow())
    session.commit()
    page = logged_in(app, silent).get(f"/members?project={project.id}").get_data(as_text=True)
    assert listed(page) == [str(seen.id)]
    assert "灯りのまつり" in page  # among the projects to choose


@pytest.mark.parametrize("project", ["99999999999", "0", "-3", "x"])
def test_a_project_that_cannot_exist_filters_on_nothing(app, people, project):
    """Not a 500 on PostgreSQL, where the id would be out of range for the column."""
    seen, public, private, silent = people
    answer = logged_in(app, silent).get(f"/members?project={project}")
    assert answer.status_code == 200
    assert sorted(listed(answer.get_data(as_text=True))) == sorted([str(seen.id), str(public.id)])


def test_a_long_directory_is_read_a_page_at_a_time(session, make_user):
    for _ in range(23):
        show(session, make_user(), "members")
    first = find_members(session, Filters(), page=1)
    last = find_members(session, Filters(), page=9)
    assert (first.total, first.pages, len(first.entries)) == (23, 2, 20)
    assert (last.page, len(last.entries)) == (2, 3)


def test_an_empty_directory_leads_to_one_s_own_profile(app, member):
    page = logged_in(app, member).get("/members").get_data(as_text=True)
    assert listed(page) == []
    assert re.search(r'class="empty".*href="/account/profile"', page, re.S)


def test_a_visitor_is_sent_to_log_in_for_the_directory(client, people):
    answer = client.get("/members")
    assert answer.status_code == 302 and answer.location.startswith("/login")


def test_a_public_profile_needs_no_login_and_shows_no_e_mail(client, people):
    _seen, public, _private, _silent = people
    answer = client.get(f"/members/{public.id}")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert public.display_name in page and "ぶどうを育てています" in page
    assert public.email not in page and "@" not in page.split("<main", 1)[1]
    assert "0x" not in page
    assert 'data-testid="owner-notice"' not in page


@pytest.mark.parametrize("who", ["seen", "private", "silent", "nobody"])
def test_a_visitor_is_sent_to_log_in_for_any_other_profile(client, people, who):
    seen, _public, private, silent = people
    ids = {"seen": seen.id, "private": private.id, "silent": silent.id, "nobody": 99999}
    answer = client.get(f"/members/{ids[who]}")
    assert answer.status_code == 302 and answer.location.startswith("/login")


def test_a_private_profile_is_not_found_by_anyone_but_its_owner(app, people, make_user):
    _seen, _public, private, silent = people
    admin = make_user(Role.ADMIN)
    for reader in (silent, admin):
        answer = logged_in(app, reader).get(f"/members/{private.id}")
        assert answer.status_code == 404 and "ひみつ" not in answer.get_data(as_text=True)
    assert logged_in(app, admin).get(f"/members/{silent.id}").status_code == 404  # never saved
    page = logged_in(app, private).get(f"/members/{private.id}").get_data(as_text=True)
    assert 'data-testid="owner-notice" data-visibility="private"' in page and "ひみつ" in page


def test_a_profile_for_members_shows_its_tags_projects_and_badges(
    app, session, people, make_user, make_event
):
    seen, _public, _private, silent = people
    admin = make_user(Role.ADMIN)
    project = propose_project(session, seen, title="灯りのまつり", purpose="", help_wanted="",
                              lead=seen, now=utcnow())  # fmt: skip
    activate_project(session, project, now=utcnow(), approved_by=admin)
    join_project(session, project, seen, now=utcnow())
    session.commit()
    for title in ("ワイン講座", "ぶどう収穫祭"):
        check_in(session, seen, make_event(title=title))
    answer = logged_in(app, silent).get(f"/members/{seen.id}")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'href="/members?skill=%E3%83%87%E3%82%B6%E3%82%A4%E3%83%B3">デザイン</a>' in page
    assert 'href="/members?interest=%E5%AD%90%E8%82%B2%E3%81%A6">子育て</a>' in page
    assert f'href="/projects/{project.id}"' in page and "灯りのまつり" in page
    assert page.count('data-testid="badge"') == 2 and "ワイン講座" in page
    assert re.search(r'data-testid="profile-events">[^<]*2', page)
    assert seen.email not in page and "0x" not in page


def test_the_owner_is_told_who_sees_their_profile(app, people):
    seen, public, _private, _silent = people
    for person, visibility in ((seen, "members"), (public, "public")):
        page = logged_in(app, person).get(f"/members/{person.id}").get_data(as_text=True)
        assert f'data-testid="owner-notice" data-visibility="{visibility}"' in page


def test_an_event_names_only_those_who_chose_to_be_seen(app, session, people, make_event):
    seen, public, private, silent = people
    event = make_event(title="ワイン講座")
    for person in people:
        check_in(session, person, event)
    attendees = visible_attendees(session, event.id)
    assert sorted(attendees.shown) == sorted([(seen.id, seen.display_name),
                                               (public.id, public.display_name)])  # fmt: skip
    assert attendees.others == 2
    page = logged_in(app, silent).get(f"/calendar/{event.id}").get_data(as_text=True)
    assert f'href="/members/{seen.id}"' in page and f'href="/members/{public.id}"' in page
    assert private.display_name not in page and f"/members/{private.id}" not in page
    assert 'data-testid="attendees-others" data-count="2"' in page


def test_an_event_nobody_attended_shows_no_list(app, session, member, make_event):
    event = make_event()
    page = logged_in(app, member).get(f"/calendar/{event.id}").get_data(as_text=True)
    assert 'data-testid="event-attendees"' not in page


def checked(page: str, value: str) -> bool:
    return re.search(rf'<input[^>]* checked [^>]*value="{value}"', page) is not None


def post_profile(client, **fields):
    token = csrf_token(client, "/account/profile")
    data = {"introduction": "", "skills": "", "interests": "", "visibility": "members"}
    return client.post("/account/profile", data={**data, **fields, "csrf_token": token})


def test_my_page_leads_to_the_profile_and_saves_it(app, session, member):
    client = logged_in(app, member)
    assert 'href="/account/profile"' in client.get("/account").get_data(as_text=True)
    form = client.get("/account/profile").get_data(as_text=True)
    assert f'href="/members/{member.id}"' in form  # how others see it
    assert checked(form, "private")  # the default
    answer = post_profile(client, introduction="はじめまして", skills="デザイン、IT, デザイン",
                          interests="農業", visibility="public", residence="outside")  # fmt: skip
    assert answer.status_code == 302
    page = client.get("/account/profile").get_data(as_text=True)
    assert "IT、デザイン</textarea>" in page  # as the hint asks them to be typed
    assert checked(page, "public") and checked(page, "outside")
    assert residence_of(session, member.id) == Area.OUTSIDE


def test_a_move_on_my_page_keeps_where_i_lived_before(app, session, member):
    set_residence(session, member.id, Area.OUTSIDE, APRIL)
    session.commit()
    assert post_profile(logged_in(app, member), residence="city").status_code == 302
    assert residence_of(session, member.id) == Area.CITY
    assert residence_of(session, member.id, at=APRIL) == Area.OUTSIDE
    assert len(session.query(Residence).all()) == 2


def test_a_refused_profile_says_why_and_writes_nothing(app, session, member):
    client = logged_in(app, member)
    answer = post_profile(client, introduction="はじめまして", skills="あ" * 31, residence="city")
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert 'class="field-error"' in page and "あ" * 31 in page
    assert session.query(Profile).count() == 0 and session.query(ProfileTag).count() == 0
    assert session.query(Residence).count() == 0


def test_an_introduction_of_400_characters_with_line_breaks_is_taken(app, session, member):
    """The browser sends each line break as \r\n: 400 characters as the member sees them."""
    client = logged_in(app, member)
    lines = "\r\n".join(["あ" * 39] * 10)  # 390 characters and 9 breaks: 399 as read
    assert post_profile(client, introduction=lines).status_code == 302
    assert session.scalar(select(Profile.introduction)) == lines.replace("\r\n", "\n")


def test_saying_nothing_of_where_i_live_changes_nothing(app, session, member):
    set_residence(session, member.id, Area.PREFECTURE, APRIL)
    session.commit()
    assert post_profile(logged_in(app, member)).status_code == 302
    assert session.query(Residence).count() == 1
