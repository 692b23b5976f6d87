"""The administrators' report for the town (`/admin/report`): choose a period (a month, a
season, a year or a run of months, in a plain GET form) and download its report as PDF, CSV or
JSON (community.report, community.report_pdf)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import lazy_gettext as _l

from webapp.community.periods import (
    Period,
    PeriodKind,
    add_months,
    month_of,
    month_text,
    period_from_args,
    period_label,
    season_period,
    season_start,
)
from webapp.community.report import build_report, file_name, report_csv, report_json
from webapp.community.report_pdf import report_pdf
from webapp.core.access import admin_required, protect
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.core.http import answers_json, no_store
from webapp.core.i18n import local_zone
from webapp.extensions import db

bp = Blueprint("community_report", __name__, url_prefix="/admin/report")
protect(bp, admin_required)

# The seasons offered in the form: three years of them, the latest first.
SEASONS_OFFERED = 12
FILES = {
    "pdf": ("application/pdf", report_pdf),
    "csv": ("text/csv; charset=utf-8", report_csv),
    "json": ("application/json; charset=utf-8", report_json),
}
# Which of the form's fields each kind of period reads.
KIND_FIELDS = {
    PeriodKind.MONTH: ("month",),
    PeriodKind.SEASON: ("season",),
    PeriodKind.YEAR: ("year",),
    PeriodKind.CUSTOM: ("from", "to"),
}


@bp.get("")
def index():
    this_month = month_of(utcnow(), local_zone())
    try:
        period, error = chosen_period(request.args, this_month), None
    except DomainError as refused:
        period, error = None, refused
    shown = period or chosen_period({}, this_month)
    page = render_template(
        "community/report.html",
        period=period,
        error=error,
        form=_form_values(request.args, shown),
        seasons=_seasons(this_month),
        label=period_label(period) if period else None,
        kinds=PeriodKind,
    )
    return page, (error.status if error else 200)


@bp.get("/report.pdf")
@no_store
def pdf():
    return _download("pdf")


@bp.get("/report.csv")
@no_store
def csv():
    return _download("csv")


@bp.get("/report.json")
@answers_json
@no_store
def json():
    return _download("json")


def _download(kind: str) -> Response:
    now, zone = utcnow(), local_zone()
    period = chosen_period(request.args, month_of(now, zone))
    report = build_report(db.session, period, now, zone, current_app.config["COMMUNITY_NAME"])
    mimetype, write = FILES[kind]
    response = Response(write(report), mimetype=mimetype.split(";")[0])
    response.headers["Content-Type"] = mimetype
    name = file_name(period, kind)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def chosen_period(args: Mapping[str, str], this_month: int) -> Period:
    """The period the form chose (`kind` and its fields), or that a download link names
    (period.query()); with neither, the last whole month, the one a report is usually for."""
    kind = args.get("kind")
    if not kind:
        return period_from_args(args, add_months(this_month, -1))
    try:
        fields = KIND_FIELDS[PeriodKind(kind)]
    except ValueError:
        raise _unreadable() from None
    values = {name: (args.get(name) or "").strip() for name in fields}
    if not all(values.values()):
        raise _unreadable()
    return period_from_args(values, this_month)


def _unreadable() -> DomainError:
    return DomainError("bad_period", _l("That period could not be read: choose it again."))


def _form_values(args: Mapping[str, str], period: Period) -> dict[str, str]:
    """What the form shows: what was typed, else the period shown."""
    values = {
        "kind": period.kind.value,
        "month": month_text(period.last),
        "season": month_text(season_start(period.first)),
        "year": str(period.last // 100),
        "from": month_text(period.first),
        "to": month_text(period.last),
    }
    values.update({name: args[name] for name in values if args.get(name)})
    return values


def _seasons(this_month: int) -> list[tuple[str, str]]:
    first = season_start(this_month)
    seasons = [season_period(add_months(first, -3 * n)) for n in range(SEASONS_OFFERED)]
    return [(month_text(season.first), period_label(season)) for season in seasons]
