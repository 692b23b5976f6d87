"""The members' community page (`/community`): a period's figures, split by where people live,
and three charts, each beside its table. The public version (public_views) is drawn by the
same functions with every count masked."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from webapp.community.charts import render_svg
from webapp.community.figures import AREA_NAMES, community_figures
from webapp.community.masking import WITHHELD
from webapp.community.page import CHARTS, community_page
from webapp.community.periods import month_of, period_from_args, period_label
from webapp.community.picker import period_picker
from webapp.core.access import member_required, protect
from webapp.core.db import utcnow
from webapp.core.errors import DomainError, NotFound
from webapp.core.i18n import local_zone
from webapp.extensions import db
from webapp.profiles.residence import AREAS

bp = Blueprint("community", __name__, url_prefix="/community")
protect(bp, member_required)

# The charts are SVG files of their own, shown with <img>, rather than drawn into the page: pygal
# puts its look in a <style> element, which the site's CSP (style-src 'self', no inline style)
# would refuse inside the page. An image gets its own CSP, which lets its own inline style
# through and nothing else: no script, no connection, no other source (an <img> runs no script
# in any case, and the SVG holds none). Being a URL of its own, the service worker keeps it
# beside the page for the offline shell.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def render_community(template: str, *, public: bool, chart_endpoint: str):
    now, zone = utcnow(), local_zone()
    this_month = month_of(now, zone)
    try:
        period = period_from_args(request.args, this_month, custom=not public)
    except DomainError as error:
        # A period that cannot be read: the picker again with what went wrong, never another
        # period's figures.
        return render_template(
            template,
            page=None,
            error=error,
            picker=period_picker(this_month, None),
            areas=AREAS,
            area_words=AREA_NAMES,
            public=public,
            now=now,
        ), 400
    page = community_page(db.session, community_figures(db.session, period, now, zone),
                          public=public, zone=zone)  # fmt: skip
    return render_template(
        template,
        page=page,
        error=None,
        label=period_label(period),
        picker=period_picker(this_month, period),
        areas=AREAS,
        area_words=AREA_NAMES,
        public=public,
        withheld=WITHHELD,
        chart_endpoint=chart_endpoint,
        query=period.query(),
        refreshed=page.refreshed_at.astimezone(zone) if page.refreshed_at else None,
        now=now,
    )


def chart_svg(chart: str, *, public: bool) -> Response:
    if chart not in CHARTS:
        raise NotFound("not_found")
    now, zone = utcnow(), local_zone()
    period = period_from_args(request.args, month_of(now, zone), custom=not public)
    page = community_page(db.session, community_figures(db.session, period, now, zone),
                          public=public, zone=zone)  # fmt: skip
    response = Response(render_svg(page.charts[chart]), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_POLICY
    return response


@bp.get("")
def page():
    return render_community("community/page.html", public=False, chart_endpoint="community.chart")


@bp.get("/charts/<chart>.svg")
def chart(chart: str):
    return chart_svg(chart, public=False)
