"""What the community page shows, made from a period's figures (community.figures): the
headline figures, the figures split by where people live, the shops, and the charts' data. The
members' page and the public page are drawn from the same `CommunityPage`. For the public one,
every figure is first put into one map of cells with the sums the page shows between them,
and the map goes through `masking.suppress` (its primary and group rules) before anything is
read from it, so no public figure escapes the rules and a figure shown twice (a row's total
and its headline, a month's chart value and a month's headline) is shown the same way twice.
The public page also shows less: first-timers and returning participants as totals only, and
check-ins per month in total, not by where people live.

Each chart's data (`Chart`) is what both its SVG and its table are drawn from: the numbers a
person reads in the table are the numbers the chart was drawn with."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.community.figures import AREA_NAMES, Figures, Split
from webapp.community.masking import Value, few, shown, suppress
from webapp.community.models import ActivityMonth
from webapp.community.periods import Period, month_label
from webapp.perks.models import Perk, Redemption, RedemptionStatus
from webapp.profiles.models import Area
from webapp.profiles.residence import AREAS


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
# The split table's rows: (test id, label, the figure's attribute, an amount of coins).
ROWS = (
    ("checkins", _l("Check-ins"), "checkins", False),
    ("participants", _l("Participants"), "participants", False),
    ("first-time", _l("Taking part for the first time"), "first_time", False),
    ("returning", _l("Taking part again"), "returning", False),
    ("active", _l("Active members"), "active_members", False),
    ("new-members", _l("New members"), "new_members", False),
    ("coins-issued", _l("Coins issued"), "coins_issued", True),
    ("coins-spent", _l("Coins spent at partner shops"), "coins_spent", True),
)
# Shown by area only to members: a row of first-timers and one of returning participants,
# each split, could be subtracted from the participants' row area by area.
MEMBERS_ONLY_ROWS = ("first-time", "returning")
# A chart's series, and the headline figure its months within the period add up to.
SERIES_TOTALS = {"checkins": "checkins", "issued": "coins-issued", "spent": "coins-spent",
                 "events": "events"}  # fmt: skip


def community_page(
    session: Session, figures: Figures, *, public: bool, zone: tzinfo | None = None
) -> CommunityPage:
    """The page for members (every figure as it is) or for the public (`zone`: the
    community's time zone, to read the period's tickets in)."""
    values = _cells(figures)
    if public:
        values = _public_cells(session, figures, values, zone)
    cell = values.__getitem__

    def cells(key: str) -> Cells:
        return Cells(cell((key, "total")), {area: cell((key, area)) for area in AREAS})

    share = None
    if shown(cell(("coins-issued", "total"))) and shown(cell(("coins-spent", "total"))):
        local = figures.local_share()
        share = round(local * 100) if local is not None else None
    headlines = [
        Headline("checkins", _l("Check-ins"), cell(("checkins", "total"))),
        Headline(
            "participants",
            _l("Participants"),
            cell(("participants", "total")),
            detail=(cell(("first-time", "total")), cell(("returning", "total"))),
        ),
        Headline(
            "active",
            _l("Active members"),
            cell(("active", "total")),
            detail=_l("A check-in in the last 90 days"),
        ),  # fmt: skip
        Headline("new-members", _l("New members"), cell(("new-members", "total"))),
        Headline("events", _l("Events held"), cell(("events", "total"))),
        Headline(
            "coins-issued", _l("Coins issued"), cell(("coins-issued", "total")), unit="coins"
        ),  # fmt: skip
        Headline(
            "coins-spent",
            _l("Coins spent at partner shops"),
            cell(("coins-spent", "total")),
            unit="coins",
        ),  # fmt: skip
        Headline(
            "local-share", _l("Share of issued coins spent locally"), share, unit="percent"
        ),  # fmt: skip
        Headline("projects", _l("Projects active"), cell(("projects", "total"))),
        Headline("proposals", _l("Proposals decided"), cell(("proposals", "total"))),
    ]
    rows = [
        Row(key, label, cells(key), coins=coins)
        for key, label, _name, coins in ROWS
        if not (public and key in MEMBERS_ONLY_ROWS)
    ]
    shops = [
        Shop(
            shop.name_ja,
            shop.name_en,
            Cells(
                cell(("shop", shop.partner_id, "total")),
                {area: cell(("shop", shop.partner_id, area)) for area in AREAS},
            ),
            cell(("shop-coins", shop.partner_id)),
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
        charts=_charts(figures, values, public),
    )


def _cells(figures: Figures) -> dict[Hashable, int]:
    """Every figure the page may show, by a key of its own: (row, "total" or area) for the
    split table and the headlines, (series, month) for the charts, ("shop", id, ...) and
    ("shop-coins", id) for the shops."""
    values: dict[Hashable, int] = {}
    for key, _label, name, _coins in ROWS:
        split: Split = getattr(figures, name)
        values[(key, "total")] = split.total
        for area in AREAS:
            values[(key, area)] = split[area]
    values[("events", "total")] = figures.events_held
    values[("projects", "total")] = figures.projects_active
    values[("proposals", "total")] = figures.proposals_decided
    for shop in figures.shops:
        values[("shop", shop.partner_id, "total")] = shop.perks_used.total
        for area in AREAS:
            values[("shop", shop.partner_id, area)] = shop.perks_used[area]
        values[("shop-coins", shop.partner_id)] = shop.coins_spent.total
    for month in figures.trend:
        values[("checkins", month.month)] = month.checkins.total
        for area in AREAS:
            values[("checkins", month.month, area)] = month.checkins[area]
        values[("issued", month.month)] = month.coins_issued
        values[("spent", month.month)] = month.coins_spent
        values[("events", month.month)] = month.events_held
    return values


def _public_cells(
    session: Session, figures: Figures, values: dict[Hashable, int], zone: tzinfo | None
) -> dict[Hashable, Value]:
    """The cells as the public may see them (masking.suppress): a count below 5 is hidden; a
    coin amount where fewer than 5 people made it; then, in every group of cells that add up
    to a shown figure, a second cell wherever one alone is hidden."""
    period = figures.period
    months = [month.month for month in figures.trend]
    earners, spenders = _coin_people(session, period)
    earners_by_month, spenders_by_month = _coin_people_by_month(session, months)
    shop_people = (
        _shop_people(session, period, zone, figures.refreshed_at) if figures.shops else {}
    )
    # Check-ins by month and area are not shown to the public (the chart shows months).
    values = {key: value for key, value in values.items() if len(key) != 3 or key[0] != "checkins"}
    people = {
        ("coins-issued", "total"): earners.total,
        ("coins-spent", "total"): spenders.total,
        **{("coins-issued", area): earners.by_area.get(area, 0) for area in AREAS},
        **{("coins-spent", area): spenders.by_area.get(area, 0) for area in AREAS},
        **{("issued", m): earners_by_month.get(m, 0) for m in months},
        **{("spent", m): spenders_by_month.get(m, 0) for m in months},
        **{("shop-coins", s.partner_id): shop_people.get(s.partner_id, 0) for s in figures.shops},
    }
    # A coin amount is hidden where fewer than 5 people made it, a count where it is below 5.
    hidden = [key for key, value in values.items() if few(people.get(key, value))]
    rows = [key for key, _label, _name, _coins in ROWS if key not in MEMBERS_ONLY_ROWS]
    groups = [((key, "total"), [(key, area) for area in AREAS]) for key in rows]
    groups.append((("participants", "total"), [("first-time", "total"), ("returning", "total")]))
    groups += [
        (("shop", shop.partner_id, "total"), [("shop", shop.partner_id, a) for a in AREAS])
        for shop in figures.shops
    ]
    groups.append((("coins-spent", "total"),
                   [("shop-coins", shop.partner_id) for shop in figures.shops]))  # fmt: skip
    groups += [
        ((total, "total"), [(series, month) for month in period.months])
        for series, total in SERIES_TOTALS.items()
    ]
    return suppress(values, hidden, groups)


def _charts(figures: Figures, cells: dict[Hashable, Value], public: bool) -> dict[str, Chart]:
    months = [month.month for month in figures.trend]
    labels = [short_month(month) for month in months]
    span = {"first": month_label(months[0]), "last": month_label(months[-1])} if months else {}

    def series(key: str) -> list[Value]:
        return [cells[(key, month)] for month in months]

    if public:
        participation = Chart(
            "participation",
            _l("Check-ins per month"),
            str(
                _l(
                    "A bar chart of check-ins per month from %(first)s to %(last)s. The "
                    "table below holds its numbers.",
                    **span,
                )
            ),  # fmt: skip
            months,
            labels,
            [(str(_l("Check-ins")), series("checkins"))],
        )
    else:
        participation = Chart(
            "participation",
            _l("Check-ins per month, by where people live"),
            str(
                _l(
                    "A stacked bar chart of check-ins per month from %(first)s to %(last)s, "
                    "by where people live. The table below holds its numbers.",
                    **span,
                )
            ),  # fmt: skip
            months,
            labels,
            [
                (str(AREA_NAMES[area]), [cells[("checkins", m, area)] for m in months])
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
        [(str(_l("Issued")), series("issued")), (str(_l("Spent at shops")), series("spent"))],
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
        [(str(_l("Events held")), series("events"))],
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


def _shop_people(
    session: Session, period: Period, zone: tzinfo | None, summed_at: datetime | None
) -> dict[int, int]:
    """How many people used tickets at each shop in the period (shop_months keeps no people):
    the used tickets of the period, through the index on `used_at`, up to when the summary the
    coins come from was summed (a ticket used since is not in the coins shown yet)."""
    if zone is None:
        raise ValueError("the public page needs the community's time zone")
    if summed_at is None:
        return {}
    return {
        partner_id: int(count)
        for partner_id, count in session.execute(
            select(Perk.partner_id, func.count(Redemption.user_id.distinct()))
            .join(Perk, Perk.id == Redemption.perk_id)
            .where(
                Redemption.status == RedemptionStatus.USED,
                Redemption.used_at >= period.start(zone),
                Redemption.used_at < min(period.end(zone), summed_at),
            )
            .group_by(Perk.partner_id)
        )
    }
