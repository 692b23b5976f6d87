"""The administrator's view of the chain queue: what waits, what failed and why, the minter's
gas balance, and a way to send waiting and failed jobs now."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from web3 import Web3

from webapp.core.db import utcnow
from webapp.core.errors import Forbidden
from webapp.extensions import db
from webapp.onchain.connection import get_chain_client
from webapp.onchain.services import count_jobs_by_status, list_open_jobs, retry_now

bp = Blueprint("onchain", __name__, url_prefix="/admin/chain")


@bp.before_request
@login_required
def admins_only():
    if not current_user.is_admin:
        raise Forbidden("not_an_admin", _("Only administrators can open this page."))


@bp.get("")
def queue():
    minter = None
    try:
        client = get_chain_client(db.session)
        wei = client.operator_balance()
        minter = {
            "address": client.operator.address,
            "balance": Web3.from_wei(wei, "ether"),
            "low": wei < Web3.to_wei(current_app.config["MINTER_LOW_BALANCE_ETH"], "ether"),
            "chain_id": client.chain_id,
        }
    except Exception:  # the page must show the queue even when the node is down
        db.session.rollback()
    return render_template(
        "onchain/queue.html",
        counts=count_jobs_by_status(db.session),
        jobs=list_open_jobs(db.session),
        minter=minter,
        now=utcnow(),
    )


@bp.post("/retry")
def retry():
    count = retry_now(db.session, utcnow())
    db.session.commit()
    flash(_("%(n)s waiting or failed jobs will be sent in the next round.", n=count), "info")
    return redirect(url_for("onchain.queue"))
