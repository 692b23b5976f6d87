"""Every figure of the community page against a small town built by hand (town.py says who did
what, when): table-driven over (period, figure, area), with the Asia/Tokyo month boundary, a
member who moved from 県外 to 市内, first-timers and returning people, seasons across the year's
end and custom periods. The town is built once for the module and its figures read for every
period; each row checks one number."""

from __future__ import annotations

from fractions import Fraction

import pytest

from webapp.community.figures import Figures, community_figures
from webapp.community.periods import (
    PeriodKind,
    custom_period,
    month_period,
    period_from_args,
    season_period,
    year_period,
)
from webapp.community.summary import rebuild_summary
from webapp.core.errors import DomainError
from webapp.extensions import db
from webapp.onchain.connection import get_public_keyring
from webapp.profiles.models import Area

from ...conftest import copy_template, open_app
from .town import NOW, TOKYO, attendances, build_town

CITY, PREF, OUT, UNKNOWN = Area.CITY, Area.PREFECTURE, Area.OUTSIDE, Area.UNKNOWN
AREA_ORDER = (CITY, PREF, OUT, UNKNOWN)

PERIODS = {
    "2025-11": month_period(202511),
    "2026-03": month_period(202603),
    "2026-04": month_period(202604),
    "2026-11 (under way)": month_period(202611),
    "winter 2025-26": season_period(202601),  # January is in the winter that opens in December
    "spring 2026": season_period(202605),
    "2025": year_period(2025),
    "2026": year_period(2026),
    "2025-11 to 2026-03": custom_period(202511, 202603),
}

# Split figures as (市内, 県内, 県外, unknown). Acts count where the member lived at the end of
# their month, people where they lived at the period's end.
SPLITS: dict[str, dict[str, tuple[int, int, int, int]]] = {
    "2025-11": {
        "checkins": (1, 0, 0, 0),
        "participants": (1, 0, 0, 0),
        "first_time": (1, 0, 0, 0),
        "returning": (0, 0, 0, 0),
        "active_members": (1, 0, 0, 0),
        "new_members": (0, 0, 0, 0),
        "coins_issued": (10, 0, 0, 0),
        "coins_spent": (0, 0, 0, 0),
    },
    # March in Tokyo: B's check-in at 23:59 on the 31st is in, A's at 00:30 on April 1st not.
    # A lived outside the prefecture then.
    "2026-03": {
        "checkins": (1, 1, 1, 0),
        "participants": (1, 1, 1, 0),
        "first_time": (0, 1, 1, 0),  # C and A check in for the first time ever
        "returning": (1, 0, 0, 0),  # B, first seen in November 2025
        "active_members": (2, 1, 1, 0),  # January to March: E (February), B, C, A
        "new_members": (0, 1, 0, 0),  # C's card; F's came at 00:10 on April 1st in Tokyo
        "coins_issued": (30, 10, 10, 0),
        "coins_spent": (5, 0, 0, 0),
    },
    "2026-04": {
        "checkins": (0, 0, 1, 0),  # A, 00:30 on April 1st in Tokyo, still 県外
        "participants": (0, 0, 1, 0),
        "first_time": (0, 0, 0, 0),
        "returning": (0, 0, 1, 0),
        "active_members": (2, 1, 1, 0),  # February to April
        "new_members": (0, 0, 1, 1),  # F (県外) and D (unknown)
        "coins_issued": (0, 0, 10, 0),
        "coins_spent": (10, 0, 10, 0),  # B's ticket at 00:10 in Tokyo, A's on the 20th
    },
    "2026-11 (under way)": {
        "checkins": (1, 0, 0, 0),
        "participants": (1, 0, 0, 0),
        "first_time": (0, 0, 0, 0),
        "returning": (1, 0, 0, 0),
        "active_members": (1, 1, 0, 1),  # September to November: C, D, B
        "new_members": (0, 0, 0, 0),
        "coins_issued": (10, 0, 0, 0),
        "coins_spent": (0, 0, 0, 0),
    },
    "winter 2025-26": {
        "checkins": (2, 0, 0, 0),  # E in December 2025 and February 2026
        "participants": (1, 0, 0, 0),
        "first_time": (1, 0, 0, 0),
        "returning": (0, 0, 0, 0),
        "active_members": (1, 0, 0, 0),
        "new_members": (0, 0, 0, 0),
        "coins_issued": (20, 0, 0, 0),
        "coins_spent": (0, 0, 0, 0),
    },
    # A moved to the city on May 10th: their March and April check-ins stay 県外, but as a
    # participant of the spring they count once, where they lived at its end.
    "spring 2026": {
        "checkins": (1, 1, 2, 0),
        "participants": (2, 1, 0, 0),
        "first_time": (1, 1, 0, 0),
        "returning": (1, 0, 0, 0),
        "active_members": (2, 1, 0, 0),
        "new_members": (0, 1, 1, 1),
        "coins_issued": (30, 10, 20, 0),
        "coins_spent": (15, 0, 10, 0),
    },
    "2025": {
        "checkins": (2, 0, 0, 0),
        "participants": (2, 0, 0, 0),
        "first_time": (2, 0, 0, 0),
        "returning": (0, 0, 0, 0),
        "active_members": (2, 0, 0, 0),  # October to December: B, E
        "new_members": (2, 0, 1, 0),  # B and E (市内), A (県外 when their card came)
        "coins_issued": (20, 0, 0, 0),
        "coins_spent": (0, 0, 0, 0),
    },
    "2026": {
        "checkins": (4, 2, 2, 2),  # A's March and April check-ins are 県外, June's 市内
        "participants": (3, 1, 0, 1),  # A counts once, as 市内
        "first_time": (1, 1, 0, 1),  # A, C, D
        "returning": (2, 0, 0, 0),  # B, E
        "active_members": (1, 0, 0, 1),  # October to December: B, D
        "new_members": (0, 1, 1, 1),
        "coins_issued": (60, 20, 20, 20),
        "coins_spent": (25, 5, 10, 0),
    },
    "2025-11 to 2026-03": {
        "checkins": (4, 1, 1, 0),
        "participants": (2, 1, 1, 0),
        "first_time": (2, 1, 1, 0),  # everyone's first check-in is in it
        "returning": (0, 0, 0, 0),
        "active_members": (2, 1, 1, 0),
        "new_members": (0, 1, 0, 0),
        "coins_issued": (60, 10, 10, 0),
        "coins_spent": (5, 0, 0, 0),
    },
}

# (events held, projects active, proposals decided)
COUNTS: dict[str, tuple[int, int, int]] = {
    "2025-11": (1, 0, 0),
    "2026-03": (3, 1, 1),  # the event at 00:00 on April 1st in Tokyo is April's
    "2026-04": (1, 1, 1),  # the proposal closed at 00:20 on April 1st in Tokyo
    "2026-11 (under way)": (2, 1, 0),  # the event on the 25th is still to come
    "winter 2025-26": (2, 1, 1),  # P1 became active at 00:00 on February 1st in Tokyo
    "spring 2026": (4, 1, 2),
    "2025": (2, 0, 1),
    "2026": (11, 2, 2),
    "2025-11 to 2026-03": (6, 1, 2),
}

# Perks used per shop, in the page's order (most used first): (name, used by area, coins by area)
SHOPS: dict[str, list[tuple[str, tuple, tuple]]] = {
    "2025-11": [],
    "2026-03": [("本の店", (1, 0, 0, 0), (5, 0, 0, 0))],
    "2026-04": [("塩尻ワイナリー", (1, 0, 1, 0), (10, 0, 10, 0))],
    "2026": [
        ("塩尻ワイナリー", (2, 0, 1, 0), (20, 0, 10, 0)),
        ("本の店", (1, 1, 0, 0), (5, 5, 0, 0)),
    ],
}

# The share of the coins issued that was spent at partner shops, in total and by area.
SHARES: dict[str, dict[Area | None, Fraction | None]] = {
    "2025-11": {None: Fraction(0), CITY: Fraction(0), OUT: None},
    "2026-03": {None: Fraction(5, 50), CITY: Fraction(5, 30), PREF: Fraction(0)},
    "2026-04": {None: Fraction(2), OUT: Fraction(1), CITY: None},  # spent more than issued
    "2026": {None: Fraction(40, 120), CITY: Fraction(25, 60), OUT: Fraction(1, 2)},
}

# The trend (per month): check-ins, participants and events held.
TRENDS = {
    "2026": {
        "months": [202600 + m for m in range(1, 13)],
        "checkins": [0, 1, 3, 1, 0, 1, 1, 0, 1, 1, 1, 0],
        "participants": [0, 1, 3, 1, 0, 1, 1, 0, 1, 1, 1, 0],
        "events_held": [0, 1, 3, 1, 0, 1, 1, 0, 1, 1, 2, 0],
        "coins_issued": [0, 10, 50, 10, 0, 10, 10, 0, 10, 10, 10, 0],
        "coins_spent": [0, 0, 5, 20, 0, 10, 0, 0, 5, 0, 0, 0],
    },
    # A month shows the twelve months up to it.
    "2026-03": {
        "months": [202504 + m for m in range(9)] + [202601, 202602, 202603],
        "checkins": [0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 3],
        "events_held": [0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 3],
    },
}


def _rows():
    for period, figures in SPLITS.items():
        for figure, counts in figures.items():
            for area, expected in zip(AREA_ORDER, counts, strict=True):
                yield pytest.param(period, figure, area, expected, id=f"{period}-{figure}-{area}")
            yield pytest.param(period, figure, None, sum(counts), id=f"{period}-{figure}-total")


@pytest.fixture(scope="module")
def town_figures(template_instance, tmp_path_factory) -> dict[str, Figures]:
    """The town, built once in an instance of its own, and its figures for every period."""
    folder = tmp_path_factory.mktemp("town")
    copy_template(template_instance, folder)
    app, provider = open_app(folder)
    try:
        with app.app_context():
            session = db.session
            build_town(session, get_public_keyring(app))
            assert attendances(session) == 12
            rebuild_summary(session, NOW, TOKYO)
            session.commit()
            figures = {
                name: community_figures(session, period, NOW, TOKYO)
                for name, period in PERIODS.items()
            }
            session.remove()
            db.engine.dispose()
    finally:
        provider.close()
    return figures


@pytest.mark.parametrize(("period", "figure", "area", "expected"), list(_rows()))
def test_split_figures(town_figures, period, figure, area, expected):
    split = getattr(town_figures[period], figure)
    assert (split.total if area is None else split[area]) == expected


@pytest.mark.parametrize(
    ("period", "figure", "expected"),
    [
        pytest.param(period, figure, value, id=f"{period}-{figure}")
        for period, values in COUNTS.items()
        for figure, value in zip(
            ("events_held", "projects_active", "proposals_decided"), values, strict=True
        )
    ],
)
def test_counted_figures(town_figures, period, figure, expected):
    assert getattr(town_figures[period], figure) == expected


@pytest.mark.parametrize(("period", "expected"), list(SHOPS.items()), ids=list(SHOPS))
def test_perks_used_per_shop_by_area(town_figures, period, expected):
    shops = [
        (
            shop.name_ja,
            tuple(shop.perks_used[area] for area in AREA_ORDER),
            tuple(shop.coins_spent[area] for area in AREA_ORDER),
        )
        for shop in town_figures[period].shops
    ]
    assert shops == expected


@pytest.mark.parametrize(
    ("period", "area", "expected"),
    [
        pytest.param(period, area, share, id=f"{period}-{area or 'total'}")
        for period, shares in SHARES.items()
        for area, share in shares.items()
    ],
)
def test_local_share_of_the_coins_issued(town_figures, period, area, expected):
    assert town_figures[period].local_share(area) == expected


@pytest.mark.parametrize(
    ("period", "figure"),
    [(period, figure) for period, trend in TRENDS.items() for figure in trend],
)
def test_the_trend_month_by_month(town_figures, period, figure):
    trend = town_figures[period].trend
    if figure == "months":
        values = [month.month for month in trend]
    else:
        values = [
            value if isinstance(value, int) else value.total
            for value in (getattr(month, figure) for month in trend)
        ]
    assert values == TRENDS[period][figure]


def test_the_trend_stacks_each_month_by_where_people_lived_then(town_figures):
    months = {month.month: month for month in town_figures["2026"].trend}
    assert [months[202603].checkins[area] for area in AREA_ORDER] == [1, 1, 1, 0]
    assert [months[202604].participants[area] for area in AREA_ORDER] == [0, 0, 1, 0]
    assert [months[202606].participants[area] for area in AREA_ORDER] == [1, 0, 0, 0]


# -- periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kind", "first", "last"),
    [
        ({}, PeriodKind.MONTH, 202611, 202611),
        ({"month": "2026-03"}, PeriodKind.MONTH, 202603, 202603),
        ({"season": "2026-01"}, PeriodKind.SEASON, 202512, 202602),  # winter spans the year
        ({"season": "2025-12"}, PeriodKind.SEASON, 202512, 202602),
        ({"season": "2026-02"}, PeriodKind.SEASON, 202512, 202602),
        ({"season": "2026-03"}, PeriodKind.SEASON, 202603, 202605),
        ({"season": "2026-11"}, PeriodKind.SEASON, 202609, 202611),
        ({"year": "2026"}, PeriodKind.YEAR, 202601, 202612),
        ({"from": "2025-11", "to": "2026-03"}, PeriodKind.CUSTOM, 202511, 202603),
        ({"from": "2024-12", "to": "2026-11"}, PeriodKind.CUSTOM, 202412, 202611),  # 24 months
        ({"from": "2026-05", "to": "2026-05"}, PeriodKind.CUSTOM, 202605, 202605),
    ],
)
def test_a_period_is_read_from_the_pages_arguments(args, kind, first, last):
    period = period_from_args(args, this_month=202611)
    assert (period.kind, period.first, period.last) == (kind, first, last)
    assert period_from_args(period.query(), this_month=202001) == period


def test_a_period_starts_and_ends_at_midnight_in_tokyo():
    march = month_period(202603)
    assert march.start(TOKYO).isoformat() == "2026-02-28T15:00:00+00:00"
    assert march.end(TOKYO).isoformat() == "2026-03-31T15:00:00+00:00"
    winter = season_period(202512)
    assert (winter.start(TOKYO).isoformat(), winter.end(TOKYO).isoformat()) == (
        "2025-11-30T15:00:00+00:00",
        "2026-02-28T15:00:00+00:00",
    )


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ({"year": "26"}, "bad_period"),
        ({"year": "abcd"}, "bad_period"),
        ({"year": "1999"}, "bad_period"),
        ({"month": "2026-13"}, "bad_period"),
        ({"month": "2026-00"}, "bad_period"),
        ({"month": "2026-4"}, "bad_period"),
        ({"month": "2026/04"}, "bad_period"),
        ({"season": "spring"}, "bad_period"),
        ({"from": "2026-01"}, "bad_period"),
        ({"to": "2026-01"}, "bad_period"),
        ({"from": "2026-04", "to": "2026-03"}, "period_backwards"),
        ({"from": "2023-01", "to": "2026-01"}, "period_too_long"),  # 37 months
    ],
)
def test_a_bad_period_is_refused_never_read_as_another(args, code):
    with pytest.raises(DomainError) as error:
        period_from_args(args, this_month=202611)
    assert error.value.code == code
