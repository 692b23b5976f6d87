"""What the community page shows, made from a period's figures (community.figures): the
headline figures, the figures split by where people live, the shops, and the charts' data. The
members' page and the public page are drawn from the same `CommunityPage`; the public one has
every count passed through `masking.masked` (a coin amount through its people's count), so
the two cannot drift apart and no public figure escapes the rule.

Each chart's data (`Chart`) is what both its SVG and its table are drawn from: the numbers a
person reads in the table are the numbers the chart was drawn with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.community.figures import AREA_NAMES, Figures, Split
from webapp.community.masking import masked
from webapp.community.models import ActivityMonth
from webapp.community.periods import Period, month_label
from webapp.profiles.models import Area
from webapp.profiles.residence import AREAS

Value = int | None  # None: below 5, hidden on the public page


@dataclass(frozen=True)
class Cells:
    """A figure in total and by where people live, as the page shows it."""

    total: Value
    by_area: dict[Area, Value]

    def __getitem__(self, area: Area) -> Value:
        return self.by_area[area]


@dataclass(frozen=True)
class Row:
    key: str  # the row's test id
    label: object
    cells: Cells
    coins: bool = False  # an amount of coins, not a count


@dataclass(frozen=True)
class Headline:
    key: str
    label: object
    value: Value
    unit: str = "count"  # count | coins | percent
    detail: object = None


@dataclass(frozen=True)
class Shop:
    name_ja: str
    name_en: str
    perks_used: Cells
    coins_spent: Value


@dataclass(frozen=True)
class Chart:
    key: str  # its URL's name: participation, coins, events
    title: object
    alt: str  # the image's text alternative
    months: list[int]
    labels: list[str]  # the chart's short month labels (「11月」)
    series: list[tuple[str, list[Value]]]  # (name, a value per month)
    stacked: bool = False

    @property
    def rows(self) -> list[tuple[str, list[Value]]]:
        """The table's rows: a month in words and its value in each series."""
        return [
            (month_label(month), [values[i] for _name, values in self.series])
            for i, month in enumerate(self.months)
        ]


@dataclass(frozen=True)
class People:
    """How many people a figure's cells were made by (the total counts each person once)."""

    total: int
    by_area: dict[Area, int]


@dataclass(frozen=True)
class CommunityPage:
    period: Period
    public: bool
    refreshed_at: datetime | None
    headlines: list[Headline]
    rows: list[Row]
    shops: list[Shop]
    charts: dict[str, Chart]


CHARTS = ("participation", "coins", "events")


def community_page(session: Session, figures: Figures, *, public: bool) -> CommunityPage:
    count: Callable[[int | None], Value] = masked if public else (lambda n: n)
    earners, spenders = _coin_people(session, figures.period) if public else (None, None)

    def cells(split: Split) -> Cells:
        return Cells(count(split.total), {area: count(split[area]) for area in AREAS})

    def coin_cells(split: Split, people: People) -> Cells:
        # On the public page a coin amount shows only where at least 5 people made it.
        return Cells(
            split.total if masked(people.total) is not None else None,
            {
                area: split[area] if masked(people.by_area.get(area, 0)) is not None else None
                for area in AREAS
            },
        )

    issued = coin_cells(figures.coins_issued, earners) if public else cells(figures.coins_issued)
    spent = coin_cells(figures.coins_spent, spenders) if public else cells(figures.coins_spent)
    share = None
    if issued.total is not None and spent.total is not None:
        local = figures.local_share()
        share = round(local * 100) if local is not None else None
    headlines = [
        Headline("checkins", _l("Check-ins"), count(figures.checkins.total)),
        Headline(
            "participants",
            _l("Participants"),
            count(figures.participants.total),
            detail=(count(figures.first_time.total), count(figures.returning.total)),
        ),
        Headline(
            "active",
            _l("Active members"),
            count(figures.active_members.total),
            detail=_l("A check-in in the last 90 days"),
        ),  # fmt: skip
        Headline("new-members", _l("New members"), count(figures.new_members.total)),
        Headline("events", _l("Events held"), count(figures.events_held)),
        Headline("coins-issued", _l("Coins issued"), issued.total, unit="coins"),
        Headline("coins-spent", _l("Coins spent at partner shops"), spent.total, unit="coins"),
        Headline(
            "local-share", _l("Share of issued coins spent locally"), share, unit="percent"
        ),  # fmt: skip
        Headline("projects", _l("Projects active"), count(figures.projects_active)),
        Headline("proposals", _l("Proposals decided"), count(figures.proposals_decided)),
    ]
    rows = [
        Row("checkins", _l("Check-ins"), cells(figures.checkins)),
        Row("participants", _l("Participants"), cells(figures.participants)),
        Row("first-time", _l("Taking part for the first time"), cells(figures.first_time)),
        Row("returning", _l("Taking part again"), cells(figures.returning)),
        Row("active", _l("Active members"), cells(figures.active_members)),
        Row("new-members", _l("New members"), cells(figures.new_members)),
        Row("coins-issued", _l("Coins issued"), issued, coins=True),
        Row("coins-spent", _l("Coins spent at partner shops"), spent, coins=True),
    ]
    shops = [
        Shop(
            shop.name_ja,
            shop.name_en,
            cells(shop.perks_used),
            # A shop's coins show where its perks used are shown (the summary keeps no people
            # per shop: a perk used is one person's act, so at least as strict a rule).
            shop.coins_spent.total if count(shop.perks_used.total) is not None else None,
        )
        for shop in figures.shops
    ]
    return CommunityPage(
        period=figures.period,
        public=public,
        refreshed_at=figures.refreshed_at,
        headlines=headlines,
        rows=rows,
        shops=shops,
        charts=_charts(session, figures, count, public),
    )


def _charts(session: Session, figures: Figures, count, public: bool) -> dict[str, Chart]:
    trend = figures.trend
    months = [month.month for month in trend]
    labels = [short_month(month) for month in months]
    span = {"first": month_label(months[0]), "last": month_label(months[-1])} if months else {}
    earners, spenders = _coin_people_by_month(session, months) if public else ({}, {})

    def coins(amount: int, people: dict[int, int], month: int) -> Value:
        if not public:
            return amount
        return amount if masked(people.get(month, 0)) is not None else None

    participation = Chart(
        "participation",
        _l("Check-ins per month, by where people live"),
        str(
            _l(
                "A stacked bar chart of check-ins per month from %(first)s to %(last)s, by "
                "where people live. The table below holds its numbers.",
                **span,
            )
        ),  # fmt: skip
        months,
        labels,
        [
            (str(AREA_NAMES[area]), [count(month.checkins[area]) for month in trend])
            for area in AREAS
        ],
        stacked=True,
    )
    coin_chart = Chart(
        "coins",
        _l("Coins issued and spent per month"),
        str(
            _l(
                "A bar chart of the coins issued and the coins spent at partner shops per "
                "month from %(first)s to %(last)s. The table below holds its numbers.",
                **span,
            )
        ),  # fmt: skip
        months,
        labels,
        [
            (str(_l("Issued")), [coins(m.coins_issued, earners, m.month) for m in trend]),
            (str(_l("Spent at shops")), [coins(m.coins_spent, spenders, m.month) for m in trend]),
        ],
    )
    events = Chart(
        "events",
        _l("Events held per month"),
        str(
            _l(
                "A bar chart of the events held per month from %(first)s to %(last)s. The "
                "table below holds its numbers.",
                **span,
            )
        ),  # fmt: skip
        months,
        labels,
        [(str(_l("Events held")), [count(month.events_held) for month in trend])],
    )
    return {chart.key: chart for chart in (participation, coin_chart, events)}


def short_month(month: int) -> str:
    """A month as a chart's axis writes it: 「11月」, "Nov"."""
    return format_date(date(month // 100, month % 100, 1), "MMM")


def _coin_people(session: Session, period: Period) -> tuple[People, People]:
    """How many people earned, and spent, the coins of each area's cell (the same rows, so the
    same areas, as the coin figures), for the public page's rule on coin amounts."""
    where = (ActivityMonth.month >= period.first, ActivityMonth.month <= period.last)
    earned = ActivityMonth.coins_earned > 0
    spent = ActivityMonth.coins_spent > 0
    by_area = session.execute(
        select(
            ActivityMonth.area,
            func.count(ActivityMonth.user_id.distinct()).filter(earned),
            func.count(ActivityMonth.user_id.distinct()).filter(spent),
        )
        .where(*where)
        .group_by(ActivityMonth.area)
    ).all()
    total_earned, total_spent = session.execute(
        select(
            func.count(ActivityMonth.user_id.distinct()).filter(earned),
            func.count(ActivityMonth.user_id.distinct()).filter(spent),
        ).where(*where)
    ).one()
    # A person who moved counts in each area's cell they added to, and once in the total.
    earners = People(int(total_earned or 0), {Area(a): int(e) for a, e, _s in by_area})
    spenders = People(int(total_spent or 0), {Area(a): int(s) for a, _e, s in by_area})
    return earners, spenders


def _coin_people_by_month(
    session: Session, months: list[int]
) -> tuple[dict[int, int], dict[int, int]]:
    if not months:
        return {}, {}
    rows = session.execute(
        select(
            ActivityMonth.month,
            func.count().filter(ActivityMonth.coins_earned > 0),
            func.count().filter(ActivityMonth.coins_spent > 0),
        )
        .where(ActivityMonth.month >= months[0], ActivityMonth.month <= months[-1])
        .group_by(ActivityMonth.month)
    ).all()
    return {m: e for m, e, _s in rows}, {m: s for m, _e, s in rows}
