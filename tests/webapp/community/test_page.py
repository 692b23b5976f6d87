"""The community page (/community), its charts and its public version (/community/public): the
figures of the period a member picks, the masking of small counts on the public page, and
what its HTML and SVG may hold. The data are made with the app's own services, dated by hand
in May 2026, and summed with rebuild_summary; the pages are asked at a fixed moment."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from webapp.accounts.models import AuditEntry, Role
from webapp.community import page_views
from webapp.community.masking import masked
from webapp.community.models import CommunitySettings
from webapp.community.settings import set_public_page
from webapp.community.summary import rebuild_summary
from webapp.ledger.models import LedgerEntry
from webapp.perks.redemptions import start_redemption, ticket_key, use_ticket
from webapp.perks.services import add_staff, create_partner, create_perk
from webapp.profiles.models import Area
from webapp.profiles.residence import set_residence

from ...conftest import csrf_token, log_in
from ..checkin.rules import attend

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 6, 10, 3, 0, tzinfo=UTC)  # 12:00 on June 10th in Tokyo
MAY_20 = datetime(2026, 5, 20, 1, 0, tzinfo=UTC)
SECRET_NAMES = ("秘密 一郎", "秘密 二郎", "秘密 三郎")


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setattr(page_views, "utcnow", lambda: NOW)


@pytest.fixture
def may(app, session, make_user, make_event):
    """May 2026: five members of the city and four from outside the prefecture check in at
    one event (10 coins each); one of the city's uses a perk of 10 coins at a shop."""
    city = [make_user() for _ in range(5)]
    outside = [make_user() for _ in range(4)]
    everyone = city + outside
    for n, user in enumerate(everyone):
        user.display_name = f"{SECRET_NAMES[n % 3]}{n}"
        set_residence(session, user.id, Area.CITY if user in city else Area.OUTSIDE,
                      datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    event = make_event(title="ぶどう畑の草刈り")
    for user in everyone:
        attend(session, user, event, at=MAY_20)
    event.starts_at, event.ends_at = MAY_20 - timedelta(hours=1), MAY_20 + timedelta(hours=2)
    for entry in session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "reward")):
        entry.created_at = MAY_20
    staff = make_user(Role.MEMBER, member=False)
    shop = create_partner(session, name_ja="塩尻ワイナリー")
    add_staff(session, shop, staff.email)
    perk = create_perk(session, shop, title_ja="グラスワイン1杯", price=10)
    session.flush()
    now = datetime.now(UTC)
    ticket = start_redemption(session, city[0], perk, now, timedelta(minutes=15))
    used = use_ticket(session, staff, shop, ticket.short_code, ticket_key(app.secret_key), now)
    used.used_at = datetime(2026, 5, 25, 3, 0, tzinfo=UTC)
    session.commit()
    rebuild_summary(session, NOW, TOKYO)
    session.commit()
    return everyone


def member_client(app, user):
    client = app.test_client()
    log_in(client, user.email)
    return client


def shown(html: str, name: str) -> str:
    found = re.search(rf'data-testid="{re.escape(name)}"[^>]*>(.*?)</', html, re.DOTALL)
    assert found, f"no {name} on the page"
    return re.sub(r"\s+", " ", found[1]).strip()


def turn_public(session, make_user, on=True):
    admin = make_user(Role.ADMIN)
    set_public_page(session, on, actor=admin, now=NOW)
    session.commit()
    return admin


# -- the members' page ----------------------------------------------------------------------


def test_the_page_shows_the_periods_figures_split_by_where_people_live(app, may):
    html = member_client(app, may[0]).get("/community?month=2026-05").get_data(as_text=True)
    assert shown(html, "value-checkins") == "9"
    assert shown(html, "value-participants") == "9"
    assert shown(html, "value-first-time") == "9"
    assert shown(html, "value-returning") == "0"
    assert shown(html, "value-active") == "9"
    assert shown(html, "value-events") == "1"
    assert shown(html, "value-coins-issued") == "90 えんコイン"
    assert shown(html, "value-coins-spent") == "10 えんコイン"
    assert shown(html, "value-local-share") == "11%"  # 10 of 90
    assert shown(html, "split-checkins-city") == "5"
    assert shown(html, "split-checkins-outside") == "4"
    assert shown(html, "split-checkins-prefecture") == "0"
    assert shown(html, "split-coins-issued-outside") == "40 えんコイン"
    assert shown(html, "split-coins-spent-city") == "10 えんコイン"
    assert shown(html, "shop-perks") == "1"
    assert shown(html, "shop-coins") == "10 えんコイン"
    assert shown(html, "period-label") == "2026年5月"
    assert shown(html, "refreshed-at") == "6月10日 12時00分時点の集計"


def test_june_has_none_of_mays_check_ins_and_may_is_in_the_spring(app, may):
    client = member_client(app, may[0])
    june = client.get("/community").get_data(as_text=True)  # this month: June
    assert shown(june, "period-label") == "2026年6月"
    assert shown(june, "value-checkins") == "0"
    assert shown(june, "value-active") == "9"  # a check-in in the last three months
    spring = client.get("/community?season=2026-03").get_data(as_text=True)
    assert shown(spring, "period-label") == "2026年 春（3月〜5月）"
    assert shown(spring, "value-checkins") == "9"
    year = client.get("/community?year=2026").get_data(as_text=True)
    assert shown(year, "period-label") == "2026年"
    assert shown(year, "value-coins-issued") == "90 えんコイン"
    custom = client.get("/community?from=2026-04&to=2026-05").get_data(as_text=True)
    assert shown(custom, "period-label") == "2026年4月〜2026年5月"
    assert shown(custom, "value-participants") == "9"


@pytest.mark.parametrize(
    "query, message",
    [
        ("month=2026-13", "その期間は読み取れませんでした"),
        ("year=20x6", "その期間は読み取れませんでした"),
        ("season=soon", "その期間は読み取れませんでした"),
        ("from=2026-05&to=2026-01", "期間の終わりが始まりより前です"),
        ("from=2020-01&to=2026-05", "期間は最大 36 か月です"),
    ],
)
def test_a_period_that_cannot_be_read_is_a_400_with_a_clear_message(app, may, query, message):
    response = member_client(app, may[0]).get(f"/community?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in shown(html, "period-error")
    assert 'data-testid="value-checkins"' not in html
    assert member_client(app, may[0]).get(f"/community/charts/coins.svg?{query}").status_code == 400


def test_the_picker_offers_each_kind_of_period_as_plain_links_and_forms(app, may):
    html = member_client(app, may[0]).get("/community").get_data(as_text=True)
    for href in ("/community?month=2026-06", "/community?month=2026-05",
                 "/community?season=2026-06", "/community?year=2026"):  # fmt: skip
        assert f'href="{href}"' in html
    for name in ("month", "season", "year", "from", "to"):
        assert f'name="{name}"' in html
    assert '<option value="2026-03">2026年 春（3月〜5月）</option>' in html


def test_the_page_and_its_charts_need_a_login(app, may):
    client = app.test_client()
    assert client.get("/community").status_code == 302
    assert client.get("/community/charts/events.svg").status_code == 302


def chart_values(svg: str) -> list[list[str]]:
    """Each series' values as the SVG draws them (pygal writes each bar's value in a desc)."""
    root = ET.fromstring(svg)
    series: dict[str, list[str]] = {}
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        kind = group.get("class", "")
        if kind.startswith("series serie-"):
            values = [d.text for d in group.iter("{http://www.w3.org/2000/svg}desc")
                      if d.get("class") == "value"]  # fmt: skip
            if values:
                series[kind.split()[1]] = values
    return [series[f"serie-{n}"] for n in range(len(series))]


def table_values(html: str, chart: str) -> list[list[str]]:
    block = html.split(f'data-testid="chart-{chart}"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", block.split("<tbody>", 1)[1], re.DOTALL)
    cells = [re.findall(r'data-value="([^"]*)"', row) for row in rows]
    return [list(column) for column in zip(*cells, strict=True)]


@pytest.mark.parametrize("chart", ["participation", "coins", "events"])
def test_each_charts_table_holds_the_numbers_it_is_drawn_with(app, may, chart):
    client = member_client(app, may[0])
    html = client.get("/community?year=2026").get_data(as_text=True)
    response = client.get(f"/community/charts/{chart}.svg?year=2026")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    drawn = chart_values(response.get_data(as_text=True))
    table = table_values(html, chart)
    assert drawn == table
    assert len(table[0]) == 12
    if chart == "participation":
        assert table[0][4] == "5" and table[2][4] == "4"  # May: city 5, outside 4
    assert f'src="/community/charts/{chart}.svg?year=2026"' in html
    assert re.search(rf'<img[^>]*src="/community/charts/{chart}.svg[^"]*"[^>]*alt="[^"]+"', html)


def test_a_chart_is_an_svg_with_no_script_and_no_address_but_its_namespace(app, may):
    client = member_client(app, may[0])
    for chart in ("participation", "coins", "events"):
        response = client.get(f"/community/charts/{chart}.svg?month=2026-05")
        svg = response.get_data(as_text=True)
        assert "<script" not in svg.lower()
        assert "javascript:" not in svg.lower()
        urls = set(re.findall(r"https?://[^\s\"'<>)]+", svg))
        assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
        policy = response.headers["Content-Security-Policy"]
        assert "script-src" not in policy and "default-src 'none'" in policy
    assert client.get("/community/charts/nothing.svg").status_code == 404


def test_my_page_leads_to_the_community_page(app, may):
    html = member_client(app, may[0]).get("/account").get_data(as_text=True)
    assert 'href="/community"' in html
    assert 'href="/admin/community"' not in html


# -- the public page ------------------------------------------------------------------------


def test_the_public_page_is_off_by_default_and_then_does_not_exist(app, may):
    client = app.test_client()
    assert client.get("/community/public").status_code == 404
    assert client.get("/community/public/charts/events.svg").status_code == 404
    assert member_client(app, may[0]).get("/community/public").status_code == 404


def test_an_administrator_turns_it_on_and_off_and_the_audit_log_says_so(app, session, make_user):
    admin = make_user(Role.ADMIN)
    client = member_client(app, admin)
    page = client.get("/admin/community").get_data(as_text=True)
    assert 'data-testid="turn-on"' in page
    token = csrf_token(client, "/admin/community")
    client.post("/admin/community", data={"public_page": "on", "csrf_token": token})
    assert session.get(CommunitySettings, 1).public_page is True
    assert app.test_client().get("/community/public").status_code == 200
    assert 'data-testid="turn-off"' in client.get("/admin/community").get_data(as_text=True)
    client.post("/admin/community", data={"public_page": "off", "csrf_token": token})
    session.expire_all()
    assert session.get(CommunitySettings, 1).public_page is False
    assert app.test_client().get("/community/public").status_code == 404
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["community.public_on", "community.public_off"]
    assert 'href="/admin/community"' in client.get("/account").get_data(as_text=True)


def test_masked_hides_counts_below_five():
    assert [masked(n) for n in (0, 1, 4, 5, 6, 120)] == [None, None, None, 5, 6, 120]


def test_the_public_page_needs_no_login_and_masks_every_count_below_five(app, session, may,
                                                                         make_user):  # fmt: skip
    turn_public(session, make_user)
    response = app.test_client().get("/community/public?month=2026-05")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert shown(html, "value-checkins") == "9"
    # 5 would be shown, but the outside's 4 is the row's only hidden cell that is not 0 (a
    # hidden 0 covers nothing), so the city's is hidden too: 9 − 5 would give the 4.
    assert shown(html, "split-checkins-city") == "非表示"
    assert shown(html, "split-checkins-outside") == "5 未満"  # 4 is not
    assert shown(html, "split-checkins-prefecture") == "5 未満"  # nor 0
    assert shown(html, "value-events") == "5 未満"
    assert shown(html, "value-returning") == "5 未満"
    # Coins: shown where at least 5 people made them.
    assert shown(html, "value-coins-issued") == "90 えんコイン"
    # The city's 50 would show, but then 90 − 50 would give the outside's hidden 40.
    assert shown(html, "split-coins-issued-city") == "非表示"
    assert shown(html, "split-coins-issued-outside") == "非表示（5人未満）"
    assert shown(html, "value-coins-spent") == "非表示（5人未満）"
    assert shown(html, "value-local-share") == "非表示（5人未満）"
    assert shown(html, "shop-perks") == "5 未満"
    assert shown(html, "shop-coins") == "非表示（5人未満）"
    # The members' page, for the same period, is never masked.
    members = member_client(app, may[0]).get("/community?month=2026-05").get_data(as_text=True)
    assert shown(members, "split-checkins-outside") == "4"


def test_the_public_charts_are_masked_like_their_tables(app, session, may, make_user):
    turn_public(session, make_user)
    client = app.test_client()
    html = client.get("/community/public?month=2026-05").get_data(as_text=True)
    participation = table_values(html, "participation")
    # One series (check-ins per month, not by where people live): May's 9, the months before
    # it with none, hidden.
    assert len(participation) == 1
    assert participation[0][-1] == "9" and set(participation[0][:-1]) == {""}
    svg = client.get("/community/public/charts/participation.svg?month=2026-05")
    drawn = chart_values(svg.get_data(as_text=True))
    # A masked month is drawn as no bar: only May's is in the drawing.
    assert drawn == [[value for value in column if value] for column in participation]
    assert 'src="/community/public/charts/participation.svg?month=2026-05"' in html


def test_no_members_name_or_e_mail_is_anywhere_in_the_public_page_or_its_charts(
    app, session, may, make_user
):
    admin = turn_public(session, make_user)
    client = app.test_client()
    texts = [client.get("/community/public?year=2026").get_data(as_text=True)]
    for chart in ("participation", "coins", "events"):
        texts.append(client.get(f"/community/public/charts/{chart}.svg?year=2026").get_data(
            as_text=True))  # fmt: skip
    people = [*may, admin]
    for text in texts:
        for person in people:
            assert person.display_name not in text
            assert person.email not in text
        assert "秘密" not in text
        assert "@example.org" not in text
