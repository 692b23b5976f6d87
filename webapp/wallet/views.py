from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user

from webapp.core.access import member_required
from webapp.core.i18n import current_language
from webapp.core.qr import qr_svg
from webapp.extensions import db
from webapp.membership.cards import card_code, card_key
from webapp.onchain.connection import get_chain_client
from webapp.wallet.services import get_wallet

bp = Blueprint("wallet", __name__)


@bp.get("/wallet")
@member_required
def show():
    try:
        client = get_chain_client(db.session)
    except Exception:  # the node is down: the page still shows what the database knows
        client = None
    wallet = get_wallet(db.session, current_user, client, current_language())
    return render_template("wallet/show.html", wallet=wallet)


@bp.get("/wallet/card")
@member_required
def card():
    """The member's printable card: an organiser scans it to check in someone without a phone."""
    code = card_code(current_user.id, card_key(current_app.secret_key))
    label = _("Member card of %(name)s", name=current_user.display_name)
    return render_template("wallet/card.html", qr=qr_svg(code, label=label))
