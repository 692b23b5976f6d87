"""「わたしの参加」 on マイページ (`/account/contribution`): the member's own timeline, a year at a
time, under the year summary 「2026年のあなた」."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from webapp.community.contribution import get_contribution
from webapp.core.access import member_required
from webapp.core.db import utcnow
from webapp.core.i18n import current_language, local_zone
from webapp.extensions import db

bp = Blueprint("contribution", __name__, url_prefix="/account")

FIRST_YEAR = 2000  # before Enishi: a year asked for outside its life is this year


@bp.get("/contribution")
@member_required
def show():
    now = utcnow()
    zone = local_zone()
    this_year = now.astimezone(zone).year
    year = request.args.get("year", type=int)
    if year is None or not FIRST_YEAR <= year <= this_year:
        year = this_year
    contribution = get_contribution(
        db.session, current_user.id, year, zone=zone, locale=current_language(), now=now
    )
    return render_template(
        "community/contribution.html", contribution=contribution, this_year=this_year
    )
