"""The administrators' page for thanks (`/admin/thanks`): the rules, the month's pool before it
is shared (the month under way, and the month just ended while it waits) and after (who got how
many coins, and whether they are on chain yet), and pairs that thank each other at the cap."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.core.access import admin_required, protect
from webapp.core.db import utcnow
from webapp.core.i18n import local_date, local_zone
from webapp.extensions import db
from webapp.thanks.admin_forms import RulesForm
from webapp.thanks.models import ThanksPool
from webapp.thanks.patterns import unusual_pairs
from webapp.thanks.pool import (
    due_month,
    list_shared,
    month_before,
    month_of,
    month_start,
    preview_pool,
)
from webapp.thanks.settings import get_rules, save_rules

bp = Blueprint("thanks_admin", __name__, url_prefix="/admin/thanks")
protect(bp, admin_required)


def page(form: RulesForm | None = None, status: int = 200):
    now, zone = utcnow(), local_zone()
    rules = get_rules(db.session)
    this_month = month_of(now, zone)
    ended = month_before(this_month)
    ended_waits = db.session.get(ThanksPool, ended) is None
    return render_template(
        "thanks/admin.html",
        form=form or RulesForm.of(rules),
        rules=rules,
        this_month=this_month,
        this_preview=preview_pool(db.session, this_month, rules, now),
        ended=ended if ended_waits else None,
        ended_preview=preview_pool(db.session, ended, rules, now) if ended_waits else [],
        ended_due=due_month(db.session, now) == ended,
        shared=list_shared(db.session),
        pairs=unusual_pairs(db.session, now),
        month_name=lambda month: local_date(month_start(month, zone), "yMMMM"),
    ), status


@bp.get("")
def index():
    return page()


@bp.post("")
def save():
    form = RulesForm()
    if not form.validate_on_submit():
        return page(form, 400)
    if save_rules(db.session, form.rules(), actor=current_user, now=utcnow()):
        db.session.commit()
        flash(_("The rules for thanks are saved."), "info")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("thanks_admin.index"))
