"""The administrator's view of the chain queue: what waits, what failed and why, the minter's
gas balance, and a way to send waiting and failed jobs now."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from webapp.core.access import admin_required, protect
from webapp.core.db import utcnow
from webapp.extensions import db
from webapp.onchain.connection import get_chain_client, get_minter_status, max_fee_per_gas
from webapp.onchain.jobs import (
    count_jobs_by_status,
    list_capped_transactions,
    list_open_jobs,
    retry_now,
)

bp = Blueprint("onchain", __name__, url_prefix="/admin/chain")
protect(bp, admin_required)


@bp.get("")
def queue():
    minter, capped, now = None, [], utcnow()
    try:
        client = get_chain_client(db.session)
        minter = get_minter_status(client, current_app.config["MINTER_LOW_BALANCE_ETH"])
        market = client.market_fees()
        capped = list_capped_transactions(db.session, market, max_fee_per_gas(), now)
    except Exception:  # the page must show the queue even when the node is down
        db.session.rollback()
    return render_template(
        "onchain/queue.html",
        counts=count_jobs_by_status(db.session),
        jobs=list_open_jobs(db.session),
        capped=capped,
        max_fee_gwei=current_app.config["MAX_FEE_GWEI"],
        minter=minter,
        now=now,
    )


@bp.post("/retry")
def retry():
    count = retry_now(db.session, utcnow())
    db.session.commit()
    flash(_("%(n)s waiting or failed jobs will be sent in the next round.", n=count), "info")
    return redirect(url_for("onchain.queue"))
