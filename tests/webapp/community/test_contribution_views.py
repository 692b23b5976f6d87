"""「わたしの参加」 as the member sees it: their year, a year at a time, in plain words."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from webapp.accounts.models import Role

from ...conftest import log_in
from .history import attend, badge, launch, perk, proposal, use_perk, vote


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def texts(page: str, test_id: str) -> list[str]:
    found = re.findall(rf'data-testid="{test_id}"[^>]*>(.*?)</', page, re.S)
    return [re.sub(r"\s+", " ", text).strip() for text in found]


def test_my_year_and_its_timeline(app, session, make_user, make_event):
    me, other, admin = make_user(), make_user(), make_user(Role.ADMIN)
    start = at("2026-06-14T01:00")
    wine = make_event(title="ワイン講座", venue="えんぱーく", starts_at=start,
                      ends_at=at("2026-06-14T03:00"), now=start)  # fmt: skip
    old = make_event(title="去年の芋煮会", venue="みどり湖", starts_at=at("2025-10-01T01:00"),
                     ends_at=at("2025-10-01T03:00"), now=start)  # fmt: skip
    secret = make_event(title="よその集まり", starts_at=start, ends_at=at("2026-06-14T03:00"),
                        now=start)  # fmt: skip
    attend(session, me, wine, at("2026-06-14T01:10"), coins=1200)
    attend(session, other, wine, at("2026-06-14T01:20"), coins=1200)
    attend(session, other, secret, at("2026-06-14T01:20"), coins=5)
    attend(session, me, old, at("2025-10-01T01:10"), coins=10)
    garden = launch(session, me, "みんなの畑", at("2026-03-10T00:00"))
    badge(session, me, garden, at("2026-10-01T00:00"), by=admin)
    shelf = proposal(session, other, "公民館に本棚を置く", at("2026-05-01T00:00"))
    vote(session, me, shelf, at("2026-05-02T00:00"), choice=1)
    use_perk(session, me, perk(session, "喫茶しおじり", "コーヒー1杯", 30), at("2026-07-01T00:00"))
    session.commit()

    client = app.test_client()
    log_in(client, me.email)
    account = client.get("/account").get_data(as_text=True)
    assert 'href="/account/contribution"' in account

    answer = client.get("/account/contribution?year=2026")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert re.search(r'id="year-title">[^<]*2026', page)  # 「2026年のあなた」
    assert texts(page, "summary-events") == ["1"]
    assert texts(page, "summary-people") == ["1"]
    assert texts(page, "summary-earned")[0].startswith("1,200 ")
    assert texts(page, "summary-spent")[0].startswith("30 ")
    assert texts(page, "summary-projects") == ["1"]
    kinds = re.findall(r'data-testid="moment" data-kind="(\w+)"', page)
    assert kinds == ["project_badge", "perk_used", "event", "vote", "project_launched"]
    for shown in (
        "ワイン講座",
        "えんぱーく",
        "喫茶しおじり",
        "コーヒー1杯",
        "公民館に本棚を置く",
        "みんなの畑",
    ):
        assert shown in page
    assert "よその集まり" not in page and "去年の芋煮会" not in page
    assert "反対" not in page  # the vote, never the choice
    assert "0x" not in page and me.address not in page
    assert re.findall(r'data-testid="year-link"[^>]*>(\d+)<', page) == ["2026", "2025"]
    assert 'href="/account/contribution?year=2025"' in page

    page = client.get("/account/contribution?year=2025").get_data(as_text=True)
    assert "去年の芋煮会" in page and "ワイン講座" not in page
    assert texts(page, "summary-events") == ["1"]
    assert texts(page, "summary-people") == ["0"]


def test_a_member_with_nothing_yet_is_shown_the_way_to_the_events(app, member):
    client = app.test_client()
    log_in(client, member.email)
    page = client.get("/account/contribution").get_data(as_text=True)
    assert 'data-testid="moment"' not in page
    assert 'data-testid="summary-events"' not in page
    assert 'data-testid="year-link"' not in page  # one year: nothing to choose
    assert re.search(r'class="empty".*href="/calendar"', page, re.S)


def test_a_year_out_of_range_is_this_year(app, member):
    client = app.test_client()
    log_in(client, member.email)
    for asked in ("1999", "9999", "abc"):
        answer = client.get(f"/account/contribution?year={asked}")
        assert answer.status_code == 200
        assert asked not in answer.get_data(as_text=True)
