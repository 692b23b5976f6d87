"""Language and time zone: Japanese first, English second; times shown in Asia/Tokyo."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, session
from flask_babel import format_datetime, get_locale

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


def from_local(value: datetime) -> datetime:
    """A time as typed in a form (no zone) read as the community's local time."""
    return value.replace(tzinfo=local_zone())


def coin_name() -> str:
    """The community's name for its token in the page's language (COIN_NAME)."""
    names = current_app.config["COIN_NAME"]
    return names.get(current_language()) or names[current_app.config["BABEL_DEFAULT_LOCALE"]]


def coins(amount: int) -> str:
    """An amount as members read it: 「40 えんコイン」, digits grouped (1,200)."""
    return f"{amount:,} {coin_name()}"


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["local_datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["coin_name"] = coin_name
    app.jinja_env.filters["coins"] = coins
