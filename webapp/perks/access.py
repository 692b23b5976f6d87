"""The guards of the perks pages: a ticket's own member, and a partner shop's staff (and
administrators)."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user

from webapp.core.access import member_required
from webapp.extensions import db
from webapp.perks.redemptions import get_member_ticket
from webapp.perks.services import get_staff_shop


def shop_staff_required(view):
    """Guards a shop's view: its `partner_id` becomes the `shop`, if the current user works
    there (403 otherwise)."""

    @wraps(view)
    def guarded(partner_id: int, **kwargs):
        return view(shop=get_staff_shop(db.session, current_user, partner_id), **kwargs)

    return member_required(guarded)


def ticket_owner_required(view):
    """Guards a ticket's view: its `redemption_id` becomes the `ticket`, if it is the current
    member's (404 otherwise, as for no ticket)."""

    @wraps(view)
    def guarded(redemption_id: int, **kwargs):
        return view(ticket=get_member_ticket(db.session, current_user, redemption_id), **kwargs)

    return member_required(guarded)
