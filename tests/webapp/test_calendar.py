"""The members' events: a list of those to come and of the last months, and each event's page,
read only (organisers run theirs from /events)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from webapp.core.db import utcnow

from ..conftest import log_in
from .checkin.scans import code_for
from .test_home import HARVEST


@pytest.fixture
def member_client(client, member):
    log_in(client, member.email)
    return client


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def participation(page: str) -> str:
    """The page's part about the member's own participation."""
    return page.split('data-testid="event-you"', 1)[1].split("</section>", 1)[0]


def test_the_list_has_the_events_to_come_then_those_that_ended_lately(member_client, make_event):
    now = utcnow()
    make_event(**HARVEST)
    make_event(title="芋煮会", starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=2))
    make_event(
        title="昔の祭り", starts_at=now - timedelta(days=200), ends_at=now - timedelta(days=199)
    )
    page = page_of(member_client, "/calendar")
    upcoming, past = page.split('data-testid="past"')
    assert "ぶどう収穫祭" in upcoming and "参加すると" in upcoming and "30 えんコイン" in upcoming
    assert "芋煮会" in past and "終了" in past
    assert "昔の祭り" not in page


def test_the_list_marks_the_events_the_member_went_to(member_client, make_event):
    went, skipped = make_event(title="ワイン講座"), make_event(title="漆器の話")
    member_client.get(f"/c/{code_for(went)}")
    page = page_of(member_client, "/calendar")
    rows = dict(re.findall(r'href="/calendar/(\d+)" data-testid="event-row">(.*?)</a>', page, re.S))
    assert "参加済み" in rows[str(went.id)] and "参加済み" not in rows[str(skipped.id)]


def test_an_events_page_tells_what_where_when_and_the_reward(member_client, make_event):
    event = make_event(**HARVEST, description="収穫のあとは試飲会。\n雨天決行。")
    page = page_of(member_client, f"/calendar/{event.id}")
    assert "<h1>ぶどう収穫祭</h1>" in page and "塩尻ワイナリー" in page
    assert "2031年6月14日(土)" in page and "10:00" in page and "12:00" in page
    assert "参加すると 30 えんコイン" in page
    assert "収穫のあとは試飲会。\n雨天決行。" in page
    assert "当日、会場に表示されるコードを読み取ると" in page


def test_an_event_without_a_reward_says_it_gives_a_badge(member_client, make_event):
    event = make_event(reward=0)
    assert "バッジのみ" in page_of(member_client, f"/calendar/{event.id}")


def test_the_page_says_whether_the_member_was_there(member_client, make_event):
    went = make_event(title="ワイン講座")
    member_client.get(f"/c/{code_for(went)}")
    assert "参加を記録しました" in page_of(member_client, f"/calendar/{went.id}")
    missed = make_event(
        title="芋煮会", starts_at=utcnow() - timedelta(days=3), ends_at=utcnow() - timedelta(days=2)
    )
    assert "このイベントの参加記録はありません。" in page_of(
        member_client, f"/calendar/{missed.id}"
    )


def test_an_event_on_now_offers_the_scanner(member_client, make_event):
    page = page_of(member_client, f"/calendar/{make_event().id}")
    assert "開催中" in page and 'href="/scan"' in participation(page)


def test_a_member_finds_no_way_to_the_organisers_pages(member_client, make_event):
    event = make_event(**HARVEST)
    for url in ("/calendar", f"/calendar/{event.id}"):
        page = page_of(member_client, url)
        assert re.search(r'(href|action)="/events', page) is None
        assert "<form" not in page.split("<main", 1)[1]
    assert member_client.get(f"/events/{event.id}").status_code == 403


def test_the_events_organisers_find_their_page_from_it(client, organiser, make_event):
    event = make_event(title="ワイン講座")  # on now: a member would be offered the scanner
    log_in(client, organiser.email)
    page = page_of(client, f"/calendar/{event.id}")
    assert f'href="/events/{event.id}"' in page and "このイベントを運営する" in page
    assert "あなたはこのイベントの運営者です" in participation(page)
    assert 'href="/scan"' not in participation(page)


def test_no_such_event_is_a_404(member_client):
    assert member_client.get("/calendar/999999").status_code == 404


def test_the_members_events_are_in_english_too(member_client, make_event):
    event = make_event(**HARVEST)
    member_client.post("/lang", data={"lang": "en", "csrf_token": _token(member_client)})
    page = page_of(member_client, f"/calendar/{event.id}")
    assert "Sat, Jun 14, 2031" in page and "30 En coins for taking part" in page


def _token(client) -> str:
    from ..conftest import csrf_token

    return csrf_token(client, "/calendar")


def test_times_are_japan_time_whatever_the_servers_zone(member_client, make_event):
    # 23:30 UTC on the 13th is 08:30 on the 14th in Japan.
    event = make_event(
        title="朝市",
        starts_at=datetime(2031, 6, 13, 23, 30, tzinfo=UTC),
        ends_at=datetime(2031, 6, 14, 1, 0, tzinfo=UTC),
    )
    page = page_of(member_client, f"/calendar/{event.id}")
    assert '2031年6月14日(土)</span> <span class="keep-together">8:30</span>〜' in page
