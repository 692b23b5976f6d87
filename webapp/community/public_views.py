"""The community page's public version (`/community/public`): no login, aggregates only, every
count below 5 shown as 「5 未満」 (community.masking). Off until an administrator turns it on
(`/admin/community`); while off, it does not exist (404)."""

from __future__ import annotations

from flask import Blueprint

from webapp.community.page_views import chart_svg, render_community
from webapp.community.settings import public_page_on
from webapp.core.errors import NotFound
from webapp.extensions import db

bp = Blueprint("community_public", __name__, url_prefix="/community/public")


@bp.before_request
def only_when_on():
    if not public_page_on(db.session):
        raise NotFound("not_found")


@bp.get("")
def page():
    return render_community(
        "community/public.html", public=True, chart_endpoint="community_public.chart"
    )


@bp.get("/charts/<chart>.svg")
def chart(chart: str):
    return chart_svg(chart, public=True)
