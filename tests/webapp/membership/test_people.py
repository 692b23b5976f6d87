"""The administrators' list of everyone (`/admin/members`): each person's state, role, cohort,
joined and last seen; filters, search and pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from webapp.accounts.models import DeviceSession, Role, User
from webapp.core.db import utcnow
from webapp.membership.models import Membership

from ...conftest import log_in


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, member=False)


@pytest.fixture
def office(app, admin):
    client = app.test_client()
    log_in(client, admin.email)
    return client


def person(session, name, *, cohort=None, joined=True, closed=False, role="member", card=None):
    """A row made directly: `card` is None (no membership), "active", "lapsed" or "revoked"."""
    now = utcnow()
    user = User(
        display_name=name,
        email=f"{name.lower().replace(' ', '.')}@example.org",
        role=role,
        cohort=cohort,
        joined_at=now - timedelta(days=30) if joined else None,
        closed_at=now if closed else None,
    )
    session.add(user)
    session.flush()
    if card:
        session.add(
            Membership(
                user_id=user.id,
                term_ends_at=now - timedelta(days=1) if card == "lapsed" else None,
                revoked_at=now if card == "revoked" else None,
            )
        )
    session.commit()
    return user


def rows(page: str) -> list[tuple[str, str]]:
    """(name, state) of each row of the table."""
    found = re.findall(
        r'data-testid="person" data-state="(\w+)">\s*<td><a href="[^"]+">([^<]+)</a>', page
    )
    return [(name, state) for state, name in found]


@pytest.fixture
def six(session):
    return {
        "invited": person(session, "Aoki Invited", joined=False, cohort="第5期"),
        "member": person(session, "Baba Member", card="active", cohort="第5期"),
        "lapsed": person(session, "Chiba Lapsed", card="lapsed", cohort="第4期"),
        "revoked": person(session, "Doi Revoked", card="revoked"),
        "none": person(session, "Endo None", role="organiser"),
        "closed": person(session, "Fujii Closed", closed=True, card="active"),
    }


def test_every_state_is_shown_and_each_can_be_filtered(office, six, admin):
    page = office.get("/admin/members").get_data(as_text=True)
    shown = dict(rows(page))
    for state, user in six.items():
        name = user.display_name if state != "closed" else f"退会したアカウント #{user.id}"
        assert shown[name] == state
    assert "7人" in page  # the six and the administrator
    for state, user in six.items():
        page = office.get(f"/admin/members?state={state}").get_data(as_text=True)
        expected = [user.id] + ([admin.id] if state == "none" else [])
        ids = {int(i) for i in re.findall(r'href="/admin/members/(\d+)"', page)}
        assert ids == set(expected), state


def test_search_by_name_or_e_mail_and_filter_by_role_and_cohort(office, six):
    page = office.get("/admin/members?q=baba").get_data(as_text=True)
    assert [name for name, _ in rows(page)] == ["Baba Member"]
    page = office.get("/admin/members?q=chiba.lapsed@").get_data(as_text=True)
    assert [name for name, _ in rows(page)] == ["Chiba Lapsed"]
    page = office.get("/admin/members?role=organiser").get_data(as_text=True)
    assert [name for name, _ in rows(page)] == ["Endo None"]
    page = office.get("/admin/members?cohort=第5期").get_data(as_text=True)
    assert [name for name, _ in rows(page)] == ["Aoki Invited", "Baba Member"]
    # The cohorts offered are those that exist.
    assert re.findall(r"<option(?: selected)?>(第\d期)</option>", page) == ["第4期", "第5期"]
    page = office.get("/admin/members?q=nobody-has-this").get_data(as_text=True)
    assert rows(page) == [] and "見つかりません" in page


def test_each_row_leads_to_the_persons_page_and_says_when_they_were_last_seen(office, session, six):
    member = six["member"]
    seen = datetime(2025, 3, 9, 3, 0, tzinfo=UTC)  # noon in Tokyo: the 9th at any hour here
    session.add(DeviceSession(id="d" * 43, user_id=member.id, label="Safari", last_seen_at=seen))
    session.commit()
    page = office.get("/admin/members?q=baba").get_data(as_text=True)
    assert f'href="/admin/members/{member.id}"' in page
    assert "2025年3月9日" in page
    assert office.get(f"/admin/members/{member.id}").status_code == 200


def test_fifty_a_page_with_the_total_and_links_to_the_others(office, session):
    for n in range(120):
        session.add(
            User(display_name=f"Person {n:03d}", email=None, role="member", joined_at=utcnow())
        )
    session.commit()
    first = office.get("/admin/members?role=member").get_data(as_text=True)
    assert [name for name, _ in rows(first)][:2] == ["Person 000", "Person 001"]
    assert len(rows(first)) == 50
    assert "120人" in first and "1〜50" in first
    assert 'href="/admin/members?role=member&amp;page=3"' in first
    last = office.get("/admin/members?role=member&page=3").get_data(as_text=True)
    assert [name for name, _ in rows(last)] == [f"Person {n:03d}" for n in range(100, 120)]
    assert 'aria-current="page"' in last and "101〜120" in last
    # A page past the end shows the last one.
    assert rows(office.get("/admin/members?role=member&page=99").get_data(as_text=True)) == rows(
        last
    )


def test_organisers_and_members_may_not_see_the_list(app, make_user):
    for role in (Role.ORGANISER, Role.MEMBER):
        client = app.test_client()
        log_in(client, make_user(role).email)
        assert client.get("/admin/members").status_code == 403
