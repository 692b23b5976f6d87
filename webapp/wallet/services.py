"""Gathers what the wallet page shows; reads only."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from chain.client import ChainClient
from webapp.accounts.models import User
from webapp.checkin.models import Claim
from webapp.checkin.services import list_member_attendances, list_member_held_claims
from webapp.core.db import utcnow
from webapp.ledger.services import Balance, get_balance
from webapp.membership.services import get_membership
from webapp.onchain.models import ChainJob
from webapp.perks.models import Redemption, RedemptionStatus
from webapp.perks.redemptions import list_member_redemptions
from webapp.perks.services import PerkOffer, list_offers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OnChainState:
    on_chain: bool
    tx_hash: str | None
    held: bool = False  # an award waiting for an administrator's approval of its reward

    @classmethod
    def of(cls, job: ChainJob | None) -> OnChainState:
        if job is None:
            return cls(False, None)
        return cls(job.on_chain, job.tx_hash if job.on_chain else None, job.status == "held")


@dataclass(frozen=True)
class BadgeItem:
    event_id: int
    title: str
    venue: str
    starts_at: datetime
    state: OnChainState


@dataclass(frozen=True)
class CardItem:
    issued_at: datetime
    active: bool
    state: OnChainState


@dataclass(frozen=True)
class HistoryItem:
    """A line of the member's history: tokens earned at an event, or spent at a shop."""

    when: datetime
    title: str
    place: str
    amount: int  # positive earned, negative spent
    state: OnChainState


@dataclass(frozen=True)
class Wallet:
    address: str | None
    card: CardItem | None
    badges: list[BadgeItem]
    balance: Balance
    chain_balance: int | None  # None when the chain could not be read just now
    perks: list[PerkOffer]  # what the member can use now (afford, and not used up)
    tickets: list[Redemption]  # tickets waiting to be shown at a shop
    history: list[HistoryItem]
    waiting: list[Claim]  # late check-ins an organiser has yet to look at


def get_wallet(
    session: Session, user: User, client: ChainClient | None, locale: str = "ja"
) -> Wallet:
    membership = get_membership(session, user)
    card = None
    if membership is not None:
        card = CardItem(
            membership.issued_at, membership.is_active, OnChainState.of(membership.chain_job)
        )
    attendances = list_member_attendances(session, user)
    badges = [
        BadgeItem(
            a.event.id,
            a.event.title,
            a.event.venue,
            a.event.starts_at,
            OnChainState.of(a.chain_job),
        )
        for a in attendances
    ]
    balance = get_balance(session, user)
    redemptions = list_member_redemptions(session, user)
    earned = [
        HistoryItem(
            a.checked_in_at,
            a.event.title,
            a.event.venue,
            a.chain_job.amount,  # what this attendance pays (past the budget, nothing)
            OnChainState.of(a.chain_job),
        )
        for a in attendances
        if a.chain_job.amount
    ]
    spent = [
        HistoryItem(
            r.used_at,
            r.perk.title(locale),
            r.perk.partner.name(locale),
            -r.price,
            OnChainState.of(r.chain_job),
        )
        for r in redemptions
        if r.status == RedemptionStatus.USED
    ]
    return Wallet(
        address=user.address,
        card=card,
        badges=badges,
        balance=balance,
        chain_balance=_chain_balance(client, user),
        perks=[o for o in list_offers(session, user, balance.total, utcnow()) if o.usable],
        tickets=[r for r in redemptions if r.status == RedemptionStatus.HELD],
        history=sorted(earned + spent, key=lambda item: item.when, reverse=True),
        waiting=list_member_held_claims(session, user),
    )


def _chain_balance(client: ChainClient | None, user: User) -> int | None:
    if client is None or client.addresses is None or user.address is None:
        return None
    try:
        return client.token_balance(user.address)
    except Exception as exc:  # the page must show what the database knows even then
        log.warning("could not read the token balance from the chain: %s", exc)
        return None
