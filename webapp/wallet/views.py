from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.core.access import member_required
from webapp.core.db import utcnow
from webapp.core.i18n import current_language
from webapp.core.qr import qr_svg
from webapp.extensions import db
from webapp.membership.cards import card_code, card_key
from webapp.membership.services import MemberState, get_membership, member_state
from webapp.thanks.services import received_summary
from webapp.wallet.services import get_member_badge, get_member_proof, get_wallet

bp = Blueprint("wallet", __name__)

# Why there is no card to print, in the person's own case: shop staff and organisers may never
# have had one, and "taken back" would be wrong to tell them.
NO_CARD = {
    MemberState.REVOKED: _l("Your member card was taken back: there is no card to print."),
    MemberState.LAPSED: _l("Your member card's term has ended: there is no card to print."),
    None: _l("You have no member card yet: there is no card to print."),
}


@bp.get("/wallet")
@member_required
def show():
    wallet = get_wallet(db.session, current_user, current_language())
    now = utcnow()
    return render_template(
        "wallet/show.html",
        wallet=wallet,
        thanks=received_summary(db.session, current_user, now=now),
        community=current_app.config["COMMUNITY_NAME"],
        now=now,
    )


@bp.get("/wallet/card")
@member_required
def card():
    """The member's printable card: an organiser scans it to check in someone without a phone.
    Someone whose 会員証 gives no rights (taken back, lapsed, never given) gets no code to print:
    it would be refused at every event."""
    state = member_state(current_user, get_membership(db.session, current_user), utcnow())
    if state != MemberState.MEMBER:
        return render_template("wallet/card.html", qr=None, why=NO_CARD.get(state, NO_CARD[None]))
    code = card_code(current_user.id, card_key(current_app.secret_key))
    label = _("Member card of %(name)s", name=current_user.display_name)
    return render_template("wallet/card.html", qr=qr_svg(code, label=label))


@bp.get("/wallet/badges/<int:badge_id>")
@member_required
def badge(badge_id: int):
    """A badge's page; its id is its event's, as on chain (the badge's ERC-1155 token id)."""
    badge = get_member_badge(db.session, current_user, badge_id)
    return render_template("wallet/badge.html", badge=badge)


@bp.get("/wallet/proofs/<int:job_id>")
@member_required
def proof(job_id: int):
    """A record's proof: the one member page with a transaction hash, contracts and addresses."""
    proof = get_member_proof(db.session, current_user, job_id, current_app.config["CHAIN_ID"])
    explorer = current_app.config["EXPLORER_TX_URL"]
    explorer_url = explorer.replace("{hash}", proof.tx_hash) if explorer and proof.tx_hash else None
    return render_template("wallet/proof.html", proof=proof, explorer_url=explorer_url)
