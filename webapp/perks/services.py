"""Perk operations (read-only until redemption lands)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

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
