"""The guard for the shop pages: only a partner shop's staff (and administrators) pass."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user

from webapp.core.access import member_required
from webapp.extensions import db
from webapp.perks.services import get_staff_shop


def shop_staff_required(view):
    """Guards a shop's view: its `partner_id` becomes the `shop`, if the current user works
    there (403 otherwise)."""

    @wraps(view)
    def guarded(partner_id: int, **kwargs):
        return view(shop=get_staff_shop(db.session, current_user, partner_id), **kwargs)

    return member_required(guarded)
