"""A membership's term, as the community configures it (ENISHI_MEMBERSHIP_TERM):

- "" (the default): no end; a card gives its rights until it is revoked.
- "<N>d", e.g. "365d": N days, counted from the day of issue or renewal (that day is the
  first); a renewal before the end adds N days to the end, so none are lost.
- "YYYY-MM-DD", e.g. "2027-03-31": every card runs to the end of that day.
- "MM-DD", e.g. "03-31": a season ending on that day: the card runs to the end of the next
  such day (on or after the day of issue); a renewal adds the season after the current end.

Days are the community's (its time zone): a term ends at local midnight after its last day,
and `term_ends_at` holds that moment. Pure functions: no database, no request."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

_DAYS = re.compile(r"^(\d{1,5})d$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SEASON = re.compile(r"^(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Term:
    days: int | None = None
    until: date | None = None  # a fixed last day
    season: tuple[int, int] | None = None  # (month, day) of a season's last day

    @property
    def none(self) -> bool:
        return self.days is None and self.until is None and self.season is None


def parse_term(text: str | None) -> Term:
    """The term that `text` (ENISHI_MEMBERSHIP_TERM) describes; ValueError if it is none of
    the forms above."""
    text = (text or "").strip()
    if not text:
        return Term()
    if match := _DAYS.match(text):
        days = int(match.group(1))
        if days < 1:
            raise ValueError("ENISHI_MEMBERSHIP_TERM: a term of days needs at least one day")
        return Term(days=days)
    try:
        if match := _DATE.match(text):
            return Term(until=date(*map(int, match.groups())))
        if match := _SEASON.match(text):
            month, day = map(int, match.groups())
            date(2000, month, day)  # a leap year: 02-29 is a day (its season ends 02-28 else)
            return Term(season=(month, day))
    except ValueError as error:
        raise ValueError(f"ENISHI_MEMBERSHIP_TERM: {text!r} is not a day: {error}") from None
    raise ValueError(
        f"ENISHI_MEMBERSHIP_TERM: {text!r} is none of '', '<N>d', 'YYYY-MM-DD', 'MM-DD'"
    )


def term_end(term: Term, start: datetime, zone: tzinfo) -> datetime | None:
    """When a term begun at `start` ends (None: no end). A renewal begins at the later of now
    and the current end (a local midnight), so a season's renewal runs to the season after."""
    if term.none:
        return None
    first = start.astimezone(zone).date()
    if term.days is not None:
        last = first + timedelta(days=term.days - 1)
    elif term.until is not None:
        last = term.until
    else:
        last = _next_season_day(first, *term.season)
    return end_of(last, zone)


def end_of(day: date, zone: tzinfo) -> datetime:
    """Local midnight after `day`: the moment a term whose last day is `day` ends."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def last_day(term_ends_at: datetime, zone: tzinfo) -> date:
    """The last day a term that ends at `term_ends_at` gives its rights."""
    return (term_ends_at.astimezone(zone) - timedelta(microseconds=1)).date()


def _next_season_day(first: date, month: int, day: int) -> date:
    for year in (first.year, first.year + 1, first.year + 2):
        candidate = _day_in(year, month, day)
        if candidate >= first:
            return candidate
    raise AssertionError("unreachable")


def _day_in(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:  # 02-29 in a year that has none
        return date(year, month, day - 1)
