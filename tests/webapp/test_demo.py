"""The demo of a first start looks lived in: the demo member has five past events, a perk used at
the winery and about 40 coins, all of it on chain once the worker has run; an event is on now,
a second organiser's is coming up, and the perks have pictures."""

import io
import re
from datetime import timedelta
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from webapp.accounts.services import get_user_by_email
from webapp.checkin.services import list_member_attendances
from webapp.community.periods import month_of
from webapp.community.summary import rebuild_summary
from webapp.core.db import utcnow
from webapp.core.i18n import local_zone
from webapp.demo import DEMO_PASSWORD, load_demo_data
from webapp.events.models import Event
from webapp.ledger.services import get_balance
from webapp.onchain.models import JobStatus
from webapp.perks.models import Perk, Redemption, RedemptionStatus
from webapp.reports.reconcile import reconcile
from webapp.yui.lists import BoardFilters, list_my_threads, list_posts

from ..conftest import log_in
from .test_worker import jobs, work


def test_the_demo_member_has_five_events_a_used_perk_and_40_coins_on_chain(
    app, session, keyring, chain, client
):
    now = utcnow()
    load_demo_data(session, keyring, now)
    session.commit()
    member = get_user_by_email(session, "member@example.org")

    attended = list_member_attendances(session, member)
    assert len(attended) == 5
    # Each at its own event's time, weeks apart: the history reads as months of taking part.
    assert all(a.event.starts_at <= a.checked_in_at < a.event.ends_at for a in attended)
    assert max(a.checked_in_at for a in attended) < now - timedelta(days=7)
    assert len({a.event.organiser_id for a in attended}) == 2
    [used] = session.scalars(select(Redemption).where(Redemption.user_id == member.id)).all()
    assert used.status == RedemptionStatus.USED and used.used_at < now
    assert get_balance(session, member).total == 40

    work(session, chain)  # the cards and the awards
    work(session, chain)  # the burn, which waits for the member's awards
    assert jobs(session, status=JobStatus.CONFIRMED) == jobs(session)
    assert chain.token_balance(member.address) == 40
    assert all(chain.badge_balance(member.address, a.event_id) == 1 for a in attended)
    assert reconcile(session, chain) == []

    log_in(client, member.email, DEMO_PASSWORD)
    wallet = client.get("/wallet").get_data(as_text=True)
    for attendance in attended:
        assert attendance.event.title in wallet
    assert "ワイナリーのぶどうジュース1本" in wallet  # spent, in the history
    perks = client.get("/perks").get_data(as_text=True)
    assert "いま 40 えんコインあります。" in perks
    workshop = re.search(r'data-testid="perk">(?:(?!</li>).)*木曽漆器(?:(?!</li>).)*', perks, re.S)
    assert re.search(r"<button[^>]*disabled[^>]*>あと 20 えんコイン</button>", workshop.group(0))


def test_an_event_is_on_now_and_a_second_organisers_event_is_coming(app, session, keyring):
    now = utcnow()
    load_demo_data(session, keyring, now)
    session.commit()
    events = session.scalars(select(Event)).all()
    on_now = [e for e in events if e.starts_at <= now < e.ends_at]
    coming = [e for e in events if now < e.starts_at]
    assert [e.title for e in on_now] == ["塩尻ラボ 交流会"]
    assert [e.organiser.email for e in on_now] == ["organiser@example.org"]
    assert [e.organiser.email for e in coming] == ["organiser2@example.org"]
    assert len([e for e in events if e.ends_at <= now]) == 5


def test_every_demo_perk_has_a_small_picture_that_says_what_it_shows(app, session, keyring):
    load_demo_data(session, keyring, utcnow())
    session.commit()
    perks = session.scalars(select(Perk)).all()
    assert len(perks) == 4
    for perk in perks:
        assert perk.photo_alt and len(perk.photo) <= 60 * 1024
        assert Image.open(io.BytesIO(perk.photo)).format == "JPEG"


def test_the_readme_s_join_link_opens_the_demo_invitation(app, session, keyring, client):
    load_demo_data(session, keyring, utcnow())
    session.commit()
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    link = re.search(r"http://127\.0\.0\.1:5000(/join/\S+)", readme).group(1)
    page = client.get(link)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "管理者 デモ さんから" in text and "桔梗ヶ原 みどり" in text
    member = get_user_by_email(session, "member@example.org")
    assert member.cohort == "第5期"


def test_the_demo_community_has_figures_by_area_and_members_to_find(app, session, keyring, client):
    now = utcnow()
    load_demo_data(session, keyring, now)
    rebuild_summary(session, now, local_zone())
    session.commit()
    log_in(client, "member@example.org", DEMO_PASSWORD)

    first, last = month_of(now - timedelta(days=100), local_zone()), month_of(now, local_zone())
    page = client.get(
        f"/community?from={first // 100}-{first % 100:02d}&to={last // 100}-{last % 100:02d}"
    )
    html = page.get_data(as_text=True)
    # The five past events: 広丘 翔 came from outside the prefecture to four of them; five
    # people took part.
    assert re.search(r'data-testid="split-checkins-outside">\s*4\s*<', html)
    assert re.search(r'data-testid="split-participants-total">\s*5\s*<', html)

    directory = client.get("/members").get_data(as_text=True)
    assert "大門 さくら" in directory and "広丘 翔" in directory
    assert "奈良井 健太" not in directory  # no profile: private


def test_the_demo_board_has_posts_a_conversation_and_a_post_made_for_a_member(
    app, session, keyring, client
):
    now = utcnow()
    load_demo_data(session, keyring, now)
    session.commit()
    board = list_posts(session, BoardFilters())
    assert [post.title for post in board.posts] == [
        "週に一度の買い物の付き添い",
        "玄関前と駐車場の雪かき",
        "草刈り機を貸します",
        "スマホの使い方、教えます",
    ]
    snow, mower = board.posts[1], board.posts[2]
    assert (snow.kind, snow.coins, mower.kind) == ("request", 30, "offer")
    sakura = get_user_by_email(session, "daimon@example.org")
    assert get_balance(session, sakura).held == 30  # her coins, set aside for the helper
    for_tome = board.posts[0]
    assert for_tome.on_behalf and for_tome.author.email == "organiser@example.org"

    log_in(client, "member@example.org", DEMO_PASSWORD)
    [thread] = list_my_threads(session, get_user_by_email(session, "member@example.org"))
    assert thread.post == snow and thread.last.sender == sakura
    page = client.get(f"/yui/threads/{thread.thread.id}").get_data(as_text=True)
    assert "朝7時ごろなら行けます" in page
