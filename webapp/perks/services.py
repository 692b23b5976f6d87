"""Perk operations (read-only until redemption lands)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.core.errors import DomainError
from webapp.perks.models import Perk


def create_perk(
    session: Session,
    *,
    title_ja: str,
    title_en: str,
    partner_name: str,
    price: int,
    description_ja: str = "",
    description_en: str = "",
) -> Perk:
    if price <= 0:
        raise DomainError("bad_price", _l("A perk costs at least one token."))
    if not title_ja.strip() or not partner_name.strip():
        raise DomainError("title_required", _l("Give the perk a title and a partner."))
    perk = Perk(
        title_ja=title_ja,
        title_en=title_en,
        partner_name=partner_name,
        price=price,
        description_ja=description_ja,
        description_en=description_en,
    )
    session.add(perk)
    session.flush()
    return perk


def list_active_perks(session: Session) -> list[Perk]:
    return list(session.scalars(select(Perk).where(Perk.active).order_by(Perk.price, Perk.id)))
