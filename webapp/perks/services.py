"""Partners and perks: the shops, what they offer for community tokens, and who works there."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.accounts.services import get_user_by_email
from webapp.core.errors import DomainError, Forbidden, NotFound
from webapp.core.i18n import lazy_coins
from webapp.perks.models import Partner, PartnerStaff, Perk, Redemption, RedemptionStatus

# What an administrator may upload: a photo straight from a phone's camera.
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_PIXELS = 50_000_000  # a 48-megapixel camera's photo; more is a decompression bomb
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")
# What members' phones download per perk: a JPEG (old phones read no WebP) of at most
# PHOTO_SIZE px on its longer side and PHOTO_BYTES.
PHOTO_SIZE = 800
PHOTO_BYTES = 60 * 1024
MAX_ALT_CHARS = 200


def create_partner(
    session: Session, *, name_ja: str, name_en: str = "", place: str = ""
) -> Partner:
    if not name_ja.strip():
        raise DomainError("name_required", _l("Give the partner a name."))
    partner = Partner(name_ja=name_ja.strip(), name_en=name_en.strip(), place=place.strip())
    session.add(partner)
    session.flush()
    return partner


def add_staff(session: Session, partner: Partner, email: str) -> User:
    user = get_user_by_email(session, email.strip())
    if user is None:
        raise DomainError("unknown_user", _l("Nobody with this e-mail address uses Enishi."))
    if session.get(PartnerStaff, (partner.id, user.id)) is None:
        session.add(PartnerStaff(partner_id=partner.id, user_id=user.id))
        session.flush()
    session.expire(partner, ["staff"])
    return user


def remove_staff(session: Session, partner: Partner, user_id: int) -> None:
    link = session.get(PartnerStaff, (partner.id, user_id))
    if link is None:
        raise DomainError("not_staff", _l("This person does not work at this shop."), status=404)
    session.delete(link)
    session.flush()
    session.expire(partner, ["staff"])


def list_shop_perks(session: Session, partner: Partner) -> list[Perk]:
    query = select(Perk).where(Perk.partner_id == partner.id).order_by(Perk.price, Perk.id)
    return list(session.scalars(query))


def staff_partners(session: Session, user: User) -> list[Partner]:
    """The shops `user` works at (administrators see every shop)."""
    query = select(Partner).order_by(Partner.name_ja)
    if not user.is_admin:
        mine = select(PartnerStaff.partner_id).where(PartnerStaff.user_id == user.id)
        query = query.where(Partner.id.in_(mine))
    return list(session.scalars(query))


def get_staff_shop(session: Session, user: User, partner_id: int) -> Partner:
    """The shop `partner_id` if `user` works there (or is an administrator), else 403."""
    shop = next((s for s in staff_partners(session, user) if s.id == partner_id), None)
    if shop is None:
        raise NotStaff()
    return shop


class NotStaff(Forbidden):
    def __init__(self) -> None:
        super().__init__("not_staff", _l("Only a partner shop's staff can open this page."))


def get_partner(session: Session, partner_id: int | None) -> Partner:
    partner = session.get(Partner, partner_id) if partner_id is not None else None
    if partner is None:
        raise DomainError("no_such_partner", _l("Choose a partner."), status=404)
    return partner


def get_perk(session: Session, perk_id: int) -> Perk:
    perk = session.get(Perk, perk_id)
    if perk is None:
        raise NotFound("no_such_perk", _l("There is no such perk."))
    return perk


def list_perks(session: Session) -> list[Perk]:
    """Every perk of every shop, for the administrator."""
    return list(session.scalars(select(Perk).order_by(Perk.partner_id, Perk.id)))


def list_partners(session: Session) -> list[Partner]:
    return list(session.scalars(select(Partner).order_by(Partner.name_ja)))


def create_perk(
    session: Session,
    partner: Partner,
    *,
    title_ja: str,
    title_en: str = "",
    price: int,
    description_ja: str = "",
    description_en: str = "",
    stock: int | None = None,
    limit_per_member: int | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    photo: bytes | None = None,
    photo_alt: str = "",
) -> Perk:
    if price is None or price <= 0:
        raise DomainError("bad_price", _l("A perk costs at least %(coins)s.", coins=lazy_coins(1)))
    if not title_ja.strip():
        raise DomainError("title_required", _l("Give the perk a title."))
    if stock is not None and stock < 0:
        raise DomainError("bad_stock", _l("The stock cannot be below zero."))
    if limit_per_member is not None and limit_per_member <= 0:
        raise DomainError("bad_limit", _l("A limit per member is at least one."))
    if valid_from and valid_until and valid_until <= valid_from:
        raise DomainError("bad_validity", _l("A perk must end after it starts."))
    if len(photo_alt.strip()) > MAX_ALT_CHARS:
        raise DomainError("alt_too_long", _l("Describe the photo in 200 characters at most."))
    perk = Perk(
        partner_id=partner.id,
        title_ja=title_ja.strip(),
        title_en=title_en.strip(),
        description_ja=description_ja.strip(),
        description_en=description_en.strip(),
        price=price,
        stock=stock,
        limit_per_member=limit_per_member,
        valid_from=valid_from,
        valid_until=valid_until,
        photo=prepare_photo(photo) if photo else None,
        photo_alt=photo_alt.strip() if photo else "",
    )
    session.add(perk)
    session.flush()
    return perk


def set_paused(session: Session, perk: Perk, paused: bool) -> None:
    perk.active = not paused
    session.flush()


def prepare_photo(data: bytes) -> bytes:
    """An uploaded picture as members' phones get it: a JPEG of at most PHOTO_SIZE px and
    PHOTO_BYTES, turned upright, with none of the camera's metadata (its place, its owner)."""
    too_large = DomainError("photo_too_large", _l("The photo is too large (10 MB at most)."))
    if len(data) > MAX_PHOTO_BYTES:
        raise too_large
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=PHOTO_FORMATS)
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise too_large
            # Before decoding: a JPEG is then decoded at a fraction of its size.
            image.thumbnail((PHOTO_SIZE, PHOTO_SIZE), Image.Resampling.LANCZOS)
            image = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise DomainError(
            "bad_photo", _l("The photo must be a JPEG, PNG or WebP picture.")
        ) from None
    return _small_jpeg(_on_white(image))


def _on_white(image: Image.Image) -> Image.Image:
    """RGB, with what was transparent drawn on white (a JPEG has no transparency)."""
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _small_jpeg(image: Image.Image) -> bytes:
    """The best quality that fits PHOTO_BYTES; smaller, if even the lowest does not. Saved
    without `exif` or `icc_profile`, the JPEG carries no metadata."""
    while True:
        for quality in (85, 78, 70, 62, 54, 46):
            out = io.BytesIO()
            image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
            if out.tell() <= PHOTO_BYTES:
                return out.getvalue()
        image = image.resize((max(image.width * 4 // 5, 1), max(image.height * 4 // 5, 1)))


# -- what a member sees -------------------------------------------------------------------------


@dataclass(frozen=True)
class PerkOffer:
    perk: Perk
    left: int | None  # None: unlimited
    missing: int  # coins the member lacks to use it (0: they can afford it)
    limit_reached: bool  # the member has used it as often as allowed
    open_ticket_id: int | None = None  # the member's ticket for it, not used yet

    @property
    def affordable(self) -> bool:
        return self.missing == 0

    @property
    def usable(self) -> bool:
        """Whether the member can use it now."""
        return self.affordable and not self.limit_reached


def is_available(perk: Perk, now: datetime) -> bool:
    return (
        perk.active
        and (perk.valid_from is None or perk.valid_from <= now)
        and (perk.valid_until is None or now < perk.valid_until)
    )


def _counted(now: datetime | None) -> ColumnElement[bool]:
    """Tickets that count against the stock and the limit per member: used, or held. With
    `now` (what a member is shown), not those held past their time: making a ticket releases
    them first. Without (making a ticket, under the perk's lock), every held one: a shop may be
    confirming a late ticket this very moment, and the release skips it."""
    held = Redemption.status == RedemptionStatus.HELD
    if now is not None:
        held = held & (Redemption.expires_at > now)
    return (Redemption.status == RedemptionStatus.USED) | held


def taken(session: Session, perk: Perk, now: datetime | None = None) -> int:
    query = select(func.count()).where(Redemption.perk_id == perk.id, _counted(now))
    return session.scalar(query)


def taken_by(session: Session, perk: Perk, member: User, now: datetime | None = None) -> int:
    query = select(func.count()).where(
        Redemption.perk_id == perk.id, Redemption.user_id == member.id, _counted(now)
    )
    return session.scalar(query)


def list_offers(session: Session, member: User, balance: int, now: datetime) -> list[PerkOffer]:
    """The perks available now, those `member` can use (afford, and has not used as often as
    allowed) first, then by price; sold-out ones are left out."""
    perks = session.scalars(select(Perk).where(Perk.active).order_by(Perk.price, Perk.id))
    tickets = _open_tickets(session, member, now)
    offers = [_offer(session, member, perk, balance, now, tickets.get(perk.id)) for perk in perks]
    return sorted((o for o in offers if o is not None), key=lambda offer: not offer.usable)


def get_offer(
    session: Session, member: User, perk: Perk, balance: int, now: datetime
) -> PerkOffer | None:
    """What `member` may do with `perk` now, as the list shows it; None if nobody can use it
    now (paused, out of its dates, or sold out)."""
    tickets = _open_tickets(session, member, now, perk)
    return _offer(session, member, perk, balance, now, tickets.get(perk.id))


def _offer(
    session: Session,
    member: User,
    perk: Perk,
    balance: int,
    now: datetime,
    open_ticket_id: int | None,
) -> PerkOffer | None:
    if not is_available(perk, now):
        return None
    left = None if perk.stock is None else max(perk.stock - taken(session, perk, now), 0)
    if left == 0:
        return None
    limit_reached = (
        perk.limit_per_member is not None
        and taken_by(session, perk, member, now) >= perk.limit_per_member
    )
    missing = max(perk.price - balance, 0)
    return PerkOffer(perk, left, missing, limit_reached, open_ticket_id)


def _open_tickets(
    session: Session, member: User, now: datetime, perk: Perk | None = None
) -> dict[int, int]:
    """The member's latest ticket not used yet, per perk (of `perk` alone, if given)."""
    query = (
        select(Redemption.perk_id, func.max(Redemption.id))
        .where(
            Redemption.user_id == member.id,
            Redemption.status == RedemptionStatus.HELD,
            Redemption.expires_at > now,
        )
        .group_by(Redemption.perk_id)
    )
    if perk is not None:
        query = query.where(Redemption.perk_id == perk.id)
    return dict(session.execute(query).all())
