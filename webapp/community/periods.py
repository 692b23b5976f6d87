"""The periods the community's figures are read for: a month, a season, a year, or a custom
run of months, always whole months in the community's time zone (the summary is kept by
month, and a town's programme reports by month, season and year).

A month is an int, 202611 for November 2026, so that months sort and compare as numbers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.core.errors import DomainError

# A longer custom period would make the page's table of months unreadable.
MAX_MONTHS = 36
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodKind(StrEnum):
    MONTH = "month"
    SEASON = "season"  # 春 March–May, 夏 June–August, 秋 September–November, 冬 December–February
    YEAR = "year"  # January–December (「2026年のあなた」 counts the same year)
    CUSTOM = "custom"


def month_of(moment: datetime, zone: tzinfo) -> int:
    local = moment.astimezone(zone)
    return local.year * 100 + local.month


def add_months(month: int, count: int) -> int:
    index = (month // 100) * 12 + (month % 100 - 1) + count
    return (index // 12) * 100 + index % 12 + 1


def month_start(month: int, zone: tzinfo) -> datetime:
    """The first moment of `month` in the community's time zone, in UTC."""
    local = datetime(month // 100, month % 100, 1, tzinfo=zone)
    return local.astimezone(UTC)


def months_between(first: int, last: int) -> list[int]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def season_start(month: int) -> int:
    """The first month of the season `month` is in (December opens the winter)."""
    return add_months(month, -((month % 100) % 3))


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    first: int  # its first month
    last: int  # its last month (included)

    @property
    def months(self) -> list[int]:
        return months_between(self.first, self.last)

    def start(self, zone: tzinfo) -> datetime:
        return month_start(self.first, zone)

    def end(self, zone: tzinfo) -> datetime:
        """The first moment after the period (excluded), in UTC."""
        return month_start(add_months(self.last, 1), zone)

    def query(self) -> dict[str, str]:
        """The URL arguments that name this period (period_from_args reads them back)."""
        if self.kind is PeriodKind.MONTH:
            return {"month": month_text(self.first)}
        if self.kind is PeriodKind.SEASON:
            return {"season": month_text(self.first)}
        if self.kind is PeriodKind.YEAR:
            return {"year": str(self.first // 100)}
        return {"from": month_text(self.first), "to": month_text(self.last)}


def month_period(month: int) -> Period:
    return Period(PeriodKind.MONTH, month, month)


def season_period(month: int) -> Period:
    first = season_start(month)
    return Period(PeriodKind.SEASON, first, add_months(first, 2))


def year_period(year: int) -> Period:
    return Period(PeriodKind.YEAR, year * 100 + 1, year * 100 + 12)


def custom_period(first: int, last: int) -> Period:
    if last < first:
        raise DomainError("period_backwards", _l("The period ends before it starts."))
    if len(months_between(first, last)) > MAX_MONTHS:
        raise DomainError("period_too_long", _l("A period is at most %(n)d months.", n=MAX_MONTHS))
    return Period(PeriodKind.CUSTOM, first, last)


def period_from_args(args: Mapping[str, str], this_month: int, *, custom: bool = True) -> Period:
    """The period a page's URL asks for (`month=2026-11`, `season=2026-09`, `year=2026`,
    `from=2026-04&to=2027-03`), this month when it asks for none. Bad values are refused with
    a clear error, never read as another period. `custom=False` (the public page) refuses a
    run of months: two overlapping runs would give away the months they do not share."""
    if args.get("from") or args.get("to"):
        if not custom:
            raise DomainError(
                "period_not_public", _l("The public page shows a month, a season or a year.")
            )
        return custom_period(_parse(args.get("from", "")), _parse(args.get("to", "")))
    if args.get("year"):
        text = args["year"].strip()
        if not re.fullmatch(r"\d{4}", text) or not 2000 <= int(text) <= 2999:
            raise _bad_period()
        return year_period(int(text))
    if args.get("season"):
        return season_period(_parse(args["season"]))
    if args.get("month"):
        return month_period(_parse(args["month"]))
    return month_period(this_month)


def period_label(period: Period) -> str:
    """The period in words: 「2026年11月」, 「2026年 秋（9月〜11月）」, 「2026年」."""
    first = _words(period.first)
    if period.kind is PeriodKind.MONTH:
        return first
    if period.kind is PeriodKind.YEAR:
        return _("%(year)d", year=period.first // 100)
    if period.kind is PeriodKind.SEASON:
        season = SEASON_NAMES[period.first % 100]
        return _(
            "%(season)s %(year)d (%(first)s to %(last)s)",
            season=season,
            year=period.first // 100,
            first=MONTH_NAMES[period.first % 100 - 1],
            last=MONTH_NAMES[period.last % 100 - 1],
        )
    return _("%(first)s to %(last)s", first=first, last=_words(period.last))


def month_label(month: int) -> str:
    return _words(month)


SEASON_NAMES = {3: _l("Spring"), 6: _l("Summer"), 9: _l("Autumn"), 12: _l("Winter")}


def _words(month: int) -> str:
    return _("%(month)s %(year)d", month=MONTH_NAMES[month % 100 - 1], year=month // 100)


MONTH_NAMES = (
    _l("January"),
    _l("February"),
    _l("March"),
    _l("April"),
    _l("May"),
    _l("June"),
    _l("July"),
    _l("August"),
    _l("September"),
    _l("October"),
    _l("November"),
    _l("December"),
)


def _parse(text: str) -> int:
    found = _MONTH.match(text.strip())
    if not found or not 2000 <= int(found[1]) <= 2999 or not 1 <= int(found[2]) <= 12:
        raise _bad_period()
    return int(found[1]) * 100 + int(found[2])


def month_text(month: int) -> str:
    """A month as URLs and files write it: 2026-04."""
    return f"{month // 100:04d}-{month % 100:02d}"


def _bad_period() -> DomainError:
    return DomainError("bad_period", _l("That period could not be read: choose it again."))
