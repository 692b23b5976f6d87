"""Token metadata: which event a badge id names, which membership a card id names, and the
metadata JSON wallets read for them (EIP-1155 metadata for badges, ERC-721 metadata for cards).

Everything here is public: no member's name or e-mail address ever goes into it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from eth_utils import to_checksum_address
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.core.db import MAX_INTEGER
from webapp.core.errors import NotFound
from webapp.core.i18n import local_day
from webapp.events.models import Event
from webapp.membership.models import Membership
from webapp.metadata import images, wording
from webapp.onchain.jobs import PROJECT_BADGE_BASE, THANKS_BADGE_BASE, YUI_BADGE_BASE
from webapp.onchain.models import ChainJob, JobKind
from webapp.projects.models import Project, ProjectBadge, ProjectStatus
from webapp.yui.choices import CATEGORIES
from webapp.yui.models import YuiConfirmation, YuiPost, YuiThread

# EIP-1155 clients substitute {id} with 64 lowercase hex digits; a plain decimal id is accepted
# too (written without leading zeros, so each event has one decimal address).
HEX_ID = re.compile(r"[0-9a-f]{64}")
DECIMAL_ID = re.compile(r"0|[1-9][0-9]{0,77}")
# A card's token id is its holder's address as a number (MembershipCard.cardId).
MAX_CARD_ID = 2**160 - 1


def get_badge_event(session: Session, token_id: str) -> Event:
    """The event whose badge has the token id `token_id` (64 hex digits, or decimal)."""
    event_id = _badge_number(token_id)
    event = session.get(Event, event_id) if 0 < event_id <= MAX_INTEGER else None
    if event is None:
        raise NotFound("unknown_event", _l("There is no such event."))
    return event


def find_badge_project(
    session: Session, token_id: str, *, given_only: bool = True
) -> Project | None:
    """The project whose contributor badge has the token id `token_id`: None if the id is in
    the events' range; NotFound if it is in the projects' and names no active or closed project
    whose badge someone has been given (a badge no one holds has no public metadata).
    `given_only=False` (the artwork, which the project's own page shows before anyone holds
    it): any active or closed project."""
    number = _badge_number(token_id)
    if not PROJECT_BADGE_BASE <= number < YUI_BADGE_BASE:
        return None
    project_id = number - PROJECT_BADGE_BASE
    project = session.get(Project, project_id) if 0 < project_id <= MAX_INTEGER else None
    given = project is not None and (
        not given_only
        or session.scalar(
            select(ProjectBadge.project_id).where(ProjectBadge.project_id == project.id).limit(1)
        )
    )
    if not given or project.status not in (ProjectStatus.ACTIVE, ProjectStatus.CLOSED):
        raise NotFound("unknown_project", _l("There is no such project."))
    return project


@dataclass(frozen=True)
class CommunityBadge:
    """A badge given outside events, as its public metadata names it (never a person): a 結い's
    (its help's category, the month it happened) or a month's thanks (the month)."""

    kind: str  # "yui" | "thanks"
    month: str  # "2026-11", in the community's time zone
    category: str | None = None  # a 結い's, in Japanese


def find_community_badge(session: Session, token_id: str) -> CommunityBadge | None:
    """The 結い or thanks badge the token id `token_id` names: None if the id is below their
    ranges; NotFound if it is in them and names no badge given (a 結い confirmed, a month's
    thanks badge queued)."""
    number = _badge_number(token_id)
    if YUI_BADGE_BASE <= number < THANKS_BADGE_BASE:
        badge = _yui_badge(session, number - YUI_BADGE_BASE)
    elif THANKS_BADGE_BASE <= number < THANKS_BADGE_BASE + 10**6:
        badge = _thanks_badge(session, number)
    elif number >= THANKS_BADGE_BASE:
        badge = None
    else:
        return None
    if badge is None:
        raise NotFound("unknown_badge", _l("There is no such badge."))
    return badge


def _yui_badge(session: Session, confirmation_id: int) -> CommunityBadge | None:
    if not 0 < confirmation_id <= MAX_INTEGER:
        return None
    row = session.execute(
        select(YuiConfirmation.scanned_at, YuiPost.category)
        .join(YuiThread, YuiConfirmation.thread_id == YuiThread.id)
        .join(YuiPost, YuiThread.post_id == YuiPost.id)
        .where(YuiConfirmation.id == confirmation_id)
    ).first()
    if row is None:
        return None
    category = row.category
    with force_locale("ja"):  # a token has one name for everybody (see wording)
        name = str(CATEGORIES.get(category, CATEGORIES["other"]))
    return CommunityBadge("yui", local_day(row.scanned_at).strftime("%Y-%m"), name)


def _thanks_badge(session: Session, token_id: int) -> CommunityBadge | None:
    digits = token_id - THANKS_BADGE_BASE
    year, month = divmod(digits, 100)
    if not (2000 <= year <= 9999 and 1 <= month <= 12):
        return None
    given = select(ChainJob.id).where(ChainJob.kind == JobKind.BADGE, ChainJob.token_id == token_id)
    if session.scalar(given.limit(1)) is None:
        return None
    return CommunityBadge("thanks", f"{year:04d}-{month:02d}")


def community_badge_metadata(badge: CommunityBadge, image_url: str, community: str) -> dict:
    """A 結い's or a month's thanks badge's metadata (EIP-1155); it names no one."""
    month = wording.month_name(badge.month)
    if badge.kind == "yui":
        name = wording.yui_badge_name(badge.category)
        description = wording.yui_badge_description(community, badge.category, month)
        properties = {"category": badge.category, "month": badge.month, "community": community}
        traits = [(wording.CATEGORY_TRAIT, badge.category), (wording.MONTH_TRAIT, month)]
    else:
        name = wording.thanks_badge_name(month)
        description = wording.thanks_badge_description(community, month)
        properties = {"month": badge.month, "community": community}
        traits = [(wording.MONTH_TRAIT, month)]
    traits.append((wording.COMMUNITY_TRAIT, community))
    return {
        "name": name,
        "description": description,
        "image": image_url,
        "decimals": 0,
        "properties": properties,
        "attributes": [{"trait_type": trait, "value": value} for trait, value in traits],
    }


def community_badge_image(badge: CommunityBadge, community: str) -> bytes:
    """The artwork: the category (a 結い's) or ありがとう, the month, the kind of badge."""
    month = wording.month_name(badge.month)
    if badge.kind == "yui":
        return images.badge_png(badge.category, month, community, wording.YUI_BADGE)
    return images.badge_png(wording.THANKS, month, community, wording.THANKS_BADGE)


def project_day(project: Project) -> date:
    """The day the project became active, in the community's time zone."""
    return local_day(project.activated_at or project.created_at)


def _badge_number(token_id: str) -> int:
    if HEX_ID.fullmatch(token_id):
        return int(token_id, 16)
    if DECIMAL_ID.fullmatch(token_id):
        return int(token_id)
    return -1


def get_card_membership(session: Session, token_id: str) -> Membership:
    """The active membership whose card has the token id `token_id` (decimal)."""
    number = int(token_id) if DECIMAL_ID.fullmatch(token_id) else -1
    membership = None
    if 0 <= number <= MAX_CARD_ID:
        address = to_checksum_address(f"0x{number:040x}")
        membership = session.scalar(
            select(Membership)
            .join(User, User.id == Membership.user_id)
            .where(User.address == address, Membership.revoked_at.is_(None))
        )
    if membership is None:
        raise NotFound("no_such_card", _l("There is no such card."))
    return membership


def event_day(event: Event) -> date:
    """The day the event starts, in the community's time zone."""
    return local_day(event.starts_at)


def badge_metadata(event: Event, image_url: str, community: str) -> dict:
    """The badge's metadata, after EIP-1155's metadata JSON schema."""
    day = event_day(event).isoformat()
    return {
        "name": event.title,
        "description": wording.badge_description(community, event.title),
        "image": image_url,
        "decimals": 0,  # a badge is held once, never in fractions
        "properties": {"date": day, "venue": event.venue, "community": community},
        "attributes": [
            {"trait_type": wording.DATE_TRAIT, "value": day},
            {"trait_type": wording.VENUE_TRAIT, "value": event.venue},
            {"trait_type": wording.COMMUNITY_TRAIT, "value": community},
        ],
    }


def project_badge_metadata(project: Project, image_url: str, community: str) -> dict:
    """A project's contributor badge's metadata (EIP-1155); it names the project, no one in it."""
    since = project_day(project).isoformat()
    return {
        "name": wording.project_badge_name(project.title),
        "description": wording.project_badge_description(community, project.title),
        "image": image_url,
        "decimals": 0,
        "properties": {"since": since, "community": community},
        "attributes": [
            {"trait_type": wording.SINCE_TRAIT, "value": since},
            {"trait_type": wording.COMMUNITY_TRAIT, "value": community},
        ],
    }


def card_metadata(membership: Membership, image_url: str, community: str) -> dict:
    """The card's metadata, after ERC-721's metadata JSON schema; it names no one."""
    since = local_day(membership.issued_at).isoformat()
    return {
        "name": wording.card_name(community),
        "description": wording.card_description(community),
        "image": image_url,
        "attributes": [
            {"trait_type": wording.COMMUNITY_TRAIT, "value": community},
            {"trait_type": wording.MEMBER_SINCE_TRAIT, "value": since},
        ],
    }
