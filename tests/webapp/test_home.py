"""ホーム: the events a member can go to, their last check-in, what changed since they last came,
their coins and the scanner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from webapp.core.db import utcnow
from webapp.perks.redemptions import start_redemption
from webapp.perks.services import create_partner, create_perk
from webapp.site import event_status

from ..conftest import log_in
from .checkin.scans import code_for

# 10:00–12:00 in Japan on Saturday 14 June 2031.
HARVEST = {
    "title": "ぶどう収穫祭",
    "venue": "塩尻ワイナリー",
    "starts_at": datetime(2031, 6, 14, 1, 0, tzinfo=UTC),
    "ends_at": datetime(2031, 6, 14, 3, 0, tzinfo=UTC),
    "reward": 30,
}


@pytest.fixture
def member_client(client, member):
    log_in(client, member.email)
    return client


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_events_to_come_are_listed_in_japan_time_with_their_reward_in_coins(
    member_client, make_event
):
    make_event(**HARVEST)
    make_event(
        title="去年の芋煮会",
        starts_at=utcnow() - timedelta(days=2),
        ends_at=utcnow() - timedelta(days=1),
    )
    page = home(member_client)
    assert "ぶどう収穫祭" in page and "塩尻ワイナリー" in page
    assert '2031年6月14日(土)</span> <span class="keep-together">10:00</span>〜' in page
    assert '<span class="keep-together">12:00</span>' in page
    assert '参加すると <span class="keep-together">30 えんコイン</span>' in page
    assert "去年の芋煮会" not in page
    assert "トークン" not in page


def test_an_event_on_now_says_so(member_client, make_event):
    make_event(title="ワイン講座")  # began an hour ago
    page = home(member_client)
    assert "ワイン講座" in page and "開催中" in page


@pytest.mark.parametrize(
    ("now", "status"),
    [
        (datetime(2031, 6, 13, 14, 59, tzinfo=UTC), None),  # 23:59 the day before, in Japan
        (datetime(2031, 6, 13, 15, 0, tzinfo=UTC), "today"),  # its day began in Japan
        (datetime(2031, 6, 14, 1, 0, tzinfo=UTC), "on"),
        (datetime(2031, 6, 14, 3, 0, tzinfo=UTC), "over"),
    ],
)
def test_an_event_is_today_on_its_day_in_japan_then_on_then_over(app, make_event, now, status):
    assert event_status(make_event(**HARVEST), now) == status


def test_organisers_are_not_offered_the_events_they_run(client, organiser, make_event):
    make_event(**HARVEST)
    log_in(client, organiser.email)
    page = home(client)
    assert "ぶどう収穫祭" not in page and "参加できるイベントの予定はまだありません。" in page


def test_the_balance_is_in_coins_beside_the_scanner(member_client, member, session):
    from webapp.ledger.models import LedgerEntry

    session.add(LedgerEntry(user_id=member.id, amount=1200, kind="reward", created_at=utcnow()))
    session.commit()
    page = home(member_client)
    assert 'data-testid="home-balance"' in page and "1,200 えんコイン" in page
    assert 'href="/scan" data-testid="home-scan"' in page


def test_with_nothing_to_show_home_says_so_and_offers_one_way_on(member_client):
    page = home(member_client)
    assert "参加できるイベントの予定はまだありません。" in page
    assert "イベントの一覧を見る" in page and 'href="/calendar"' in page
    assert "最後の参加記録" not in page and "前回から" not in page


def test_the_last_check_in_is_shown_with_its_state_in_words(member_client, make_event):
    event = make_event()
    member_client.get(f"/c/{code_for(event)}")
    page = home(member_client)
    assert f'href="/calendar/{event.id}" data-testid="home-last"' in page
    assert "反映中" in page  # the worker has not recorded it on chain yet: the wallet's word


def test_a_check_in_whose_coins_wait_for_approval_says_so_as_the_wallet_does(
    member_client, make_event
):
    event = make_event(reward=500)  # above the limit: an administrator approves it first
    member_client.get(f"/c/{code_for(event)}")
    assert "承認待ち" in home(member_client)
    assert "承認待ち" in member_client.get("/wallet").get_data(as_text=True)


def test_a_refused_check_in_says_why(member_client, make_event):
    later = make_event(starts_at=utcnow() + timedelta(days=3), ends_at=utcnow() + timedelta(days=4))
    member_client.get(f"/c/{code_for(later)}")
    page = home(member_client)
    assert "受け付けられませんでした" in page
    assert "このイベントのチェックインはまだ始まっていません" in page


def test_what_changed_since_the_last_visit_is_told_once(member_client, make_event):
    assert "前回から" not in home(member_client)  # a first visit has nothing to compare with
    member_client.get(f"/c/{code_for(make_event())}")
    page = home(member_client)
    assert "前回から" in page
    assert "新しいバッジ 1 つ" in page and "+10 えんコイン" in page
    assert "前回から" not in home(member_client)


def test_a_ticket_that_ran_out_is_told_with_the_coins_that_came_back(
    member_client, member, session
):
    from webapp.ledger.models import LedgerEntry

    session.add(LedgerEntry(user_id=member.id, amount=50, kind="reward", created_at=utcnow()))
    perk = create_perk(
        session, create_partner(session, name_ja="大門カフェ"), title_ja="コーヒー", price=20
    )
    session.commit()
    home(member_client)
    ticket = start_redemption(session, member, perk, utcnow(), timedelta(minutes=15))
    ticket.expires_at = utcnow()  # as if its quarter of an hour had passed
    session.commit()
    page = home(member_client)
    changes = page.split('data-testid="home-changes"', 1)[1].split("</section>", 1)[0]
    assert "使われずに期限が切れたチケット 1 枚（20 えんコインが戻りました）" in changes
    assert changes.count("<li>") == 1  # no badge, no coins earned
