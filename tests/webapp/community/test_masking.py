"""The public page's masking (community.masking): the group rule on its own, as a table, and
the public page built from hand-made data, read as a visitor reads it, checking that no hidden
figure can be worked out by subtracting shown ones (a row's total minus its shown areas, the
participants minus the returning, a period minus its months in a chart, the coins spent at
shops minus the shown shops). The members' page, for the same data, shows every figure.

Pages are read in English (the session's language) so that "Fewer than 5" (primary) and
"Hidden" (withheld by the group rule) are told apart whatever the catalogue holds."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from webapp.accounts.models import Role
from webapp.community import page_views
from webapp.community.masking import WITHHELD, mask_group, suppress
from webapp.community.settings import set_public_page
from webapp.community.summary import rebuild_summary
from webapp.profiles.models import Area
from webapp.profiles.residence import set_residence

from ...conftest import log_in
from .history import attend, perk, use_perk

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 6, 10, 3, 0, tzinfo=UTC)
MAY_20 = datetime(2026, 5, 20, 1, 0, tzinfo=UTC)
APRIL_20 = datetime(2026, 4, 20, 1, 0, tzinfo=UTC)
MARCH_20 = datetime(2026, 3, 20, 1, 0, tzinfo=UTC)
AREAS = ("city", "prefecture", "outside", "unknown")
FEW, HIDDEN = "Fewer than 5", "Hidden"
FEW_PEOPLE = "Hidden (fewer than 5 people)"
N = None  # the table's shorthand: hidden by the primary rule (below 5)
W = WITHHELD  # hidden by the group rule


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setattr(page_views, "utcnow", lambda: NOW)


# -- the group rule, on its own -------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "total", "shown_parts", "shown_total"),
    [
        # Nothing below 5: everything shown.
        ([5, 6, 7], 18, [5, 6, 7], 18),
        # One part hidden: the smallest other shown part goes with it (16 - 5 - 5 - 5 = 1).
        ([5, 5, 5, 1], 16, [W, 5, 5, N], 16),
        ([1, 40, 9, 20], 70, [N, 40, W, 20], 70),
        # Two parts hidden already: their sum is known, neither is.
        ([1, 2, 30, 40], 73, [N, N, 30, 40], 73),
        # One part hidden and no other shown: the total goes.
        ([3, 0], 3, [N, N], N),
        ([3, 9], 12, [N, W], 12),  # first-time 3, returning 9: the returning go, not the total
        ([4], 4, [N], N),
        ([0, 0, 12], 12, [N, N, 12], 12),
        # The total hidden alone (a coin total made by fewer than 5 people): a part goes too.
        ([0, 0], 0, [N, N], N),
        # Equal smallest parts: the first of them, so that the same data hide the same cells.
        ([7, 7, 2], 16, [W, 7, N], 16),
        # A hidden 0 covers nothing: a season under way, whose last month has not begun (known
        # to be 0), and a month of 3; without a second cell 12 - 9 would give the 3.
        ([9, 3, 0], 12, [W, N, N], 12),
        ([5, 5, 4, 0], 14, [W, 5, N, N], 14),
    ],
)
def test_the_group_rule_hides_a_second_cell_wherever_one_is_hidden_alone(
    parts, total, shown_parts, shown_total
):
    assert mask_group(parts, total) == (shown_parts, shown_total)


def test_coins_are_hidden_by_their_people_then_by_the_group_rule():
    # 37 coins made by one person, the others by 5 each: the lone amount and the smallest
    # other shown amount are hidden; the total (16 people) stays.
    assert mask_group([50, 50, 50, 37], 187, hidden=[False, False, False, True],
                      total_hidden=False) == ([W, 50, 50, None], 187)  # fmt: skip
    # A total made by fewer than 5 people, every part shown: a part goes with it.
    assert mask_group([60, 80], 140, hidden=[False, False], total_hidden=True) == ([W, 80], N)


def test_a_cell_in_two_groups_is_hidden_until_no_group_has_one_hidden_cell():
    # A coin total made by fewer than 5 people is in its row (areas a and b) and in its
    # chart's group (the months): each hides a part; a, hidden, is itself the total of a1 + a2.
    values = {"total": 22, "a": 10, "b": 12, "march": 10, "april": 12, "a1": 5, "a2": 5}
    groups = [("total", ["a", "b"]), ("total", ["march", "april"]), ("a", ["a1", "a2"])]
    assert suppress(values, ["total"], groups) == {
        "total": N, "a": W, "b": 12, "march": W, "april": 12, "a1": W, "a2": 5}  # fmt: skip


# -- the public page, built from data --------------------------------------------------------


def english(client):
    with client.session_transaction() as browser:
        browser["lang"] = "en"
    return client


def text(html: str, name: str) -> str | None:
    found = re.search(rf'data-testid="{re.escape(name)}"[^>]*>(.*?)</', html, re.DOTALL)
    return re.sub(r"\s+", " ", found[1]).strip() if found else None


def is_hidden(value: str) -> bool:
    return value in (FEW, HIDDEN, FEW_PEOPLE)


def number(value: str) -> int:
    return int(re.sub(r"[^\d]", "", value))


def assert_not_derivable(row: list[str]) -> None:
    """A group (a total and its parts) as shown: either nothing hidden, or at least two cells
    hidden, so that no hidden one is the total minus the shown ones."""
    hidden = sum(is_hidden(cell) for cell in row)
    assert hidden == 0 or hidden >= 2, row


def public(app, session, make_user, query: str) -> str:
    admin = make_user(Role.ADMIN)
    set_public_page(session, True, actor=admin, now=NOW)
    session.commit()
    rebuild_summary(session, NOW, TOKYO)
    session.commit()
    response = english(app.test_client()).get(f"/community/public?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def live(session, make_user, area: Area | None):
    user = make_user()
    if area is not None:
        set_residence(session, user.id, area, datetime(2026, 1, 1, tzinfo=UTC))
    return user


def at_event(make_event, when: datetime):
    event = make_event(title="ぶどう畑の草刈り")
    event.starts_at, event.ends_at = when - timedelta(hours=1), when + timedelta(hours=2)
    return event


@pytest.fixture
def reviewers_town(session, make_user, make_event):
    """The reviewer's case: 5 people in each of three areas and one who said nothing (37
    coins, the others 10 each) check in once in May."""
    event = at_event(make_event, MAY_20)
    people = [live(session, make_user, area)
              for area in (Area.CITY, Area.PREFECTURE, Area.OUTSIDE) for _ in range(5)]  # fmt: skip
    lone = live(session, make_user, None)
    for user in people:
        attend(session, user, event, MAY_20, coins=10)
    attend(session, lone, event, MAY_20, coins=37)
    return [*people, lone]


def test_no_hidden_cell_of_the_reviewers_case_is_the_total_minus_the_shown_ones(
    app, session, make_user, reviewers_town
):
    html = public(app, session, make_user, "month=2026-05")
    rows = {
        key: [text(html, f"split-{key}-total")] + [text(html, f"split-{key}-{a}") for a in AREAS]
        for key in ("checkins", "participants", "active", "coins-issued")
    }
    assert rows["checkins"] == ["16", HIDDEN, "5", "5", FEW]  # was 16 / 5 / 5 / 5 / 5未満
    assert rows["coins-issued"][4] == FEW_PEOPLE and rows["coins-issued"][1] == HIDDEN
    assert number(rows["coins-issued"][0]) == 187
    for row in rows.values():
        assert_not_derivable(row)
    # The lone person's 1 and 37 cannot be read back from any row.
    for row in rows.values():
        shown_parts = [number(cell) for cell in row[1:] if not is_hidden(cell)]
        if not is_hidden(row[0]):
            assert number(row[0]) - sum(shown_parts) not in (1, 37)
    # The headline is the row's total, shown the same way.
    assert text(html, "value-checkins") == "16"


def test_the_members_page_shows_every_figure_of_the_same_data(
    app, session, make_user, reviewers_town
):
    rebuild_summary(session, NOW, TOKYO)
    session.commit()
    client = app.test_client()
    log_in(client, reviewers_town[0].email)
    html = client.get("/community?month=2026-05").get_data(as_text=True)
    assert [text(html, f"split-checkins-{k}") for k in ("total", *AREAS)] == [
        "16", "5", "5", "5", "1"]  # fmt: skip
    assert number(text(html, "split-coins-issued-unknown")) == 37
    assert text(html, "split-first-time-unknown") == "1"  # the split stays for members
    assert 'data-testid="pick-custom"' in html
    assert client.get("/community?from=2026-04&to=2026-05").status_code == 200


def test_first_timers_and_returning_are_totals_only_and_not_one_from_the_other(
    app, session, make_user, make_event
):
    # Six people came in April and again in May; three came for the first time in May.
    april, may = at_event(make_event, APRIL_20), at_event(make_event, MAY_20)
    regulars = [live(session, make_user, Area.CITY) for _ in range(6)]
    newcomers = [live(session, make_user, Area.CITY) for _ in range(3)]
    for user in regulars:
        attend(session, user, april, APRIL_20)
    for user in regulars + newcomers:
        attend(session, user, may, MAY_20)
    html = public(app, session, make_user, "month=2026-05")
    assert text(html, "value-participants") == "9"
    assert text(html, "value-first-time") == FEW
    assert text(html, "value-returning") == HIDDEN  # 9 - 6 would give the 3 first-timers
    assert text(html, "split-first-time-city") is None  # no split by area for the public
    assert text(html, "split-returning-total") is None


def test_a_shops_coins_need_five_people_not_five_tickets(app, session, make_user, make_event):
    wine = perk(session, "塩尻ワイナリー", "グラスワイン", 30)
    bread = perk(session, "パン屋", "パン", 20)
    regular = live(session, make_user, Area.CITY)
    for day in range(5):  # one person, five tickets
        use_perk(session, regular, wine, MAY_20 + timedelta(days=day))
    for _ in range(5):  # five people, a ticket each
        use_perk(session, live(session, make_user, Area.CITY), bread, MAY_20)
    html = public(app, session, make_user, "month=2026-05")
    shops = re.findall(r'<tr data-testid="shop">(.*?)</tr>', html, re.DOTALL)
    by_name = {re.search(r"<th[^>]*>(.*?)</th>", row)[1]: row for row in shops}
    assert text(by_name["塩尻ワイナリー"], "shop-perks") == "5"  # five tickets are counted...
    assert text(by_name["塩尻ワイナリー"], "shop-coins") == FEW_PEOPLE  # ...one person's coins not
    # The coins spent at shops (250) minus the bakery's would give the winery's: hidden too.
    spent = text(html, "value-coins-spent")
    bakery = text(by_name["パン屋"], "shop-coins")
    assert is_hidden(spent) or is_hidden(bakery)
    assert_not_derivable([spent, bakery, text(by_name["塩尻ワイナリー"], "shop-coins")])


def test_a_periods_months_in_the_chart_cannot_be_subtracted_from_the_period(
    app, session, make_user, make_event
):
    # Spring: 6 check-ins in March, 3 in April, 16 in May; the season shows 25.
    counts = {MARCH_20: 6, APRIL_20: 3, MAY_20: 16}
    for when, count in counts.items():
        event = at_event(make_event, when)
        for _ in range(count):
            attend(session, live(session, make_user, Area.CITY), event, when)
    html = public(app, session, make_user, "season=2026-03")
    assert text(html, "value-checkins") == "25"
    block = html.split('data-testid="chart-participation"', 1)[1].split("</section>", 1)[0]
    months = re.findall(r"<tr>\s*<th[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>", block, re.DOTALL)
    spring = {month: value.strip() for month, value in months[-3:]}
    assert spring == {"March 2026": HIDDEN, "April 2026": FEW, "May 2026": "16"}
    # One value a month: the public chart is not split by where people live.
    assert block.split("</thead>", 1)[0].count('<th scope="col"') == 2
    svg = app.test_client().get("/community/public/charts/participation.svg?season=2026-03")
    assert svg.status_code == 200 and ">16<" in svg.get_data(as_text=True)


def test_the_public_page_offers_and_accepts_no_custom_run_of_months(app, session, make_user):
    html = public(app, session, make_user, "month=2026-05")
    assert 'data-testid="pick-custom"' not in html
    assert 'data-testid="pick-season"' in html
    client = english(app.test_client())
    refused = client.get("/community/public?from=2026-04&to=2026-05")
    assert refused.status_code == 400
    assert "The public page shows a month, a season or a year." in refused.get_data(as_text=True)
    chart = client.get("/community/public/charts/coins.svg?from=2026-04&to=2026-05")
    assert chart.status_code == 400
