"""Language and time zone: Japanese first, English second; times shown in Asia/Tokyo."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from flask import Flask, current_app, has_request_context, session
from flask_babel import LazyString, format_datetime, format_decimal, get_locale, gettext
from markupsafe import Markup

from webapp.extensions import babel


def select_locale() -> str:
    chosen = session.get("lang") if has_request_context() else None
    return (
        chosen
        if chosen in current_app.config["LANGUAGES"]
        else current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def local_zone() -> ZoneInfo:
    """The community's time zone (BABEL_DEFAULT_TIMEZONE). As zoneinfo: flask-babel's own
    `get_timezone()` is pytz, whose zones `datetime.replace` gets wrong."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_day(moment: datetime) -> date:
    """The day `moment` falls on in the community's time zone, as everywhere Enishi shows dates."""
    return moment.astimezone(local_zone()).date()


def local_date(moment: datetime, skeleton: str = "MMMEd") -> str:
    """`moment`'s date in the community's time zone, drawn from a CLDR skeleton in the page's
    language: "MMMEd" is 「6月14日(土)」 in Japanese, "Sat, Jun 14" in English."""
    return format_skeleton(skeleton, moment.astimezone(local_zone()), locale=get_locale())


def local_moment(moment: datetime, now: datetime) -> Markup:
    """A moment as members read it: 「12月5日(土) 8:50」, with the year when it is not this
    year's."""
    return _day_and_time(moment.astimezone(local_zone()), _day_skeleton([moment], now))


def local_span(starts: datetime, ends: datetime, now: datetime) -> Markup:
    """When an event is, as members read it: 「6月14日(土) 10:00〜12:00」; the end's date is
    written too when it falls on another day, and the year when it is not this year's."""
    zone = local_zone()
    first, last = starts.astimezone(zone), ends.astimezone(zone)
    day = _day_skeleton([first, last], now)
    end = _day_and_time(last, day) if last.date() != first.date() else _part("Hm", last)
    start = _day_and_time(first, day)
    return Markup(gettext("%(start)s – %(end)s")) % {"start": start, "end": end}


def _day_skeleton(moments: list[datetime], now: datetime) -> str:
    this_year = now.astimezone(local_zone()).year
    same = all(moment.astimezone(local_zone()).year == this_year for moment in moments)
    return "MMMEd" if same else "yMMMEd"


def _day_and_time(moment: datetime, day_skeleton: str) -> Markup:
    return Markup("%s %s") % (_part(day_skeleton, moment), _part("Hm", moment))


def _part(skeleton: str, moment: datetime) -> Markup:
    """One date or time, kept on one line when it fits (a narrow screen breaks between them)."""
    text = format_skeleton(skeleton, moment.astimezone(local_zone()), locale=get_locale())
    return Markup('<span class="keep-together">%s</span>') % text


def from_local(value: datetime) -> datetime:
    """A time as typed in a form (no zone) read as the community's local time."""
    return value.replace(tzinfo=local_zone())


def coin_name() -> str:
    """The community's name for its token in the page's language (COIN_NAME)."""
    names = current_app.config["COIN_NAME"]
    return names.get(current_language()) or names[current_app.config["BABEL_DEFAULT_LOCALE"]]


def coins(amount: int) -> str:
    """An amount as members read it: 「40 えんコイン」, digits grouped (1,200)."""
    return f"{number(amount)} {coin_name()}"


def lazy_coin_name() -> LazyString:
    """`coin_name()` when the text is shown: for a text made before any request (a form's
    label, a domain error's message)."""
    return LazyString(coin_name)


def lazy_coins(amount: int) -> LazyString:
    """`coins(amount)` when the text is shown (see `lazy_coin_name`)."""
    return LazyString(coins, amount)


def number(value, digits: int = 0) -> str:
    """A figure as the page's language writes it: digits grouped (12,345), at most `digits`
    after the point and no trailing zeros (an 18-decimal ether balance reads 0.98)."""
    return format_decimal(value, format="#,##0" + ("." + "#" * digits if digits else ""))


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["local_datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["local_day"] = local_day
    app.jinja_env.filters["local_moment"] = local_moment
    app.jinja_env.filters["local_span"] = local_span
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["coin_name"] = coin_name
    app.jinja_env.filters["coins"] = coins
    app.jinja_env.filters["number"] = number
