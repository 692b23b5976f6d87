from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from webapp.extensions import db
from webapp.onchain.connection import get_chain_client
from webapp.wallet.services import get_wallet

bp = Blueprint("wallet", __name__)


@bp.get("/wallet")
@login_required
def show():
    try:
        client = get_chain_client(db.session)
    except Exception:  # the node is down: the page still shows what the database knows
        client = None
    wallet = get_wallet(db.session, current_user, client)
    return render_template("wallet/show.html", wallet=wallet)
