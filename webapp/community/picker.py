"""The period picker's choices: quick links (this month, this season, this year, last month)
and the months, seasons and years its GET forms offer. Plain links and forms, so that the
picker works without a script; whatever is typed into the URL is read back by
periods.period_from_args, which refuses what it cannot read."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from webapp.community.periods import (
    MAX_MONTHS,
    Period,
    add_months,
    month_period,
    month_text,
    period_label,
    season_period,
    year_period,
)

# How far back the forms offer: as far as a custom period may reach.
BACK = MAX_MONTHS


@dataclass(frozen=True)
class Quick:
    label: object
    query: dict[str, str]
    current: bool


@dataclass(frozen=True)
class Picker:
    quick: list[Quick]
    months: list[tuple[str, str]]  # (value, words), newest first
    seasons: list[tuple[str, str]]
    years: list[tuple[str, str]]
    chosen: Period | None


def period_picker(this_month: int, chosen: Period | None) -> Picker:
    quick_periods = [
        (_l("This month"), month_period(this_month)),
        (_l("Previous month"), month_period(add_months(this_month, -1))),
        (_l("This season"), season_period(this_month)),
        (_l("This year"), year_period(this_month // 100)),
    ]
    quick = [Quick(label, period.query(), period == chosen) for label, period in quick_periods]
    months = [add_months(this_month, -n) for n in range(BACK)]
    seasons: list[Period] = []
    for month in months:
        season = season_period(month)
        if season not in seasons:
            seasons.append(season)
    years = sorted({month // 100 for month in months}, reverse=True)
    return Picker(
        quick=quick,
        months=[(month_text(m), period_label(month_period(m))) for m in months],
        seasons=[(month_text(s.first), period_label(s)) for s in seasons],
        years=[(str(y), period_label(year_period(y))) for y in years],
        chosen=chosen,
    )
